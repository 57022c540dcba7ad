"""``python -m pytest_graduation merge``: one verdict from the reports of CI shards.

Shard reports are untrusted input, read by :mod:`pytest_graduation.shards`. The same
report given twice, a shard that judged nothing, a worker lost in a shard and a
required test that ran in no shard never make a merge ``ready``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TextIO

from pytest_graduation.checklist import shard_disagreements
from pytest_graduation.config import ConfigError, GraduationConfig, load
from pytest_graduation.features import builtin_criteria, builtin_criteria_names
from pytest_graduation.joining import Merged, combine
from pytest_graduation.judge import judge
from pytest_graduation.ladder import render_lines, write_badge
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.model import (
    Criterion,
    CriterionResult,
    GateRun,
    Outcome,
    Status,
    TestRecord,
)
from pytest_graduation.options import git_revision
from pytest_graduation.report import (
    READY,
    GraduationReport,
    render_terminal,
    write_report,
)
from pytest_graduation.rungs import (
    CUSTOM_STREAM,
    PLAN_STREAM,
    Measured,
    NotMeasured,
    climb,
    custom_facts,
    determinism_plan,
)
from pytest_graduation.shards import (
    MergeError,
    ShardReport,
    read_shard,
    refuse_duplicates,
)

__all__ = [
    "MergeError",
    "ShardReport",
    "combine",
    "coverage_measurement",
    "main",
    "merge",
    "read_shard",
]

EXIT_OK: Final = 0
EXIT_NOT_READY: Final = 1
EXIT_USAGE: Final = 4
#: an output that could not be written: never 0 or 1, which a shard recipe may let pass
EXIT_WRITE_FAILED: Final = 3


def _agree(shards: Sequence[ShardReport], key: str, expected: str | None = None) -> None:
    values = {s.path: s.data[key] for s in shards}
    distinct = set(values.values()) if expected is None else {*values.values(), expected}
    if len(distinct) > 1:
        listing = ", ".join(f"{p.name}={v!r}" for p, v in values.items())
        wanted = f" (merge: {expected!r})" if expected is not None else ""
        raise MergeError(f"shard reports disagree on {key}{wanted}: {listing}")


def _agree_on_configuration(shards: Sequence[ShardReport], settings: GraduationConfig) -> None:
    """Every shard ran with this merge's configuration; else say which keys differ."""
    differing = [s for s in shards if s.data["config_digest"] != settings.digest]
    if not differing:
        return
    ours = settings.key_digests
    where = []
    for shard in differing:
        theirs = shard.report.config_keys
        keys = sorted(k for k in {*theirs, *ours} if theirs.get(k) != ours.get(k))
        named = ", ".join(keys) if theirs and keys else "keys not recorded (an older report)"
        where.append(f"{shard.path.name}: {named}")
    raise MergeError(
        "shard reports disagree on config_digest: the [tool.graduation] configuration "
        "differs between the shards and this merge, in "
        + "; ".join(where)
        + " (run every shard and the merge with the same configuration)"
    )


class ShardVerdict(Criterion):
    """A custom criterion (from a conftest hook) cannot be re-run without its session:
    its shard results are carried over, unmet if any shard found it unmet."""

    def __init__(self, name: str, results: Sequence[Mapping[str, Any]]) -> None:
        self.name = name
        self.results = list(results)

    def evaluate(self, run: GateRun) -> CriterionResult:
        statuses = [r["status"] for r in self.results]
        details = [str(d) for r in self.results for d in r.get("details", [])]
        measured = [r.get("measured") for r in self.results]
        if any(s == "unmet" for s in statuses):
            return CriterionResult.unmet(measured, self.results[0].get("required"), details)
        if any(s == "inconclusive" for s in statuses):
            return CriterionResult.inconclusive(measured, self.results[0].get("required"), details)
        return CriterionResult.met(measured, self.results[0].get("required"), details)


class RanInSomeShard(Criterion):
    """``tests`` over joined shards. A required test that ran in no shard (deselected
    or not run in every one) proves nothing, and is the trace of a missing shard:
    ``tests`` is inconclusive, or unmet when it is unmet anyway."""

    def __init__(self, inner: Criterion) -> None:
        self.inner = inner
        self.name = inner.name

    def evaluate(self, run: GateRun) -> CriterionResult:
        missing = [
            t for t in run.tests if t.required and (t.deselected or t.outcome == Outcome.NOT_RUN)
        ]
        # the inner criterion judges what ran; what ran nowhere is judged here alone
        ran = dataclasses.replace(run, tests=tuple(t for t in run.tests if not t.deselected))
        result = self.inner.evaluate(ran)
        if not missing:
            return result
        details = [*result.details, *_listing_missing(missing)]
        make = (
            CriterionResult.unmet if result.status is Status.UNMET else CriterionResult.inconclusive
        )
        return make(result.measured, result.required, details)


def _listing_missing(missing: Sequence[TestRecord]) -> list[str]:
    count = len(missing)
    lines = [f"{count} required test{'s' * (count != 1)} ran in no shard: is a shard missing?"]
    named = [
        f"{t.nodeid} ({'deselected in every shard' if t.deselected else 'not run in any shard'})"
        for t in missing
    ]
    return [*lines, *capped(named, NAMED)]


def _merged_builtins(settings: GraduationConfig, level: str) -> list[Criterion]:
    return [
        RanInSomeShard(c) if c.name == "tests" else c for c in builtin_criteria(settings, level)
    ]


def _custom_criteria(shards: Sequence[ShardReport]) -> list[Criterion]:
    results: dict[str, list[Mapping[str, Any]]] = {}
    for shard in shards:
        for result in shard.data["criteria"]:
            if result["name"] not in builtin_criteria_names():
                # a waived result is re-judged here: waivers apply after evaluation
                raw = dict(result)
                if raw["status"] == "waived":
                    raw["status"] = "unmet"
                results.setdefault(result["name"], []).append(raw)
    return [ShardVerdict(name, found) for name, found in results.items()]


def coverage_facts(data_file: Path, rootdir: Path, base: str | None = None) -> dict[str, Any]:
    """The coverage fact streams of a combined coverage data file, as the live gate
    makes them: the measurement, and given a base the changed-line measurement."""
    from pytest_graduation.coverage import data_file_facts

    if not data_file.is_file():
        raise MergeError(f"--coverage-file {data_file}: no such file")
    return data_file_facts(data_file, rootdir, base)


def coverage_measurement(data_file: Path, rootdir: Path) -> dict[str, Any]:
    """The measurement of a combined coverage data file, as the live gate makes it."""
    from pytest_graduation.coverage import COVERAGE_STREAM

    measurement: dict[str, Any] = coverage_facts(data_file, rootdir)[COVERAGE_STREAM][0]
    return measurement


def _new_code_base(
    merged: Merged, settings: GraduationConfig, level: str, given: str | None
) -> str | None:
    """The base of ``coverage_new`` at ``level`` (``None``: not judged, or no base).
    The merge's own ``--graduation-base`` replaces the shards' (a shard's command
    line does not speak for the merge)."""
    from pytest_graduation.coverage import COVERAGE_NEW_BASE_STREAM, new_code_base

    merged.facts[COVERAGE_NEW_BASE_STREAM] = [given] if given is not None else []
    return new_code_base(settings, level, given)


def _read_agreeing(
    level: str, paths: Sequence[Path], settings: GraduationConfig
) -> list[ShardReport]:
    """The shard reports, each read strictly, once each, of this level, plugin version
    and configuration."""
    if level not in settings.levels:
        raise MergeError(f"unknown level {level!r}; valid levels: {', '.join(settings.levels)}")
    if not paths:
        raise MergeError("no shard reports given")
    shards = [read_shard(path) for path in paths]
    refuse_duplicates(shards)
    _agree(shards, "level", level)
    _agree(shards, "plugin_version")
    _agree_on_configuration(shards, settings)
    return shards


def _merged_run(
    level: str,
    settings: GraduationConfig,
    rootdir: Path,
    shards: Sequence[ShardReport],
    merged: Merged,
) -> GateRun:
    """The joined shards as one run, judged like a live one."""
    from pytest_graduation.coverage import total_of

    return GateRun(
        level=level,
        levels=settings.levels,
        tests=merged.records(settings, level),
        coverage=total_of(merged.facts),  # derived from the fact, as in a live gate
        rootdir=rootdir,
        settings=settings,
        criteria_settings=settings.criteria_for(level),
        collection_errors=tuple(
            merged.collection_errors
            + [f"shard conflict: {conflict}" for conflict in merged.conflicts]
        ),
        facts=merged.facts,
        # a worker lost in a shard is lost to the merge: its facts are in no report
        lost_workers=tuple(
            f"{lost} ({shard.path.name})" for shard in shards for lost in shard.data["lost_workers"]
        ),
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and joining a million records allocates millions of objects and no
    reference cycles: the cyclic collector would walk them all again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def merge(
    level: str,
    paths: Sequence[Path],
    settings: GraduationConfig,
    rootdir: Path,
    coverage_file: Path | None = None,
    base: str | None = None,
    ladder: bool = False,
) -> GraduationReport:
    from pytest_graduation.coverage import COVERAGE_NEW_STREAM

    with collector_paused():
        shards = _read_agreeing(level, paths, settings)
        merged = combine(shards)
        new_code_base = _new_code_base(merged, settings, level, base)
        if coverage_file is not None:
            # the changed lines are recomputed from the combined data, in this checkout
            merged.facts.pop(COVERAGE_NEW_STREAM, None)
            merged.facts.update(coverage_facts(coverage_file, rootdir, new_code_base))
        run = _merged_run(level, settings, rootdir, shards, merged)
        criteria = [*_merged_builtins(settings, level), *_custom_criteria(shards)]
        report = judge(run, criteria)
        _refuse_other_trees(shards, report)
        if ladder:
            _climb_shards(shards, run, report)
    return report


def _refuse_other_trees(shards: Sequence[ShardReport], report: GraduationReport) -> None:
    """A shard whose checklist rows show other items or other evidence files than this
    checkout's ran on another tree: its results say nothing about this one. Refused,
    not unmet, so that no waiver on ``checklist`` can cover it (docs/checklist.md)."""
    # keyed by full path: two shards' report.json in two folders are both compared
    rows = {str(shard.path): shard.report.checklist for shard in shards}
    problems = shard_disagreements(report.checklist, rows)
    if problems:
        raise MergeError(
            "shard reports disagree with this checkout on the checklist (did a shard run "
            "on another tree?): " + "; ".join(capped(problems, NAMED))
        )


def _rung_customs(shards: Sequence[ShardReport], level: str) -> list[Criterion]:
    """The custom criteria on another rung, from what each shard judged there (shards
    run with ``--graduation-ladder``); a shard that did not judge one leaves it
    inconclusive."""
    found: list[Criterion] = []
    for custom in _custom_criteria(shards):
        results = [
            [
                entry
                for entry in shard.data["facts"].get(CUSTOM_STREAM, [])
                if isinstance(entry, dict)
                and entry.get("level") == level
                and entry.get("name") == custom.name
                and entry.get("status") in {s.value for s in Status}
            ]
            for shard in shards
        ]
        if all(results):
            found.append(ShardVerdict(custom.name, [r for batch in results for r in batch]))
        else:
            why = "a shard did not judge it there (run the shards with --graduation-ladder)"
            found.append(NotMeasured(custom.name, level, why))
    return found


def _climb_shards(shards: Sequence[ShardReport], run: GateRun, report: GraduationReport) -> None:
    """The ladder of the merged shards; every shard must have measured what a rung needs."""
    plans = [determinism_plan(shard.data["facts"]) for shard in shards]
    plan = (min(p[0] for p in plans), min(p[1] for p in plans))

    def criteria_of(level: str) -> list[Criterion]:
        return [*_merged_builtins(run.settings, level), *_rung_customs(shards, level)]

    report.ladder, judged = climb(run, report, criteria_of, Measured.of(run, plan))
    report.facts.pop(PLAN_STREAM, None)
    if any(plan):
        report.facts[PLAN_STREAM] = [{"runs": plan[0], "processes": plan[1]}]
    names = [c.name for c in _custom_criteria(shards)]
    report.facts[CUSTOM_STREAM] = custom_facts(judged, names)
    if not report.facts[CUSTOM_STREAM]:
        del report.facts[CUSTOM_STREAM]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_graduation",
        description="Join the graduation reports of CI shards into one verdict.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("merge", help="merge shard reports and judge a level")
    sub.add_argument("--level", required=True, help="the level to judge")
    sub.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    sub.add_argument(
        "--coverage-file",
        type=Path,
        help="a combined coverage data file (as `coverage combine` writes)",
    )
    sub.add_argument(
        "--graduation-base",
        metavar="REF",
        type=git_revision,
        help="with --coverage-file: the git revision coverage_new compares with "
        "(else [tool.graduation] base)",
    )
    sub.add_argument("--graduation-config", type=Path, help="the TOML configuration file")
    sub.add_argument("--graduation-report", type=Path, help="write the merged report here")
    sub.add_argument(
        "--rootdir", type=Path, default=Path.cwd(), help="the project root (default: .)"
    )
    sub.add_argument("--ladder", action="store_true", help="also judge every other level")
    sub.add_argument("--badge", type=Path, help="write a shields.io badge (implies --ladder)")
    return parser


def _check_outputs(args: argparse.Namespace) -> None:
    """Unwritable output paths are usage errors before anything is merged."""
    from pytest_graduation.report import check_writable

    for option, path in (("--graduation-report", args.graduation_report), ("--badge", args.badge)):
        problem = check_writable(path) if path is not None else None
        if problem:
            raise MergeError(f"{option}: {problem}")


def _write_outputs(report: GraduationReport, args: argparse.Namespace, out: TextIO) -> int:
    """Print the merged verdict, write the report and the badge; the exit code."""
    heading = f" graduation: {report.level} (merged from {len(args.reports)} reports) "
    out.write(heading.center(80, "=") + "\n")
    out.writelines(line + "\n" for line in render_terminal(report))
    if report.ladder is not None:
        out.writelines(line + "\n" for line in render_lines(report.ladder))
    if args.graduation_report is not None:
        write_report(report, args.graduation_report)
        out.write(f"graduation report written to {args.graduation_report}\n")
    if args.badge is not None and report.ladder is not None:
        try:
            write_badge(report.ladder, args.badge)
        except OSError as exc:
            sys.stderr.write(f"error: badge not written: cannot write {args.badge}: {exc}\n")
            return EXIT_WRITE_FAILED
        out.write(f"graduation badge written to {args.badge}\n")
    return EXIT_OK if report.verdict == READY else EXIT_NOT_READY


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        rootdir = args.rootdir.resolve()
        settings = load(rootdir, args.graduation_config)
        _check_outputs(args)
        ladder = args.ladder or args.badge is not None
        report = merge(
            args.level,
            args.reports,
            settings,
            rootdir,
            args.coverage_file,
            args.graduation_base,
            ladder,
        )
    except (MergeError, ConfigError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    return _write_outputs(report, args, out)
