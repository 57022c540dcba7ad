"""The readiness report: one model, rendered as terminal text, Markdown and JSON."""

from __future__ import annotations

import gzip
import math
import os
import stat
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, final

from pytest_graduation import strict_json
from pytest_graduation.atomic import write_atomic
from pytest_graduation.checklist.render import markdown_lines, terminal_lines
from pytest_graduation.ladder import Ladder
from pytest_graduation.ladder import render_markdown as render_ladder_markdown
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.model import Outcome, Status, TestRecord
from pytest_graduation.record_table import ALL, encode, kept
from pytest_graduation.regular_files import require_regular
from pytest_graduation.report_reader import SCHEMA_VERSION, read_report
from pytest_graduation.settings import Waiver

READY: Final = "ready"
NOT_READY: Final = "not-ready"
NOT_JUDGED: Final = "not-judged"


@final
@dataclass(frozen=True)
class CriterionOutcome:
    name: str
    status: Status
    measured: Any
    required: Any
    details: tuple[str, ...] = ()
    waiver: Waiver | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "measured": self.measured,
            "required": self.required,
            "details": list(self.details),
            "waiver": self.waiver.to_dict() if self.waiver else None,
        }


@final
@dataclass
class GraduationReport:
    level: str
    levels: tuple[str, ...]
    criteria: list[CriterionOutcome]
    records: Sequence[TestRecord]
    capabilities: list[dict[str, Any]] = field(default_factory=list)
    #: one row per ``[[tool.graduation.checklist]]`` item (empty when none is declared)
    checklist: list[dict[str, Any]] = field(default_factory=list)
    collection_errors: Sequence[str] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    config_digest: str = ""
    #: digest per configuration key (:attr:`GraduationConfig.key_digests`)
    config_keys: dict[str, str] = field(default_factory=dict)
    plugin_version: str = ""
    pytest_version: str = ""
    #: xdist workers whose facts never arrived (each makes ``tests`` unmet)
    lost_workers: Sequence[str] = ()
    #: unique per report, so that ``merge`` can refuse the same shard given twice
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: every level judged from this run (``--graduation-ladder``), else ``None``
    ladder: Ladder | None = None
    #: which records the JSON keeps (``--graduation-report-tests``: all, failed, none)
    included: str = ALL
    #: the ``tests`` counts of a report read back with only some of its records
    stored_tally: dict[str, Any] | None = None

    @property
    def verdict(self) -> str:
        ok = all(c.status in (Status.MET, Status.WAIVED) for c in self.criteria)
        return READY if ok else NOT_READY

    @property
    def unmet(self) -> list[CriterionOutcome]:
        return [c for c in self.criteria if c.status in (Status.UNMET, Status.INCONCLUSIVE)]

    def tally(self) -> dict[str, Any]:
        if self.stored_tally is not None:
            return self.stored_tally
        required = [r for r in self.records if r.required and not r.deselected]
        counts = {
            outcome: sum(r.outcome == outcome for r in required) for outcome in Outcome.TALLIED
        }
        return {
            **counts,
            "not_run": sum(r.outcome == Outcome.NOT_RUN for r in required),
            "deselected": sum(r.deselected for r in self.records),
            "pending": [r.nodeid for r in self.records if not r.required and not r.deselected],
        }

    def verdict_line(self) -> str:
        if self.verdict == READY:
            return f"{self.level}: READY"
        return f"{self.level}: NOT READY ({len(self.unmet)} of {len(self.criteria)} criteria unmet)"

    @classmethod
    def from_dict(cls, data: object) -> GraduationReport:
        """The report a :meth:`to_dict` document describes, checked strictly: raises
        :class:`~pytest_graduation.report_reader.ReportError` saying what is wrong."""
        return read_report(data, cls)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "level": self.level,
            "levels": list(self.levels),
            "verdict": self.verdict,
            "criteria": [c.to_dict() for c in self.criteria],
            # which tests prove a capability is in the records: not repeated per row
            "capabilities": [
                {key: value for key, value in row.items() if key != "tests"}
                for row in self.capabilities
            ],
            "checklist": self.checklist,
            "tests": self.tally(),
            "records": encode(kept(self.records, self.included), self.included),
            "collection_errors": list(self.collection_errors),
            "lost_workers": list(self.lost_workers),
            "facts": self.facts,
            "config_digest": self.config_digest,
            "config_keys": self.config_keys,
            "plugin_version": self.plugin_version,
            "pytest_version": self.pytest_version,
            **(self.ladder.to_dict() if self.ladder is not None else {}),
        }


# --- rendering ---------------------------------------------------------------


def show(value: Any) -> str:
    """A measured/required value as a table cell."""
    if value is None:
        return "-"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # Enough significant digits that a shown value never looks equal to a different
        # one (97.475 against a floor of 97.476, a floor of 1e-320) without float noise.
        return f"{value:.12g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value)
    return str(value)


def _rows(report: GraduationReport) -> list[tuple[str, str, str, str]]:
    return [(c.name, c.status.value, show(c.measured), show(c.required)) for c in report.criteria]


def _cell_lines(value: Any) -> list[str]:
    """A table cell as lines: a table-valued measurement (one value per glob) gets one
    line per entry, so that a long ``coverage_paths`` does not make the table wide."""
    if isinstance(value, dict) and len(value) > 1:
        return [f"{key}={show(item)}" for key, item in value.items()]
    return [show(value)]


def _table_lines(report: GraduationReport) -> list[str]:
    header = [["criterion"], ["status"], ["measured"], ["required"]]
    rows = [header] + [
        [[c.name], [c.status.value], _cell_lines(c.measured), _cell_lines(c.required)]
        for c in report.criteria
    ]
    widths = [max(len(line) for row in rows for line in row[i]) for i in range(3)]
    lines = []
    for row in rows:
        for index in range(max(len(cell) for cell in row)):
            cells = [cell[index] if index < len(cell) else "" for cell in row]
            text = "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=False))
            lines.append((text + "  " + cells[3]).rstrip())
    return lines


def _pending_lines(report: GraduationReport, verbose: bool) -> list[str]:
    """Pending tests: the ones that passed are only counted unless ``verbose`` (a big
    suite has hundreds), the others are listed (a pending failure is news)."""
    pending = [r for r in report.records if not r.required and not r.deselected]
    if not pending:
        return []
    heading = f"pending ({len(pending)}, required from a later level):"
    shown = pending if verbose else [r for r in pending if r.outcome != Outcome.PASSED]
    if len(shown) < len(pending):
        heading += f" {len(pending) - len(shown)} passed, listed with -v"
    listed = [f"- {r.nodeid} [{r.phase}]: {r.outcome}" for r in shown]
    return ["", heading, *(f"  {line}" for line in (listed if verbose else capped(listed, NAMED)))]


def render_terminal(report: GraduationReport, verbose: bool = False) -> list[str]:
    """The lines of the terminal section, without its heading; ``verbose`` lists the
    pending tests that passed too."""
    lines = _table_lines(report)
    if report.capabilities:
        lines += ["", "capabilities:"]
        cap_rows = [("id", "title", "level", "tests", "status")] + [
            (c["id"], c["title"], c["level"], f"{c['passed']}/{c['total']}", c["status"])
            for c in report.capabilities
        ]
        cap_widths = [max(len(r[i]) for r in cap_rows) for i in range(4)]
        lines += [
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(r[:4], cap_widths, strict=False))
            + "  "
            + r[4]
            for r in cap_rows
        ]
    if report.checklist:
        lines += ["", *terminal_lines(report.checklist)]
    lines += _pending_lines(report, verbose)
    for outcome in report.criteria:
        if not outcome.details or (outcome.status is Status.MET and outcome.waiver is None):
            continue
        lines += ["", f"{outcome.name} ({outcome.status.value}):"]
        lines += [f"  - {detail}" for detail in outcome.details]
    lines += ["", report.verdict_line()]
    return lines


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: GraduationReport) -> str:
    icon = {"met": "✅", "unmet": "❌", "waived": "⚠️", "inconclusive": "❔"}
    out = [
        f"## graduation: {report.level}",
        "",
        f"**{report.verdict_line()}**",
        "",
        "| criterion | status | measured | required |",
        "| --- | --- | --- | --- |",
    ]
    for name, status, measured, required in _rows(report):
        out.append(
            f"| {_md_cell(name)} | {icon[status]} {status} | {_md_cell(measured)} "
            f"| {_md_cell(required)} |"
        )
    if report.capabilities:
        out += ["", "### Capabilities", "", "| id | title | level | tests | status |"]
        out.append("| --- | --- | --- | --- | --- |")
        for c in report.capabilities:
            out.append(
                f"| {_md_cell(c['id'])} | {_md_cell(c['title'])} | {c['level']} "
                f"| {c['passed']}/{c['total']} | {c['status']} |"
            )
    if report.checklist:
        out += ["", *markdown_lines(report.checklist)]
    for outcome in report.criteria:
        if not outcome.details or (outcome.status is Status.MET and outcome.waiver is None):
            continue
        out += ["", f"### {outcome.name} ({outcome.status.value})", ""]
        out += [f"- {_md_cell(detail)}" for detail in outcome.details]
    if report.ladder is not None:
        out += render_ladder_markdown(report.ladder)
    return "\n".join(out) + "\n"


#: written on one line each: they grow with the suite (a million records, a fact per
#: test), and indenting them would make the file several times bigger
COMPACT_KEYS: Final = ("facts", "records")


def render_json(report: GraduationReport) -> str:
    return strict_json.dumps_compacting(report.to_dict(), COMPACT_KEYS, trusted="records") + "\n"


def _encoded(path: Path, text: str) -> bytes:
    """``text`` as the bytes of ``path``: gzip-compressed when it ends in ``.gz``
    (``mtime=0``: the same report gives the same file)."""
    data = text.encode("utf-8")
    if path.suffix.lower() == ".gz":
        return gzip.compress(data, compresslevel=6, mtime=0)
    return data


def _is_markdown(path: Path) -> bool:
    inner = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    return inner.suffix.lower() == ".md"


def not_judged_dict(level: str, levels: Sequence[str], reason: str) -> dict[str, Any]:
    """The report of a gated session that ended without a verdict: it replaces an
    older report, so that a stale ``ready`` never stands for this run."""
    from pytest_graduation._version import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": uuid.uuid4().hex,
        "level": level,
        "levels": list(levels),
        "verdict": NOT_JUDGED,
        "reason": reason,
        "criteria": [],
        "plugin_version": __version__,
    }


def write_not_judged(path: Path, level: str, levels: Sequence[str], reason: str) -> None:
    data = not_judged_dict(level, levels, reason)
    if _is_markdown(path):
        text = f"## graduation: {level}\n\n**{level}: NOT JUDGED ({reason})**\n"
    else:
        text = strict_json.dumps(data) + "\n"
    write_atomic(path, _encoded(path, text))


def write_report(report: GraduationReport, path: Path) -> None:
    """Write JSON, or Markdown when ``path`` ends in ``.md``; gzip-compressed when it
    ends in ``.gz`` (``report.json.gz``); atomically."""
    text = render_markdown(report) if _is_markdown(path) else render_json(report)
    write_atomic(path, _encoded(path, text))


def append_github_summary(report: GraduationReport, path: Path) -> None:
    """Append the Markdown report; only ever to a regular file (a FIFO or a device
    there would block the session or swallow the summary)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG
    require_regular(path, mode)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as stream:
        require_regular(path, os.fstat(stream.fileno()).st_mode)
        stream.write(render_markdown(report))


def check_writable(path: Path) -> str | None:
    """Why a report cannot be written to ``path``, or ``None`` when it can."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return f"{path} is a directory"
    if not parent.is_dir():
        return f"folder {parent} does not exist"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path} is not writable"
    return None
