"""Shared benchmark machinery: time commands alternately, check they ended as expected,
report medians and ratios (never single absolute timings: these machines are noisy).

Every timed run is a fresh ``python -m pytest`` child. Its wall time is measured
around the child, its CPU time and peak resident set size come from ``os.wait4``
(the kernel's rusage of that child and the grandchildren it waited for). A run
whose exit code or passed/failed counts differ from what the contender expects
stops the benchmark: a crashed run is not a fast run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PASSED = re.compile(r"(\d+) passed")
FAILED = re.compile(r"(\d+) failed")

#: the peers' pytest plugins, switched off in every run that does not compare with them
PEERS: dict[str, tuple[str, ...]] = {
    "graduation": ("graduation",),
    "syrupy": ("syrupy",),
    "regressions": ("regressions", "pytest-datadir"),
    "repeat": ("repeat",),
}


def only(*tools: str, hypothesis: bool = False) -> list[str]:
    """``-p no:NAME`` for every peer plugin except those of ``tools``; also for
    Hypothesis's plugin unless ``hypothesis``: importing Hypothesis (0.7 s idle, 2 s
    under load) would dominate every baseline and make every ratio look better."""
    keep = {name for tool in tools for name in PEERS[tool]}
    off = [name for names in PEERS.values() for name in names if name not in keep]
    if not hypothesis:
        off.append("hypothesispytest")
    return [arg for name in off for arg in ("-p", f"no:{name}")]


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_rss_kib: int


@dataclass
class Contender:
    name: str
    args: Sequence[str]
    expect_passed: int
    env: dict[str, str] = field(default_factory=dict)
    expect_exit: int = 0
    expect_failed: int = 0
    cwd: Path | None = None
    samples: list[Sample] = field(default_factory=list)
    #: a command run instead of ``python -m pytest`` (e.g. ``python -m pytest_graduation
    #: merge``); its exit code is checked, and instead of pytest's counts each pattern of
    #: ``expect_output`` must be found in its output
    command: Sequence[str] = ()
    expect_output: Sequence[str] = ()

    @property
    def times(self) -> list[float]:
        return [s.wall for s in self.samples]

    def median(self, what: str = "wall") -> float:
        return float(statistics.median(getattr(s, what) for s in self.samples))


STATS = re.compile(r" in [0-9.]+s\b")


def _last_count(pattern: re.Pattern[str], text: str) -> int:
    """The count in pytest's final statistics line (``3 failed, 997 passed in 2.1s``)."""
    stats = next((line for line in reversed(text.splitlines()) if STATS.search(line)), "")
    found = pattern.findall(stats)
    return int(found[-1]) if found else 0


def spawn(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> tuple[int, str, Sample]:
    """Run ``command`` once as a child: its exit code, its output (stdout and stderr)
    and its sample (wall time around it; CPU time and peak RSS from ``os.wait4``)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    return child.returncode, output, Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def run_once(contender: Contender, cwd: Path) -> Sample:
    """Run the contender once; stop the benchmark if it did not end as expected."""
    # Bytecode caches are written (by the warm-up run) and used, as in everyday runs:
    # without them every run would compile the test modules and the plugin's own.
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *contender.args]
    command = list(contender.command) or pytest
    returncode, output, sample = spawn(command, contender.cwd or cwd, contender.env)
    if contender.command:
        missing = [p for p in contender.expect_output if not re.search(p, output)]
        if returncode != contender.expect_exit or missing:
            raise SystemExit(
                f"{contender.name}: expected exit {contender.expect_exit} and output matching "
                f"{list(contender.expect_output)}; got exit {returncode}, not found: {missing}"
                f"\n$ {' '.join(command)}\n{output[-3000:]}"
            )
        return sample
    passed, failed = _last_count(PASSED, output), _last_count(FAILED, output)
    expected = (contender.expect_exit, contender.expect_passed, contender.expect_failed)
    if (returncode, passed, failed) != expected:
        raise SystemExit(
            f"{contender.name}: expected exit {expected[0]}, {expected[1]} passed, "
            f"{expected[2]} failed; got exit {returncode}, {passed} passed, "
            f"{failed} failed\n$ {' '.join(command)}\n{output[-3000:]}"
        )
    return sample


def prepare(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """An untimed run that writes golden files or snapshots; its exit code is ignored
    (pytest-regressions fails every test it regenerates), the next runs check."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        check=False,
    )


def rounds_for(quick: int, full: int) -> int:
    """Rounds to run: ``BENCH_ROUNDS`` when set (``--rounds``), else the quick or full
    default (quick mode is ``BENCH_QUICK=1``)."""
    chosen = os.environ.get("BENCH_ROUNDS")
    if chosen:
        return max(1, int(chosen))
    return quick if os.environ.get("BENCH_QUICK") else full


def compare(contenders: Sequence[Contender], cwd: Path, rounds: int, warm_up: bool = True) -> None:
    """Run every contender ``rounds`` times after one warm-up each, interleaved and in
    alternating order (forwards, then backwards), so slow drifts of the machine's load
    hit every contender alike. In quick mode (``BENCH_QUICK=1``) there is no warm-up:
    the first timed run checks the outcome as well; nor with ``warm_up=False``, for
    runs too long to repeat (the caller warms the caches up some cheaper way)."""
    if warm_up and not os.environ.get("BENCH_QUICK"):
        for contender in contenders:
            run_once(contender, cwd)
    for number in range(rounds):
        order = list(contenders) if number % 2 == 0 else list(reversed(contenders))
        for contender in order:
            contender.samples.append(run_once(contender, cwd))
        shown = ", ".join(f"{c.name} {c.samples[-1].wall:.2f}s" for c in contenders)
        print(f"  round {number + 1}/{rounds}: {shown}", file=sys.stderr, flush=True)


def by_name(contenders: Sequence[Contender], name: str) -> Contender:
    return next(c for c in contenders if c.name == name)


def ratio(contenders: Sequence[Contender], name: str, baseline: str, what: str = "wall") -> float:
    """The median of the per-round ratios ``name / baseline``: each round's runs are
    next to each other in time, so pairing them cancels most of the drift of the
    machine's load (a plain ratio of medians can pair a quiet run with a busy one)."""
    ours, theirs = by_name(contenders, name).samples, by_name(contenders, baseline).samples
    return float(
        statistics.median(
            getattr(a, what) / getattr(b, what) for a, b in zip(ours, theirs, strict=True)
        )
    )


def added(contenders: Sequence[Contender], name: str, baseline: str) -> float:
    """Median wall time of ``name`` minus that of ``baseline``."""
    return by_name(contenders, name).median() - by_name(contenders, baseline).median()


def report(title: str, contenders: Sequence[Contender], baseline: str, rss: bool = False) -> str:
    """A Markdown table: median wall time, CPU time (and peak RSS), ratios to ``baseline``."""
    base = by_name(contenders, baseline)
    head = f"| run | median wall s | wall ratio to {baseline} | median CPU s | CPU ratio |"
    rule = "| --- | --- | --- | --- | --- |"
    if rss:
        head += " median peak RSS MiB | RSS ratio |"
        rule += " --- | --- |"
    rounds = len(base.samples)
    how = "no warm-up (quick mode)" if os.environ.get("BENCH_QUICK") else "after a warm-up"
    lines = [
        f"### {title}",
        "",
        f"Medians of {rounds} alternating rounds, {how}; ratios are medians of the "
        "per-round ratios.",
        "",
        head,
        rule,
    ]
    for c in contenders:
        row = (
            f"| {c.name} | {c.median():.3f} | {ratio(contenders, c.name, baseline):.3f} "
            f"| {c.median('cpu'):.3f} | {ratio(contenders, c.name, baseline, 'cpu'):.3f} |"
        )
        if rss:
            peak = c.median("peak_rss_kib") / 1024
            row += f" {peak:.1f} | {ratio(contenders, c.name, baseline, 'peak_rss_kib'):.3f} |"
        lines.append(row)
    return "\n".join(lines) + "\n"


@dataclass
class Finding:
    """One row of the summary table: a measurement against its goal."""

    benchmark: str
    compared_with: str
    measured: str
    goal: str
    met: bool | None  # None: documented, not judged

    def row(self) -> str:
        verdict = {True: "met", False: "**missed**", None: "documented"}[self.met]
        return (
            f"| {self.benchmark} | {self.compared_with} | {self.measured} | {self.goal} "
            f"| {verdict} |"
        )


def findings_table(findings: Sequence[Finding]) -> str:
    lines = [
        "| benchmark | compared with | measured (medians) | goal | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join([*lines, *(f.row() for f in findings)]) + "\n"


@dataclass
class Outcome:
    """What one benchmark module hands the runner: Markdown sections and findings."""

    sections: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


Benchmark = Callable[[bool], Outcome]


def run_benchmarks(
    benchmarks: Mapping[str, Benchmark], quick: bool, which: Sequence[str]
) -> Outcome:
    """Run the chosen benchmarks; one that stops (a run did not end as expected) is
    reported as such and the others still run."""
    outcome = Outcome()
    for name in which or list(benchmarks):
        print(f"--- benchmark: {name}", file=sys.stderr, flush=True)
        try:
            part = benchmarks[name](quick)
        except SystemExit as exc:
            print(f"{name} stopped: {exc}", file=sys.stderr, flush=True)
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else "stopped"
            part = Outcome(
                [f"### {name}: stopped\n\n```\n{str(exc)[-3000:]}\n```\n"],
                [Finding(name, "-", f"stopped: {message}", "-", False)],
            )
        outcome.sections += part.sections
        outcome.findings += part.findings
    return outcome


def set_mode(quick: bool, rounds: int | None) -> None:
    """Quick mode and a rounds override reach every benchmark through the environment."""
    if quick:
        os.environ["BENCH_QUICK"] = "1"
    if rounds is not None:
        os.environ["BENCH_ROUNDS"] = str(rounds)


def cli(benchmarks: Mapping[str, Benchmark], doc: str) -> None:
    """The command line of one benchmark module: ``[--quick] [--rounds N] [--only NAME]``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small suites, one round")
    parser.add_argument("--rounds", type=int, help="timed rounds per benchmark")
    parser.add_argument("--only", action="append", default=[], choices=list(benchmarks))
    args = parser.parse_args()
    set_mode(args.quick, args.rounds)
    outcome = run_benchmarks(benchmarks, args.quick, args.only)
    print("\n".join(outcome.sections))
    print(findings_table(outcome.findings))
