"""Cost of the ladder (SPEC section 13): ``--graduation-ladder`` on 3,000 trivial tests
with four levels, each setting criteria, against ``--graduation=stable`` alone.

    python bench/bench_ladder.py [--quick] [--rounds N]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Contender, Finding, Outcome, cli, compare, only, ratio, report, rounds_for
from bench_overhead import make_suite

GATED = "--graduation=stable"
LADDER = "--graduation=stable --graduation-ladder"
GOAL = 1.02
#: a criterion or two per level; every level inherits the ones below it
CONFIG = """
[tool.pytest.ini_options]
markers = ["smoke"]

[tool.graduation.criteria.alpha]
max_skipped = 5

[tool.graduation.criteria.beta]
max_xfailed = 0

[tool.graduation.criteria.rc]
max_flaky = 0
required_markers = { smoke = 0 }

[tool.graduation.criteria.stable]
max_skipped = 0
"""


def ladder(quick: bool) -> Outcome:
    tests, rounds = 500 if quick else 3000, rounds_for(1, 11)
    others = only("graduation")
    with tempfile.TemporaryDirectory(prefix="bench-ladder-") as folder:
        root = Path(folder)
        make_suite(root, tests)
        (root / "pyproject.toml").write_text(CONFIG)
        contenders = [
            Contender(GATED, [*others, GATED], tests),
            Contender(LADDER, [*others, GATED, "--graduation-ladder"], tests),
        ]
        compare(contenders, root, rounds)
    wall, cpu = ratio(contenders, LADDER, GATED), ratio(contenders, LADDER, GATED, "cpu")
    judged = None if quick else wall <= GOAL
    return Outcome(
        [report(f"{tests} trivial tests, four levels", contenders, GATED)],
        [
            Finding(
                f"{tests} trivial tests, `--graduation-ladder` (four levels)",
                f"`{GATED}`",
                f"{wall:.3f} wall, {cpu:.3f} CPU",
                f"≤ {GOAL}",
                judged,
            )
        ],
    )


BENCHMARKS = {"ladder": ladder}

if __name__ == "__main__":
    cli(BENCHMARKS, __doc__)
