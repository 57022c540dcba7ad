"""The checklist section of the terminal and Markdown reports, from the report rows."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_graduation.checklist.judging import DONE, NOT_REQUIRED

Row = Mapping[str, Any]
#: line breaks and other control characters would break a row or a list item
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")
#: the last entry of a capped evidence list (:data:`.judging.MAX_EVIDENCE`)
CAPPED: Final = re.compile(r"\.\.\. and (\d+) more\Z")


def _flat(text: object) -> str:
    return CONTROL.sub(" ", str(text))


def _ticked(row: Row) -> bool:
    """``[x]``: done, or (above the target) nothing left to do."""
    if row["status"] == NOT_REQUIRED:
        return not row["details"]
    return bool(row["status"] == DONE)


def _box(row: Row) -> str:
    return "[x]" if _ticked(row) else "[ ]"


def _level(row: Row, later: str) -> str:
    """The item's level, and whether it is required only at a later one."""
    return _flat(row["level"]) + (later if row["status"] == NOT_REQUIRED else "")


def _split(files: Sequence[str]) -> tuple[list[str], int]:
    """The listed evidence files, and how many more the row only counts."""
    paths = list(files)
    extra = CAPPED.match(paths[-1]) if paths else None
    if extra is None:
        return paths, 0
    return paths[:-1], int(extra.group(1))


def _evidence_cell(files: Sequence[str]) -> str:
    paths, extra = _split(files)
    if not paths:
        return "none"
    more = len(paths) - 1 + extra
    return _flat(paths[0]) + (f" (+{more} more)" if more else "")


def terminal_lines(rows: Sequence[Row]) -> list[str]:
    """The ``checklist:`` section: a header, then one aligned row per item — ``[x]`` or
    ``[ ]``, id, title, level, the evidence found and the signer. No rows, no section."""
    if not rows:
        return []
    table = [("id", "title", "level", "evidence", "signed by")] + [
        (
            _flat(row["id"]),
            _flat(row["title"]),
            _level(row, " (later)"),
            _evidence_cell(row["evidence"]),
            _flat(row["signed_by"]) if row["signed_by"] is not None else "-",
        )
        for row in rows
    ]
    boxes = ["   ", *(_box(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    lines = ["checklist:"]
    for box, line in zip(boxes, table, strict=True):
        cells = [cell.ljust(width) for cell, width in zip(line[:4], widths, strict=True)]
        lines.append(f"  {box} " + "  ".join([*cells, line[4]]).rstrip())
    return lines


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_text(text: object) -> str:
    # the title is plain text in a list item: no markup of its own, no raw HTML
    flat = _flat(text)
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", flat)


def markdown_lines(rows: Sequence[Row]) -> list[str]:
    """The ``### Checklist`` section as a GitHub task list:
    ``- [x] **id** title (level) — evidence: `file`; signed by name``."""
    if not rows:
        return []
    lines = ["### Checklist", ""]
    for row in rows:
        paths, extra = _split(row["evidence"])
        evidence = ", ".join(_code(_flat(f)) for f in paths) if paths else "none"
        if extra:
            evidence += f" and {extra} more"
        signer = (
            f"signed by {_md_text(row['signed_by'])}"
            if row["signed_by"] is not None
            else "not signed"
        )
        lines.append(
            f"- {_box(row)} **{_md_text(row['id'])}** {_md_text(row['title'])} "
            f"({_md_text(_level(row, ', later'))}) — evidence: {evidence}; {signer}"
        )
    return lines
