"""Scale (SPEC section 20): the size of the JSON report of a 1,000,000-test session,
``merge`` of 10 shard reports of 100,000 tests each, and the gate's cost on a suite of
100,000 trivial tests, serial and under ``-n 2``.

    python bench/bench_scale.py [--quick] [--rounds N] [--only report-size|merge|gate-100k]

The reports are synthetic, built with the public API (``TestRecord``,
``GraduationReport``, ``write_report``) from a seeded ``random.Random``: node ids
grouped by file as collection makes them, mostly passing outcomes, a few phases, a
capability, determinism verdicts for a tenth of the tests. Quick mode: 20,000 tests,
10 shards of 2,000, 1,000 tests at the gate.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from _harness import (
    Contender,
    Finding,
    Outcome,
    cli,
    compare,
    only,
    prepare,
    ratio,
    report,
    rounds_for,
    spawn,
)
from bench_overhead import make_suite

from pytest_graduation import capabilities
from pytest_graduation._version import __version__
from pytest_graduation.config import GraduationConfig, load
from pytest_graduation.model import GateRun, TestRecord
from pytest_graduation.record_table import decode
from pytest_graduation.report import GraduationReport, write_report

HERE: Final = Path(__file__).resolve().parent
LEVEL: Final = "beta"
MB: Final = 1_000_000
GZIP_MAGIC: Final = b"\x1f\x8b"

#: what every synthetic report is judged against: merge reads it from ``ROOT/pyproject.toml``
CONFIG: Final = """\
[tool.graduation]
levels = ["alpha", "beta", "rc", "stable"]

[tool.graduation.capabilities.parser]
title = "Parser"
level = "beta"

[tool.graduation.criteria.beta]
capabilities = true
determinism_runs = 3
"""

#: the gated suite's configuration: as small as a real one gets
GATE_CONFIG: Final = """\
[tool.pytest.ini_options]

[tool.graduation.criteria.beta]
max_skipped = 0
"""

#: outcomes and their weights: a report of a real, imperfect session ...
WITH_FAILURES: Final = {
    "passed": 930,
    "skipped": 30,
    "xfailed": 10,
    "xpassed": 5,
    "failed": 15,
    "error": 5,
    "not-run": 5,
}
#: ... and shards whose every required test passed (a merge that does not exit 0 crashed)
PASSING: Final = {"passed": 965, "skipped": 25, "xfailed": 5, "xpassed": 5}
#: phases (alpha, beta required at beta; rc pending)
PHASES: Final = {"alpha": 85, "beta": 10, "rc": 5}
CLASSES: Final = ("TestThing", "TestParser", "TestRoundTrip", "TestErrors", "TestConfigFile")
FUNCTIONS: Final = ("test_case", "test_parse", "test_roundtrip", "test_rejects", "test_defaults")


@dataclass
class Synthetic:
    records: list[TestRecord]
    facts: dict[str, list[Any]]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _nodeids(rng: random.Random, count: int, first_file: int) -> list[str]:
    """``count`` node ids, grouped by file (50-150 tests each, ~100), 50 files per
    package, a class per ~20 tests, most of them parametrized."""
    found: list[str] = []
    file = first_file
    while len(found) < count:
        module = f"tests/pkg_{file // 50:03d}/test_mod_{file:04d}.py"
        for n in range(rng.randint(50, 150)):
            holder = f"{CLASSES[(n // 20) % len(CLASSES)]}::" if n % 7 else ""
            name = FUNCTIONS[(n // 4) % len(FUNCTIONS)]
            param = f"[param-{n}]" if n % 5 else f"_{n}"
            found.append(f"{module}::{holder}{name}{param}")
        file += 1
    return found[:count]


def synthesize(seed: int, count: int, first_file: int, failures: bool) -> Synthetic:
    """``count`` records starting at file ``first_file``, with their determinism facts.
    Without ``failures`` every required test passes, xfails, xpasses or skips; the
    capability and the determinism verdicts go to passing tests only."""
    rng = random.Random(seed)
    weights = WITH_FAILURES if failures else PASSING
    records, verdicts = [], []
    levels = list(PHASES)
    for nodeid in _nodeids(rng, count, first_file):
        outcome, phase = _pick(rng, weights), _pick(rng, PHASES)
        markers = {"phase"} if phase != "alpha" else set()
        passing = outcome == "passed"
        deselected = failures and outcome == "not-run" and rng.random() < 0.5
        if passing and rng.random() < 0.02:
            markers.add("slow")
        if passing and rng.random() < 0.1:
            markers.add("deterministic")
            verdicts.append({"nodeid": nodeid, "status": "identical", "runs": 3, "detail": ""})
        records.append(
            TestRecord(
                nodeid=nodeid,
                outcome=outcome,
                phase=phase,
                markers=frozenset(markers),
                required=levels.index(phase) <= levels.index(LEVEL),
                reruns=1 if passing and rng.random() < 0.005 else 0,
                capabilities=("parser",) if passing and rng.random() < 0.1 else (),
                deselected=deselected,
            )
        )
    facts: dict[str, list[Any]] = {
        "determinism": verdicts,
        "determinism_plan": [{"runs": 3, "processes": 0}],
    }
    return Synthetic(records, facts)


def build_report(data: Synthetic, settings: GraduationConfig, root: Path) -> GraduationReport:
    """The report a gated session would write: the capability matrix computed by the
    plugin from the records, no criteria (verdict ``ready``), a fresh ``run_id``."""
    run = GateRun(
        level=LEVEL,
        levels=settings.levels,
        tests=tuple(data.records),
        coverage=None,
        rootdir=root,
        settings=settings,
        criteria_settings=settings.criteria_for(LEVEL),
        facts=data.facts,
    )
    return GraduationReport(
        level=LEVEL,
        levels=settings.levels,
        criteria=[],
        records=run.tests,
        capabilities=capabilities.matrix(run),
        facts=dict(data.facts),
        config_digest=settings.digest,
        config_keys=dict(settings.key_digests),
        plugin_version=__version__,
        pytest_version=pytest.__version__,
    )


def configured_root(root: Path) -> GraduationConfig:
    (root / "pyproject.toml").write_text(CONFIG)
    return load(root, None)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == GZIP_MAGIC


def in_child(function: str, *args: Any) -> tuple[dict[str, Any], float]:
    """Call ``function`` of this module in a fresh interpreter; what it returns (JSON)
    and the child's peak RSS in bytes. Building a million records in the benchmark's
    own process would raise its peak RSS, and on Linux a child's ``ru_maxrss`` is never
    below the peak of the process that started it (the high-water mark is carried
    across fork and exec): every later measured run would be floored there."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_scale; "
        f"print(json.dumps(bench_scale.{function}(*{args!r})))"
    )
    returncode, output, sample = spawn([sys.executable, "-c", code], HERE)
    if returncode != 0:
        raise SystemExit(f"{function}{args!r} failed (exit {returncode}):\n{output[-3000:]}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result, sample.peak_rss_kib * 1024


def _timed_write(report_: GraduationReport, path: Path) -> float:
    start = time.perf_counter()
    write_report(report_, path)
    return time.perf_counter() - start


def _mb(size: float) -> str:
    return f"{size / MB:.1f} MB" if size >= 10 * MB else f"{size / MB:.2f} MB"


def _shares(report_: GraduationReport) -> str:
    """Which top-level keys the bytes are in, measured on the compact C-encoded JSON,
    and how much of it the node ids of the records alone are."""
    document = report_.to_dict()
    sizes = {key: len(json.dumps(value, separators=(",", ":"))) for key, value in document.items()}
    pending = len(json.dumps(document["tests"]["pending"], separators=(",", ":")))
    nodeids = sum(len(r.nodeid) + 3 for r in report_.records)  # with quotes and a comma
    total = sum(sizes.values())
    shown = [f"{key} {sizes[key] / total:.0%}" for key in ("records", "capabilities", "facts")]
    shown.append(f"tests.pending {pending / total:.0%}")
    return (
        f"compact JSON (no indent) {_mb(total)}: " + ", ".join(shown) + f"; the records' "
        f"node ids alone {_mb(nodeids)} ({nodeids / len(report_.records):.0f} bytes a test)"
    )


def measure_report(tests: int, folder: str) -> dict[str, Any]:
    """In a child (:func:`in_child`): build one report of ``tests`` tests, write it as
    ``report.json`` and ``report.json.gz``; sizes, timings and where the bytes are."""
    root = Path(folder)
    settings = configured_root(root)
    start = time.perf_counter()
    built = build_report(synthesize(17, tests, 0, failures=True), settings, root)
    build = time.perf_counter() - start
    plain, packed = root / "report.json", root / "report.json.gz"
    plain_s = _timed_write(built, plain)
    packed_s = _timed_write(built, packed)
    native = is_gzip(packed)
    if native:
        packed_size = packed.stat().st_size
    else:
        start = time.perf_counter()
        packed_size = len(gzip.compress(plain.read_bytes()))
        packed_s = time.perf_counter() - start
    return {
        "build_s": build,
        "plain_size": plain.stat().st_size,
        "plain_s": plain_s,
        "packed_size": packed_size,
        "packed_s": packed_s,
        "native_gzip": native,
        "not_passed": sum(r.outcome != "passed" for r in built.records),
        "verdicts": len(built.facts["determinism"]),
        "capable": built.capabilities[0]["total"],
        "shares": _shares(built),
    }


def report_size(quick: bool) -> Outcome:
    tests = 20_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-scale-report-") as folder:
        found, peak = in_child("measure_report", tests, folder)
    plain_size, packed_size = found["plain_size"], found["packed_size"]
    plain_s, packed_s, native = found["plain_s"], found["packed_s"], found["native_gzip"]
    print(f"  built and wrote {tests} records", file=sys.stderr, flush=True)
    if native:
        how = "`write_report` to `report.json.gz` (gzip output)"
    else:
        how = (
            "`write_report` to `.json.gz` wrote plain JSON (no gzip output yet): "
            "measured `gzip.compress(json_bytes)` (level 9) instead"
        )
    scale = 1_000_000 / tests
    lines = [
        f"### Report size: {tests:,} tests",
        "",
        f"One synthetic report (seeded): {tests:,} records, {found['not_passed']:,} not "
        f"passed, {found['verdicts']:,} determinism verdicts, capability `parser` on "
        f"{found['capable']:,} tests. Single timings in a fresh interpreter "
        f"(informational). Gzip: {how}.",
        "",
        "| file | bytes | MB | bytes per test | write s |",
        "| --- | --- | --- | --- | --- |",
        f"| report.json | {plain_size:,} | {plain_size / MB:.2f} | {plain_size / tests:.0f} "
        f"| {plain_s:.2f} |",
        f"| report.json.gz | {packed_size:,} | {packed_size / MB:.2f} "
        f"| {packed_size / tests:.1f} | {packed_s:.2f} |",
        "",
        f"Built in {found['build_s']:.2f} s; peak RSS of building and writing it "
        f"{_mb(peak)}. Where the bytes are: {found['shares']}.",
    ]
    if quick:
        lines.append(
            f"\nExtrapolated linearly to 1,000,000 tests: {_mb(plain_size * scale)} JSON, "
            f"{_mb(packed_size * scale)} gzipped."
        )
    extrapolated = "" if not quick else f" (x{scale:.0f}: {_mb(plain_size * scale)})"
    extrapolated_gz = "" if not quick else f" (x{scale:.0f}: {_mb(packed_size * scale)})"
    fallback = "" if native else ", `gzip.compress` (no gzip output yet)"
    return Outcome(
        ["\n".join(lines) + "\n"],
        [
            Finding(
                f"report of {tests:,} tests, JSON",
                "-",
                f"{_mb(plain_size)}{extrapolated}, written in {plain_s:.1f} s",
                "≤ 40 MB",
                None if quick else plain_size <= 40 * MB,
            ),
            Finding(
                f"report of {tests:,} tests, gzipped{fallback}",
                "-",
                f"{_mb(packed_size)}{extrapolated_gz}, {packed_s:.1f} s",
                "≤ 5 MB",
                None if quick else packed_size <= 5 * MB,
            ),
        ],
    )


#: the floor under merge: read and parse the same shard files, nothing else
PARSE_ONLY: Final = """\
import gzip, json, sys
for name in sys.argv[1:]:
    with open(name, "rb") as stream:
        data = stream.read()
    json.loads(gzip.decompress(data) if data[:2] == b"\\x1f\\x8b" else data)
print("parsed", len(sys.argv) - 1)
"""
MERGE: Final = "python -m pytest_graduation merge"
PARSE: Final = "json.loads of the shards"


def write_shards(folder: str, shards: int, tests: int) -> dict[str, Any]:
    """In a child (:func:`in_child`): the merge's rootdir and ``shards`` reports of
    ``tests`` each, shard k with files of its own; written as ``.json.gz`` when
    ``write_report`` makes gzip there (seen on the first), else as ``.json``. Their
    paths and the (passing, all) required tests the merge must count."""
    root = Path(folder)
    settings = configured_root(root)
    start = time.perf_counter()
    paths: list[Path] = []
    files = -(-tests // 50)  # at most 150 tests a file: enough file numbers for a shard
    suffix = ".json.gz"
    for shard in range(shards):
        data = synthesize(100 + shard, tests, shard * files, failures=False)
        built = build_report(data, settings, root)
        path = root / f"shard{shard:02d}{suffix}"
        write_report(built, path)
        if suffix == ".json.gz" and not is_gzip(path):
            path.unlink()
            suffix = ".json"
            path = root / f"shard{shard:02d}{suffix}"
            write_report(built, path)
        paths.append(path)
    made = time.perf_counter() - start
    passing, required = _tally(paths)
    return {
        "paths": [str(p) for p in paths],
        "sizes": [p.stat().st_size for p in paths],
        "made_s": made,
        "passing": passing,
        "required": required,
    }


def _tally(paths: Sequence[Path]) -> tuple[int, int]:
    """(passing, all) required tests of the shards, read back: what merge must count."""
    passing = required = 0
    for path in paths:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == GZIP_MAGIC else raw)
        records = decode(data["records"]).records()  # the report's own reader of its table
        tests = [r for r in records if r.required]
        required += len(tests)
        passing += sum(r.outcome in ("passed", "xpassed") for r in tests)
    return passing, required


def merge(quick: bool) -> Outcome:
    shards, tests = 10, 2_000 if quick else 100_000
    rounds = rounds_for(1, 5)
    with tempfile.TemporaryDirectory(prefix="bench-scale-merge-") as folder:
        root = Path(folder)
        written, _ = in_child("write_shards", folder, shards, tests)
        names: list[str] = written["paths"]
        sizes: list[int] = written["sizes"]
        made, passing, required = written["made_s"], written["passing"], written["required"]
        print(f"  wrote {shards} shards in {made:.1f}s", file=sys.stderr, flush=True)
        merging = [sys.executable, "-m", "pytest_graduation", "merge", "--level", LEVEL]
        contenders = [
            Contender(
                PARSE,
                [],
                0,
                command=[sys.executable, "-c", PARSE_ONLY, *names],
                expect_output=[rf"parsed {shards}\b"],
            ),
            Contender(
                MERGE,
                [],
                0,
                command=[*merging, "--rootdir", str(root), *names],
                expect_output=[
                    rf"merged from {shards} reports",
                    rf"\btests +met +{passing}/{required} passed\b",
                    r"\bparser\b.*\bproven\b",
                    rf"{LEVEL}: READY",
                ],
            ),
        ]
        compare(contenders, root, rounds)
    kind = "gzip" if names[0].endswith(".gz") else "plain JSON: no gzip output yet"
    merged = contenders[1]
    wall, peak = merged.median(), merged.median("peak_rss_kib") * 1024
    section = report(
        f"merge: {shards} shard reports of {tests:,} tests ({kind})", contenders, PARSE, rss=True
    )
    section += (
        f"\nShards: {kind}, {_mb(min(sizes))} to {_mb(max(sizes))} each, {_mb(sum(sizes))} "
        f"in all; {required:,} required tests ({passing:,} passing); written in "
        f"{made:.1f} s. The merge must exit 0 with `{LEVEL}: READY`, `tests` met with "
        f"`{passing}/{required} passed` and `parser` proven. "
        f"`{PARSE}` reads and parses the same files and nothing else.\n"
    )
    what = f"merge of {shards} x {tests:,}-test shard reports ({kind})"
    return Outcome(
        [section],
        [
            Finding(what, "-", f"{wall:.2f} s wall", "< 10 s", None if quick else wall < 10),
            Finding(
                what,
                "-",
                f"{peak / MB:.0f} MB ({peak / 2**20:.0f} MiB) peak RSS",
                "< 1 GB",
                None if quick else peak < 1e9,
            ),
        ],
    )


GATE_GOAL: Final = 1.03
#: quick, full: 1,000 not 5,000 in quick mode (about 2 ms a trivial test on the 2-core
#: machine: four runs of 5,000 took a minute); a full run is about 200 s serial there
GATE_TESTS: Final = (1_000, 100_000)
SERIAL_OFF, SERIAL_ON = "serial, -p no:graduation", "serial, --graduation=beta"
XDIST_OFF, XDIST_ON = "-n 2, -p no:graduation", "-n 2, --graduation=beta"


def gate(quick: bool) -> Outcome:
    """``--graduation=beta`` against ``-p no:graduation`` at 100,000 trivial tests,
    serial and with ``-n 2``; in each round every pair runs next to each other."""
    tests = GATE_TESTS[0] if quick else GATE_TESTS[1]
    rounds = rounds_for(1, 3)
    gated = [*only("graduation"), "--graduation=beta"]
    with tempfile.TemporaryDirectory(prefix="bench-scale-gate-") as folder:
        root = Path(folder)
        make_suite(root, tests)
        (root / "pyproject.toml").write_text(GATE_CONFIG)
        contenders = [
            Contender(SERIAL_OFF, only(), tests),
            Contender(SERIAL_ON, gated, tests),
            Contender(XDIST_OFF, [*only(), "-n", "2"], tests),
            Contender(XDIST_ON, [*gated, "-n", "2"], tests),
        ]
        # the warm-up: one untimed collection writes the rewritten bytecode of every test
        # module (and of the plugin's), instead of a 100,000-test run per contender
        prepare([*gated, "--collect-only"], root)
        compare(contenders, root, rounds, warm_up=False)
    findings = []
    for on, off in ((SERIAL_ON, SERIAL_OFF), (XDIST_ON, XDIST_OFF)):
        wall, cpu = ratio(contenders, on, off), ratio(contenders, on, off, "cpu")
        findings.append(
            Finding(
                f"{tests:,} trivial tests, {on}",
                f"`{off}`",
                f"{wall:.3f} wall, {cpu:.3f} CPU",
                f"≤ {GATE_GOAL}",
                None if quick else wall <= GATE_GOAL,
            )
        )
    section = report(f"The gate at {tests:,} trivial tests", contenders, SERIAL_OFF, rss=True)
    section += (
        f"\nRatios that matter: `{SERIAL_ON}` / `{SERIAL_OFF}` "
        f"{ratio(contenders, SERIAL_ON, SERIAL_OFF):.3f} wall; `{XDIST_ON}` / `{XDIST_OFF}` "
        f"{ratio(contenders, XDIST_ON, XDIST_OFF):.3f} wall (medians of per-round ratios; "
        "the two runs of a pair are next to each other in every round). Warm-up: one "
        "untimed `--collect-only` run, which writes the bytecode of the rewritten test "
        "modules, not a full run per contender.\n"
    )
    return Outcome([section], findings)


BENCHMARKS = {"report-size": report_size, "merge": merge, "gate-100k": gate}

if __name__ == "__main__":
    cli(BENCHMARKS, __doc__)
