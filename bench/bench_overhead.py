"""Overhead of the plugin on a suite of trivial tests: passive and gating with the
default criteria, against ``-p no:graduation``.

    python bench/bench_overhead.py [--tests 3000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Contender, compare, report


def make_suite(root: Path, tests: int, per_file: int = 100) -> None:
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    for index in range(0, tests, per_file):
        body = "".join(
            f"def test_{n}():\n    assert {n} == {n}\n\n"
            for n in range(index, min(index + per_file, tests))
        )
        (root / f"test_gen_{index // per_file:04d}.py").write_text(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_suite(root, args.tests)
        contenders = [
            Contender("without plugin (-p no:graduation)", ["-p", "no:graduation"], args.tests),
            Contender("passive (installed)", [], args.tests),
            Contender("--graduation=beta", ["--graduation=beta"], args.tests),
        ]
        compare(contenders, root, args.rounds)
        print(report(f"{args.tests} trivial tests", contenders, contenders[0].name))


if __name__ == "__main__":
    main()
