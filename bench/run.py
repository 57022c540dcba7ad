"""Run every benchmark of pytest-graduation against its peers, in one command.

    python bench/run.py            # full run (about 15 minutes on an idle 2-core machine)
    python bench/run.py --quick    # smoke run: small suites, one round (about 2 minutes)
    python bench/run.py --only overhead --only dict --rounds 5 --output results.md

Needs the ``bench`` extra (``pip install -e ".[bench]"``: syrupy, pytest-regressions,
pytest-repeat). Prints a Markdown report: the load of the machine before and after, one
table per benchmark (medians of alternating rounds, ratios to the compared run) and a
summary of every goal, met or missed. Quick mode sizes and rounds are too small to
judge goals: it checks that every benchmark still runs and passes.
"""

from __future__ import annotations

import argparse
import atexit
import compileall
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_determinism
import bench_goldens
import bench_ladder
import bench_overhead
import bench_scale
from _harness import Finding, Outcome, findings_table, run_benchmarks, set_mode

HERE = Path(__file__).resolve().parent
REPOSITORY_BUDGET = 3.0
_ADDED = re.compile(r"cold criteria add (-?[0-9.]+)s median (wall|cpu)")


def repository(quick: bool) -> Outcome:
    """``bench_repository.py`` (its own harness), run as it is; its verdict lines parsed."""
    rounds = os.environ.get("BENCH_ROUNDS") or ("1" if quick else "5")
    command = [sys.executable, str(HERE / "bench_repository.py"), "--rounds", rounds]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_repository.py failed:\n{done.stdout}\n{done.stderr}")
    added = {kind: float(value) for value, kind in _ADDED.findall(done.stdout)}
    section = (
        "### Repository criteria (`bench/bench_repository.py`)\n\n"
        f"```\n$ python bench/bench_repository.py --rounds {rounds}\n{done.stdout.strip()}\n```\n"
    )
    wall, cpu = added.get("wall", float("nan")), added.get("cpu", float("nan"))
    finding = Finding(
        "2,000-file / 250,000-line tree, `line_limit` + `compile` + 2 `source_rules` (cold)",
        "session without them",
        f"{wall:+.2f} s wall, {cpu:+.2f} s CPU",
        "< 3 s added",
        None if quick else wall < REPOSITORY_BUDGET,
    )
    return Outcome([section], [finding])


BENCHMARKS: dict[str, Callable[[bool], Outcome]] = {
    **bench_overhead.BENCHMARKS,
    **bench_goldens.BENCHMARKS,
    **bench_determinism.BENCHMARKS,
    **bench_ladder.BENCHMARKS,
    **bench_scale.BENCHMARKS,
    "repository": repository,
}


def _use_committed_code() -> str:
    """Time ``pytest_graduation`` as committed in HEAD, not the working tree: others
    may be half-way through an edit. Exports it to a temporary folder that every
    child finds first on ``PYTHONPATH`` (the editable install still provides the
    entry point). Returns the commit."""
    root = HERE.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    if not commit:
        print("not a git checkout: timing the working tree", file=sys.stderr)
        return "working tree"
    folder = tempfile.mkdtemp(prefix="bench-package-")
    atexit.register(shutil.rmtree, folder, True)
    archive = subprocess.run(
        ["git", "archive", "HEAD", "pytest_graduation"], cwd=root, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    compileall.compile_dir(folder, quiet=1)  # as an installed package would be
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = folder + (os.pathsep + previous if previous else "")
    os.environ["BENCH_COMMIT"] = commit
    return commit


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} CPUs"


def _versions() -> str:
    import pytest

    found = [f"Python {platform.python_version()}", f"pytest {pytest.__version__}"]
    from importlib.metadata import PackageNotFoundError, version

    for name in ("pytest-graduation", "syrupy", "pytest-regressions", "pytest-repeat"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small suites, one round each")
    parser.add_argument("--rounds", type=int, help="override the timed rounds of every benchmark")
    parser.add_argument("--only", action="append", default=[], choices=list(BENCHMARKS))
    parser.add_argument("--skip", action="append", default=[], choices=list(BENCHMARKS))
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--working-tree",
        action="store_true",
        help="time the package as it is in the working tree (default: as committed in HEAD)",
    )
    args = parser.parse_args()
    set_mode(args.quick, args.rounds)
    if not args.working_tree:
        _use_committed_code()
    which = [name for name in (args.only or list(BENCHMARKS)) if name not in args.skip]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = _load()
    clock = time.perf_counter()
    outcome = run_benchmarks(BENCHMARKS, args.quick, which)
    minutes = (time.perf_counter() - clock) / 60
    mode = "quick (smoke: sizes and rounds too small to judge goals)" if args.quick else "full"
    lines = [
        f"## Benchmark results ({mode})",
        "",
        f"- started {started}, took {minutes:.1f} min",
        f"- {_versions()}; package as of commit {os.environ.get('BENCH_COMMIT', 'working tree')}",
        f"- load average before: {load_before}; after: {_load()}",
        "",
        findings_table(outcome.findings),
        *outcome.sections,
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    missed = [f for f in outcome.findings if f.met is False]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
