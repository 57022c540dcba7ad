"""The ladder (SPEC section 13): one verdict per configured level, judged from one run.

This module is the ladder as data and its renderings (terminal table, Markdown, the
JSON keys ``ladder`` and ``highest_ready``, the shields.io badge). How each rung is
judged lives in :mod:`pytest_graduation.rungs`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, final

from pytest_graduation.atomic import write_atomic

READY: Final = "ready"
NOT_READY: Final = "not-ready"
INCONCLUSIVE: Final = "inconclusive"
RUNG_VERDICTS: Final = (READY, NOT_READY, INCONCLUSIVE)

#: the hint of a criterion whose measurement this run did not take
NOT_MEASURED_HINT: Final = "gate at {level} to measure it"


@final
@dataclass(frozen=True)
class Rung:
    """The verdict of one level: ``ready`` (every criterion met or waived),
    ``not-ready`` (one is unmet) or ``inconclusive`` (none unmet, one inconclusive)."""

    level: str
    verdict: str
    unmet: tuple[str, ...] = ()
    inconclusive: tuple[str, ...] = ()
    #: why each inconclusive criterion is (its first detail); shown, not serialised
    hints: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "verdict": self.verdict,
            "unmet": list(self.unmet),
            "inconclusive": list(self.inconclusive),
        }

    def missing(self) -> str:
        """The table's ``unmet`` cell: unmet names, then inconclusive ones with why."""
        cells = list(self.unmet)
        for name in self.inconclusive:
            hint = self.hints.get(name)
            cells.append(f"{name} (inconclusive: {hint})" if hint else f"{name} (inconclusive)")
        return ", ".join(cells) or "-"


def rung_verdict(unmet: Sequence[str], inconclusive: Sequence[str]) -> str:
    if unmet:
        return NOT_READY
    return INCONCLUSIVE if inconclusive else READY


@final
@dataclass(frozen=True)
class Ladder:
    rungs: tuple[Rung, ...]

    @property
    def highest_ready(self) -> str | None:
        """The highest level that is ready with every level below it ready too.

        A level that is ready above one that is not (a waiver for that level alone)
        is not a step reached: the ladder is climbed from the bottom."""
        reached = None
        for rung in self.rungs:
            if rung.verdict != READY:
                break
            reached = rung.level
        return reached

    def to_dict(self) -> dict[str, Any]:
        return {
            "ladder": [rung.to_dict() for rung in self.rungs],
            "highest_ready": self.highest_ready,
        }

    def badge(self) -> dict[str, Any]:
        """The shields.io endpoint document."""
        highest = self.highest_ready
        if highest is None:
            color = "red"
        elif self.rungs and highest == self.rungs[-1].level:
            color = "brightgreen"
        else:
            color = "green"
        return {
            "schemaVersion": 1,
            "label": "graduation",
            "message": highest or "none",
            "color": color,
        }


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return [f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}".rstrip() for r in rows]


def render_lines(ladder: Ladder) -> list[str]:
    """The terminal lines printed after the verdict line."""
    rows = [("level", "verdict", "unmet")]
    rows += [(r.level, r.verdict, r.missing()) for r in ladder.rungs]
    return ["", *_table(rows), f"highest ready level: {ladder.highest_ready or 'none'}"]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(ladder: Ladder) -> list[str]:
    lines = ["", "### Ladder", "", "| level | verdict | unmet |", "| --- | --- | --- |"]
    lines += [f"| {r.level} | {r.verdict} | {_md_cell(r.missing())} |" for r in ladder.rungs]
    lines += ["", f"highest ready level: **{ladder.highest_ready or 'none'}**"]
    return lines


def write_badge(ladder: Ladder, path: Path) -> None:
    write_atomic(path, (json.dumps(ladder.badge()) + "\n").encode("utf-8"))


def write_not_judged_badge(path: Path) -> None:
    """A session without a verdict replaces the badge: an older ``stable`` must not
    stand for it."""
    document = {"schemaVersion": 1, "label": "graduation", "message": "not judged"}
    write_atomic(path, (json.dumps({**document, "color": "lightgrey"}) + "\n").encode("utf-8"))


def read_ladder(data: Mapping[str, Any], levels: Sequence[str]) -> Ladder | None:
    """The ladder of a report document, checked; ``None`` when it has none. Raises
    ``ValueError`` saying what is wrong."""
    if "ladder" not in data and "highest_ready" not in data:
        return None
    raw = data.get("ladder")
    if not isinstance(raw, list):
        raise ValueError("'ladder' is not a list")
    rungs = tuple(_rung(entry, index) for index, entry in enumerate(raw))
    if [r.level for r in rungs] != list(levels):
        raise ValueError("'ladder' does not list every level once, in level order")
    ladder = Ladder(rungs)
    if data.get("highest_ready", "") != ladder.highest_ready:
        raise ValueError("'highest_ready' does not follow from the ladder")
    return ladder


def _rung(entry: object, index: int) -> Rung:
    where = f"ladder[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("level"), str):
        raise ValueError(f"{where} is not a rung")
    names = {}
    for key in ("unmet", "inconclusive"):
        value = entry.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}.{key} is not a list of strings")
        names[key] = tuple(value)
    verdict = entry.get("verdict")
    if verdict != rung_verdict(names["unmet"], names["inconclusive"]):
        raise ValueError(f"{where}.verdict does not follow from its criteria")
    return Rung(entry["level"], verdict, names["unmet"], names["inconclusive"])
