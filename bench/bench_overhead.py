"""Overhead of the plugin on a suite of trivial tests: passive and gating with the
default criteria, against ``-p no:graduation``; and how that cost grows with the
suite (1k, 3k, 10k tests).

    python bench/bench_overhead.py [--quick] [--rounds N] [--only overhead|scaling]
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Contender, Finding, Outcome, cli, compare, only, ratio, report, rounds_for

BASELINE = "without plugin (-p no:graduation)"
PASSIVE = "passive (installed)"
GATING = "--graduation=beta"


def make_suite(root: Path, tests: int, per_file: int = 100) -> None:
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    for index in range(0, tests, per_file):
        body = "".join(
            f"def test_{n}():\n    assert {n} == {n}\n\n"
            for n in range(index, min(index + per_file, tests))
        )
        (root / f"test_gen_{index // per_file:04d}.py").write_text(body)


#: results by suite size, so that the scaling benchmark reuses the overhead one's
_MEASURED: dict[int, list[Contender]] = {}


def measure(tests: int, rounds: int) -> list[Contender]:
    """The three contenders on ``tests`` trivial tests (peers' plugins off in all)."""
    if tests in _MEASURED:
        return _MEASURED[tests]
    others = only("graduation")  # no syrupy, pytest-regressions, pytest-repeat here
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as folder:
        root = Path(folder)
        make_suite(root, tests)
        contenders = [
            Contender(BASELINE, only(), tests),  # -p no:graduation, peers off
            Contender(PASSIVE, others, tests),
            Contender(GATING, [*others, "--graduation=beta"], tests),
        ]
        compare(contenders, root, rounds)
    _MEASURED[tests] = contenders
    return contenders


def overhead(quick: bool) -> Outcome:
    tests, rounds = 500 if quick else 3000, rounds_for(1, 11)
    contenders = measure(tests, rounds)
    passive, gating = ratio(contenders, PASSIVE, BASELINE), ratio(contenders, GATING, BASELINE)
    versus = "`-p no:graduation`"
    judged = None if quick else passive <= 1.03, None if quick else gating <= 1.05
    return Outcome(
        [report(f"{tests} trivial tests", contenders, BASELINE)],
        [
            Finding(
                f"{tests} trivial tests, passive", versus, f"{passive:.3f}", "≤ 1.03", judged[0]
            ),
            Finding(
                f"{tests} trivial tests, `--graduation=beta` default criteria",
                versus,
                f"{gating:.3f}",
                "≤ 1.05",
                judged[1],
            ),
        ],
    )


def _slope(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares line through (tests, seconds): (seconds per test, intercept)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def scaling(quick: bool) -> Outcome:
    sizes, rounds = (500, 1000) if quick else (1000, 3000, 10000), rounds_for(1, 5)
    table: dict[int, list[Contender]] = {}
    for size in sizes:
        print(f"scaling: {size} tests", file=sys.stderr, flush=True)
        table[size] = measure(size, rounds)
    names = [BASELINE, PASSIVE, GATING]
    lines = [
        "### Scaling with suite size",
        "",
        f"Medians of {rounds} alternating rounds per size (wall s / CPU s); ratios are medians "
        "of per-round ratios; `added` is the plugin's median minus the `-p no:graduation` "
        "median, per 1,000 tests.",
        "",
        "| tests | no plugin | passive | gating | passive ratio wall / CPU "
        "| gating ratio wall / CPU | gating added CPU ms per 1k tests |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size, contenders in table.items():
        shown = [f"{c.median():.2f} / {c.median('cpu'):.2f}" for c in contenders]
        ratios = [
            f"{ratio(contenders, name, BASELINE):.3f} / "
            f"{ratio(contenders, name, BASELINE, 'cpu'):.3f}"
            for name in (PASSIVE, GATING)
        ]
        extra = (contenders[2].median("cpu") - contenders[0].median("cpu")) / size * 1e6
        lines.append(f"| {size} | {' | '.join(shown)} | {' | '.join(ratios)} | {extra:.0f} |")
    lines += [
        "",
        "| run | least-squares CPU ms per test | intercept CPU s "
        "| marginal CPU ms/test by segment |",
        "| --- | --- | --- | --- |",
    ]
    verdicts: list[str] = []
    for index, name in enumerate(names):
        points = [(size, contenders[index].median("cpu")) for size, contenders in table.items()]
        slope, intercept = _slope(points)
        segments = [(b[1] - a[1]) / (b[0] - a[0]) * 1e3 for a, b in itertools.pairwise(points)]
        shown_segments = " → ".join(f"{s:.3f}" for s in segments)
        lines.append(f"| {name} | {slope * 1e3:.3f} | {intercept:.2f} | {shown_segments} |")
        if len(segments) > 1:
            verdicts.append(f"{name}: {segments[-1] / segments[0]:.2f}")
    added_rows = []
    for size, contenders in table.items():
        gating_ratio = ratio(contenders, GATING, BASELINE, "cpu")
        added_rows.append(f"{size}: {gating_ratio:.3f}")
    finding = Finding(
        "growth with suite size (" + ", ".join(str(s) for s in sizes) + ")",
        "`-p no:graduation`",
        "gating CPU ratio " + ", ".join(added_rows),
        "linear",
        None,
    )
    if verdicts:
        lines += [
            "",
            "Marginal CPU cost per test, last segment over first: " + "; ".join(verdicts),
        ]
    return Outcome(["\n".join(lines) + "\n"], [finding])


BENCHMARKS = {"overhead": overhead, "scaling": scaling}

if __name__ == "__main__":
    cli(BENCHMARKS, __doc__)
