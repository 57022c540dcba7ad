"""Shared benchmark machinery: time commands alternately, check they passed, report
medians and ratios (never single absolute timings: these machines are noisy)."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PASSED = re.compile(r"(\d+) passed")


@dataclass
class Contender:
    name: str
    args: Sequence[str]
    expect_passed: int
    env: dict[str, str] = field(default_factory=dict)
    expect_exit: int = 0
    times: list[float] = field(default_factory=list)


def run_once(contender: Contender, cwd: Path) -> float:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **contender.env}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *contender.args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    passed = PASSED.findall(done.stdout)
    if (
        done.returncode != contender.expect_exit
        or not passed
        or int(passed[-1]) != (contender.expect_passed)
    ):
        raise SystemExit(
            f"{contender.name}: expected exit {contender.expect_exit} and "
            f"{contender.expect_passed} passed, got exit {done.returncode}\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return elapsed


def compare(contenders: Sequence[Contender], cwd: Path, rounds: int) -> None:
    """Run every contender ``rounds`` times, interleaved, after one warm-up each."""
    for contender in contenders:
        run_once(contender, cwd)
    for _ in range(rounds):
        for contender in contenders:
            contender.times.append(run_once(contender, cwd))


def report(title: str, contenders: Sequence[Contender], baseline: str) -> str:
    base = statistics.median(next(c for c in contenders if c.name == baseline).times)
    lines = [f"## {title}", "", f"| run | median s | ratio to {baseline} |", "| --- | --- | --- |"]
    for c in contenders:
        median = statistics.median(c.times)
        lines.append(f"| {c.name} | {median:.3f} | {median / base:.3f} |")
    return "\n".join(lines) + "\n"
