"""``pytest --update-baseline``: record this run's numbers and say what moved.

The writer runs on the serial process or the xdist controller, in a ``tryfirst``
``pytest_sessionfinish`` (pytest-cov has stopped and combined by then, and
pytest-benchmark has computed its statistics). It writes only after a passing
session of the whole suite: a baseline recorded from a broken run, or from a part of
the suite (``-k``, ``-m``, ``--deselect``, a shard plugin, ``--lf``, ``--sw``), would
lower the bar unseen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, final

import pytest

from pytest_graduation.baselines.benchmarks import (
    BENCHMARKS_STREAM,
    SESSION_STREAM,
    BenchmarkReader,
    coverage_left_out,
)
from pytest_graduation.baselines.criteria import seconds
from pytest_graduation.baselines.store import (
    SCHEMA_VERSION,
    STATS,
    BaselineError,
    baseline_file,
    read_baseline,
    write_baseline,
)
from pytest_graduation.coverage.criteria import COVERAGE_STREAM, not_judgeable
from pytest_graduation.coverage.measure import (
    MAX_DIGITS,
    FileCounts,
    displayed,
    read_pytest_cov,
    total,
)
from pytest_graduation.facts import facts_of
from pytest_graduation.partial import partial_run
from pytest_graduation.settings import GraduationConfig

#: one value per process that collected: ``{"count": N}``, the tests deselected there
DESELECTED_STREAM: Final = "baseline_deselected"


def coverage_section(facts: Mapping[str, Sequence[Any]]) -> tuple[dict[str, Any] | None, str]:
    """The coverage to record (at the precision shown), or why there is none."""
    found = [m for m in facts.get(COVERAGE_STREAM, ()) if isinstance(m, dict)]
    if len(found) != 1:
        return None, "no coverage measurement" if not found else "several measurements"
    problems = not_judgeable(found[0])
    if problems:
        return None, problems[0]
    precision = min(max(int(found[0]["precision"]), 0), MAX_DIGITS)
    counts = {name: FileCounts.from_list(raw) for name, raw in found[0]["files"].items()}
    return {
        "files": {name: displayed(c.percent, precision) for name, c in sorted(counts.items())},
        "kind": found[0]["kind"],
        "precision": precision,
        "total": displayed(total(counts.values()).percent, precision),
    }, ""


def benchmark_section(
    facts: Mapping[str, Sequence[Any]],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    """The benchmarks to record and pytest-benchmark's machine info, or why none."""
    sessions = [s for s in facts.get(SESSION_STREAM, ()) if isinstance(s, dict)]
    why = next((str(s["why"]) for s in sessions if "why" in s), "no benchmark ran")
    section: dict[str, Any] = {}
    for row in facts.get(BENCHMARKS_STREAM, ()):
        if isinstance(row, dict) and isinstance(row.get("name"), str):
            stats = {field: row.get(field) for field in (*STATS, "rounds")}
            kept = section.get(row["name"])
            if kept is None or _slower(stats, kept):  # the slowest of repeats
                section[row["name"]] = stats
    if not section:
        return None, None, why
    info = next((s["machine_info"] for s in sessions if "machine_info" in s), None)
    return dict(sorted(section.items())), info, ""


def _slower(stats: Mapping[str, Any], kept: Mapping[str, Any]) -> bool:
    try:
        return bool(stats["median"] > kept["median"])
    except TypeError:  # not numbers: the writer's own check refuses the section
        return False


def _change(old: float, new: float) -> str:
    difference = Decimal(repr(new)) - Decimal(repr(old))
    return f"{old:g} -> {new:g} ({float(difference):+g})"


def coverage_lines(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    if old is None:
        return [f"coverage: recorded total {new['total']:g} and {len(new['files'])} file(s)"]
    lines = [f"coverage total: {_change(old['total'], new['total'])}"]
    before, after = old["files"], new["files"]
    for name in sorted(set(before) | set(after)):
        if name not in after:
            lines.append(f"coverage removed: {name} (was {before[name]:g})")
        elif name not in before:
            lines.append(f"coverage new: {name} {after[name]:g}")
        elif after[name] != before[name]:
            way = "up" if after[name] > before[name] else "down"
            lines.append(f"coverage {way}: {name} {_change(before[name], after[name])}")
    return lines


def benchmark_lines(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    before = old or {}
    lines: list[str] = []
    for name in sorted(set(before) | set(new)):
        if name not in new:
            lines.append(f"benchmark removed: {name} (did not run)")
        elif name not in before:
            lines.append(f"benchmark new: {name} {seconds(new[name]['median'])}")
        else:
            was, now = before[name]["median"], new[name]["median"]
            way = "slower" if now > was else "faster"
            lines.append(
                f"benchmark {way}: {name} {seconds(was)} -> {seconds(now)} ({now / was:.2f}x)"
            )
    return lines


def update_baseline(
    rootdir: Path,
    settings: GraduationConfig,
    facts: Mapping[str, Sequence[Any]],
    coverage_left_out: str = "",
) -> list[str]:
    """Write the baseline from ``facts`` and return the lines to print. A section this
    run did not measure (no ``--cov``, benchmarks off), or ``coverage_left_out`` says
    why it must not record, keeps its recorded values."""
    relpath: str = settings.value("baseline")
    lines: list[str] = []
    try:
        old = read_baseline(baseline_file(rootdir, relpath)) or {}
    except BaselineError as exc:
        old = {}
        lines.append(f"the old baseline is replaced: {exc}")
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    coverage, why_no_coverage = (
        (None, coverage_left_out) if coverage_left_out else coverage_section(facts)
    )
    if coverage is not None:
        document["coverage"] = coverage
        lines += coverage_lines(old.get("coverage"), coverage)
    benchmarks, info, why_no_benchmarks = benchmark_section(facts)
    if benchmarks is not None:
        document["benchmarks"] = benchmarks
        lines += benchmark_lines(old.get("benchmarks"), benchmarks)
        if info is not None:
            document["machine_info"] = info
    if coverage is None and benchmarks is None:
        raise BaselineError(
            f"nothing to record: coverage: {why_no_coverage}; benchmarks: {why_no_benchmarks}"
        )
    lines += _kept(old, document, "coverage", why_no_coverage)
    lines += _kept(old, document, "benchmarks", why_no_benchmarks)
    write_baseline(rootdir, relpath, document)
    return [*lines, f"baseline written to {relpath}"]


def _kept(old: Mapping[str, Any], document: dict[str, Any], section: str, why: str) -> list[str]:
    if section in document or section not in old:
        return [f"{section}: not recorded ({why})"] if section not in document else []
    document[section] = old[section]
    if section == "benchmarks" and "machine_info" in old:
        document["machine_info"] = old["machine_info"]
    return [f"{section}: not measured in this run ({why}): the recorded values are kept"]


def why_partial(config: pytest.Config, facts: Mapping[str, Sequence[Any]]) -> str:
    """Why this run covered only part of the suite, or ``""``."""
    reason = partial_run(config)
    if reason:
        return reason
    counts = [
        entry["count"]
        for entry in facts.get(DESELECTED_STREAM, ())
        if isinstance(entry, dict) and isinstance(entry.get("count"), int)
    ]
    # every xdist worker collects the whole suite and deselects the same tests
    most = max(counts, default=0)
    return f"{most} test(s) deselected (-k, -m, --deselect or a shard plugin)" if most else ""


@final
class DeselectionCounter:
    """Registered on every process with ``--update-baseline``: counts, where
    collection runs, the tests that the selection options left out."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.count = 0

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        self.count += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        facts_of(self.config).add(DESELECTED_STREAM, {"count": self.count})


@final
class BaselineUpdater:
    """Registered on the serial process or the xdist controller with
    ``--update-baseline`` (never with ``--graduation``)."""

    def __init__(
        self, config: pytest.Config, settings: GraduationConfig, reader: BenchmarkReader
    ) -> None:
        self.config = config
        self.settings = settings
        self.reader = reader
        self.lines: list[str] = []
        self.error = ""

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        partial_run(self.config)  # before the cache provider rewrites the last failures

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from pytest_graduation.wiring import runs_no_tests

        if runs_no_tests(self.config):
            return
        self.reader.finish()
        if session.exitstatus != pytest.ExitCode.OK:
            self.error = (
                f"baseline not written: the session did not pass (exit code "
                f"{int(session.exitstatus)}); a baseline records a passing run"
            )
            return
        facts = dict(facts_of(self.config).streams())
        partial = why_partial(self.config, facts)
        if partial:
            self.error = (
                f"baseline not written: a partial run ({partial}); a baseline records "
                "the whole suite, a part of it would lower the bar"
            )
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR  # asked for, not done
            return
        if not facts.get(COVERAGE_STREAM):  # the coverage reader runs only while gating
            facts[COVERAGE_STREAM] = [read_pytest_cov(self.config)]
        left_out = coverage_left_out(self.config)
        try:
            self.lines = update_baseline(self.config.rootpath, self.settings, facts, left_out)
        except BaselineError as exc:
            self.error = f"baseline not written: {exc}"
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR  # asked for, not done

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not (self.lines or self.error):
            return
        terminalreporter.write_sep("=", "graduation: baseline")
        for line in self.lines:
            terminalreporter.write_line(line)
        if self.error:
            terminalreporter.write_line(f"graduation: error: {self.error}", red=True)
