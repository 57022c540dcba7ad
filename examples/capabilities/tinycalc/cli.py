"""``python -m tinycalc.cli "1 + 2"`` prints 3."""

from __future__ import annotations

import sys

from tinycalc import evaluate, parse


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: tinycalc EXPRESSION", file=sys.stderr)
        return 2
    print(evaluate(parse(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
