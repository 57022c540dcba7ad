"""Determinism runs against pytest-repeat, and what fresh-interpreter runs cost.

* 1,000 deterministic tests run 3 times (``--determinism-runs=3``) against the same
  tests under pytest-repeat ``--count 3`` (which repeats them but compares nothing);
* 200 (and 20) deterministic tests gated with ``determinism_processes = 2`` against
  the same without processes, and against 2 extra in-process runs
  (``determinism_runs = 3``): the added time is fitted as a fixed start-up plus a cost
  per test, and the per-test cost is compared with that of the in-process runs.

Hypothesis's plugin stays on in these runs for every contender: the gate derandomizes
Hypothesis whenever it is installed, as it is for a project that uses it.

    python bench/bench_determinism.py [--quick] [--only repeat|processes]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Contender, Finding, Outcome, cli, compare, only, ratio, report, rounds_for

PER_FILE = 100

COMPUTE = '''
import pytest


def compute(n):
    """A little deterministic work: a sorted word count and a checksum."""
    words = [f"w{(n * 7 + i * 13) % 97}" for i in range(200)]
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return {"n": n, "top": sorted(counts.items())[:10], "sum": sum(map(len, words))}
'''

#: the same test body for both tools; pytest-graduation also records what it computed
GRADUATION_TEST = (
    "@pytest.mark.deterministic\ndef test_{n}(observe):\n"
    "    value = compute({n})\n    assert value['n'] == {n}\n    observe(value)\n"
)
REPEAT_TEST = "def test_{n}():\n    value = compute({n})\n    assert value['n'] == {n}\n"


def write_suite(root: Path, tests: int, test: str, config: str = "") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n" + config)
    for start in range(0, tests, PER_FILE):
        body = "".join(
            test.format(n=n) + "\n\n" for n in range(start, min(start + PER_FILE, tests))
        )
        (root / f"test_gen_{start // PER_FILE:03d}.py").write_text(f"{COMPUTE}\n\n{body}")


def versus_repeat(quick: bool) -> Outcome:
    tests, rounds = 200 if quick else 1000, rounds_for(1, 7)
    with tempfile.TemporaryDirectory(prefix="bench-determinism-") as folder:
        root = Path(folder)
        write_suite(root / "graduation", tests, GRADUATION_TEST)
        write_suite(root / "repeat", tests, REPEAT_TEST)
        ours, theirs = "pytest-graduation --determinism-runs=3", "pytest-repeat --count 3"
        contenders = [
            Contender(
                theirs,
                [*only("repeat", hypothesis=True), "--count", "3"],
                tests * 3,
                cwd=root / "repeat",
            ),
            Contender(
                ours,
                [*only("graduation", hypothesis=True), "--determinism-runs=3"],
                tests,
                cwd=root / "graduation",
            ),
            Contender(
                "pytest-graduation, one run (passive)",
                only("graduation", hypothesis=True),
                tests,
                cwd=root / "graduation",
            ),
        ]
        compare(contenders, root, rounds)
    measured = ratio(contenders, ours, theirs)
    return Outcome(
        [report(f"{tests} deterministic tests x 3 runs", contenders, theirs)],
        [
            Finding(
                f"{tests} deterministic tests x 3 runs (`--determinism-runs=3`)",
                "pytest-repeat `--count 3`",
                f"{measured:.3f}",
                "≤ 1.0",
                None if quick else measured <= 1.0,
            )
        ],
    )


CONFIGS = {
    "1 run": "[criteria.alpha]\ndeterminism_runs = 1\n",
    "1 run + 2 processes": "[criteria.alpha]\ndeterminism_runs = 1\ndeterminism_processes = 2\n",
    "3 runs": "[criteria.alpha]\ndeterminism_runs = 3\n",
}


def processes(quick: bool) -> Outcome:
    sizes, rounds = (10, 50) if quick else (20, 200), rounds_for(1, 5)
    small, large = sizes
    medians: dict[tuple[int, str, str], float] = {}
    sections: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-determinism-processes-") as folder:
        for size in sizes:
            root = Path(folder) / f"suite-{size}"
            write_suite(root, size, GRADUATION_TEST)
            contenders = []
            for index, (name, text) in enumerate(CONFIGS.items()):
                if size == small and name == "3 runs":
                    continue
                (root / f"config{index}.toml").write_text(text)
                args = [
                    *only("graduation", hypothesis=True),
                    "--graduation=alpha",
                    f"--graduation-config=config{index}.toml",
                ]
                contenders.append(Contender(name, args, size))
            compare(contenders, root, rounds)
            for contender in contenders:
                for what in ("wall", "cpu"):
                    medians[(size, contender.name, what)] = contender.median(what)
            title = f"{size} deterministic tests, gated: fresh-interpreter runs"
            sections.append(report(title, contenders, "1 run"))
    fits = {what: _fit(medians, sizes, what) for what in ("wall", "cpu")}
    rows = ["| quantity | wall | CPU (whole process tree) |", "| --- | --- | --- |"]
    labels = (
        f"added by 2 processes, {small} tests (s)",
        f"added by 2 processes, {large} tests (s)",
        "fitted fixed start-up of the 2 interpreters (s)",
        "fitted cost per test, both process runs (ms)",
        "cost per test, 2 extra in-process runs (ms)",
        "per-test ratio, processes / in-process",
    )
    for number, label in enumerate(labels):
        shown = [_shown(fits[what][number], number) for what in ("wall", "cpu")]
        rows.append(f"| {label} | {shown[0]} | {shown[1]} |")
    sections.append(
        "### Cost of `determinism_processes = 2`, fitted\n\n"
        "The added time is fitted as `fixed + tests x per_test` through the two suite "
        "sizes; the goal compares `per_test` with the cost per test of 2 extra in-process "
        "runs (`determinism_runs = 3` minus `determinism_runs = 1`). Judged on CPU time, "
        "which the machine's load disturbs far less than wall time.\n\n" + "\n".join(rows) + "\n"
    )
    _, _, fixed, per_test, in_process, _ = fits["cpu"]
    wall = fits["wall"]
    return Outcome(
        sections,
        [
            Finding(
                f"{large} deterministic tests, `determinism_processes = 2`",
                "the same without processes",
                f"CPU: {fixed:.2f} s start-up + {per_test * 1e3:.2f} ms/test vs "
                f"{in_process * 1e3:.2f} ms/test in-process (wall: {wall[2]:.2f} s + "
                f"{wall[3] * 1e3:.2f} ms/test vs {wall[4] * 1e3:.2f})",
                "per test < 2x in-process, plus a fixed start-up",
                None if quick else per_test < 2 * in_process,
            )
        ],
    )


def _fit(
    medians: dict[tuple[int, str, str], float], sizes: tuple[int, int], what: str
) -> tuple[float, float, float, float, float, float]:
    small, large = sizes
    extra = {
        size: medians[(size, "1 run + 2 processes", what)] - medians[(size, "1 run", what)]
        for size in sizes
    }
    per_test = (extra[large] - extra[small]) / (large - small)
    fixed = extra[small] - small * per_test
    in_process = (medians[(large, "3 runs", what)] - medians[(large, "1 run", what)]) / large
    ratio_ = per_test / in_process if in_process > 0 else float("nan")
    return extra[small], extra[large], fixed, per_test, in_process, ratio_


def _shown(value: float, number: int) -> str:
    if number in (3, 4):
        return f"{value * 1e3:.2f}"
    return f"{value:+.3f}" if number < 2 else f"{value:.3f}" if number == 2 else f"{value:.2f}"


BENCHMARKS = {"repeat": versus_repeat, "processes": processes}


if __name__ == "__main__":
    cli(BENCHMARKS, __doc__)
