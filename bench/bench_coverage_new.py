"""Coverage of changed lines: ``coverage_new``'s core side by side with diff-cover.

Generates a throwaway git repository (``pkg/``: MODULES modules of about 200 lines,
a driver that imports them all and calls every other function), a branch ``feat``
off ``main`` with committed, staged, unstaged and untracked changes (one untracked
module never imported), while ``main`` moves on. One ``python -m coverage run`` of
the driver gives the data file, ``coverage xml`` the Cobertura file diff-cover
reads. Then, alternating, several rounds, each in a fresh interpreter:

* ``diff-cover``: ``diff-cover coverage.xml --compare-branch=main
  --include-untracked --format json:...`` (untracked files are part of SPEC
  section 16's changed lines, so diff-cover is asked to include them too);
* ``ours``: load the data file, ``changed_lines`` + ``measure_new_code`` +
  ``judge_new_coverage``, print the verdict.

``ours`` pays for importing pytest (``coverage/measure.py`` imports it) and
coverage.py, which a live gate has loaded already, so the in-process time of the
same work is reported as well. Prints both tools' changed-line counts and
percentages and the median per-round wall-time ratio (goal: at most 0.5).

Needs diff-cover (the ``bench`` extra).

    python bench/bench_coverage_new.py [--rounds 7] [--modules 300] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL = 0.5
FUNCTIONS = 20  # per module, 10 lines each

OURS = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
import coverage
from pytest_graduation.coverage.new_code import (
    from_measurement, judge_new_coverage, measure_new_code)
imported = time.perf_counter()
root = Path(sys.argv[1])
cov = coverage.Coverage(data_file=str(root / ".coverage"))
cov.load()
measurement = measure_new_code(cov, root, sys.argv[2])
result = judge_new_coverage(*from_measurement(measurement), 0)
done = time.perf_counter()
files = measurement["files"]
total = sum(len(set(f["changed"]) & set(f["statements"])) for f in files.values())
missing = sum(len(set(f["changed"]) & set(f["missing"])) for f in files.values())
print(json.dumps({"measured": result.measured, "lines": total, "violations": missing,
                  "details": list(result.details), "work": done - imported,
                  "files": {p: sorted(set(f["changed"]) & set(f["statements"]))
                            for p, f in files.items()}}))
"""


def module_text(index: int, changed: bool) -> str:
    lines = [f'"""Module {index}."""', ""]
    for function in range(FUNCTIONS):
        step = f"{function} + 1" if changed and function in (2, 3) else f"{function}"
        lines += [
            "",
            f"def func_{index}_{function}(a, b=2):",
            f"    total = a * {step}",
            "    for j in range(b):",
            "        total += j",
            "    result = max(",
            "        total,",
            f"        {function + (100 if changed and function == 5 else 0)},",
            "    )",
            "    return result",
        ]
    if changed:  # a new, uncalled function
        lines += ["", f"def added_{index}(x):", "    if x:", "        return x * 2", "    return 0"]
    return "\n".join(lines) + "\n"


def driver(modules: int) -> str:
    calls = [
        f"pkg.mod{i:04d}.func_{i}_{f}(1)" for i in range(modules) for f in range(0, FUNCTIONS, 2)
    ]
    imports = [f"import pkg.mod{i:04d}" for i in range(modules)]
    return "\n".join(["import pkg", *imports, *calls, "import pkg.extra"]) + "\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def generate(root: Path, modules: int) -> int:
    """The repository; returns how many modules ``feat`` changes."""
    os.environ.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for i in range(modules):
        (pkg / f"mod{i:04d}.py").write_text(module_text(i, False))
    (pkg / "extra.py").write_text("E = 1\n")
    (root / "drive.py").write_text(driver(modules))
    (root / ".gitignore").write_text(".coverage\ncoverage.xml\ndiff-cover.json\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feat")
    git(root, "checkout", "-q", "main")
    (pkg / "mod0000.py").write_text(module_text(0, False) + "LATER = 1\n")
    git(root, "commit", "-q", "-am", "main moves on")
    git(root, "checkout", "-q", "feat")
    changed = max(4, modules // 5)
    for i in range(changed):
        (pkg / f"mod{i:04d}.py").write_text(module_text(i, True))
        if i < changed // 2:  # committed; then staged; the rest stay unstaged
            git(root, "add", f"pkg/mod{i:04d}.py")
        if i == changed // 2 - 1:
            git(root, "commit", "-q", "-m", "half of the changes")
        elif i == changed * 3 // 4:
            git(root, "add", "-u")
    (pkg / "extra.py").write_text("E = 1\nF = 2\n")
    (pkg / "untracked_used.py").write_text("U = 1\n\n\ndef u():\n    return U\n")
    (pkg / "untracked_never.py").write_text("N = 1\n\n\ndef n():\n    return N\n")
    with (root / "drive.py").open("a") as out:
        out.write("import pkg.untracked_used\n")
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--source=pkg", "drive.py"], cwd=root, check=True
    )
    subprocess.run(
        [sys.executable, "-m", "coverage", "xml", "-q", "-o", "coverage.xml"], cwd=root, check=True
    )
    return changed


def time_diff_cover(root: Path, exe: str) -> tuple[float, dict[str, Any]]:
    report = root / "diff-cover.json"
    command = [
        exe,
        "coverage.xml",
        "--compare-branch=main",
        "--include-untracked",
        f"--format=json:{report}",
        "-q",
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=root, check=True, capture_output=True)
    wall = time.perf_counter() - start
    return wall, json.loads(report.read_text())


def time_xml(root: Path) -> float:
    """``coverage xml``: the step diff-cover needs first and ``ours`` does not."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "coverage", "xml", "-q", "-o", "coverage.xml"]
    subprocess.run(command, cwd=root, check=True, capture_output=True)
    return time.perf_counter() - start


def time_ours(root: Path) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", OURS, str(root), "main"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return wall, json.loads(done.stdout)


def shared_analysis(root: Path) -> tuple[Any, dict[str, Any]]:
    """A loaded ``Coverage`` and the analyses the live gate's pass measuring the total
    hands on (``measure(..., lines=...)``, as ``CoverageReader`` and ``merge
    --coverage-file`` do), made untimed."""
    import coverage

    from pytest_graduation.coverage.measure import measure

    cov = coverage.Coverage(data_file=str(root / ".coverage"))
    cov.load()
    analysed: dict[str, Any] = {}
    measure(cov, root, lines=analysed)
    return cov, analysed


def time_total(root: Path) -> float:
    """In process: the pass measuring the total (the ``coverage`` criterion's), which a
    gate with ``--cov`` pays anyway; its analyses are what ``coverage_new`` reuses."""
    import coverage

    from pytest_graduation.coverage.measure import measure

    cov = coverage.Coverage(data_file=str(root / ".coverage"))
    cov.load()
    start = time.perf_counter()
    measure(cov, root, lines={})
    return time.perf_counter() - start


def time_shared(root: Path, cov: Any, analysed: dict[str, Any]) -> float:
    """In process: ``measure_new_code`` given the analyses, and the judging."""
    from pytest_graduation.coverage.new_code import (
        from_measurement,
        judge_new_coverage,
        measure_new_code,
    )

    start = time.perf_counter()
    measurement = measure_new_code(cov, root, "main", analysed=analysed)
    judge_new_coverage(*from_measurement(measurement), 0)
    return time.perf_counter() - start


def compare_counts(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Per-file differences in the changed executable lines the two tools counted."""
    their_files = {
        path: set(stats.get("covered_lines", [])) | set(stats.get("violation_lines", []))
        for path, stats in theirs["src_stats"].items()
    }
    lines = []
    for path in sorted(set(their_files) | set(ours["files"])):
        mine, other = set(ours["files"].get(path, [])), their_files.get(path, set())
        if mine != other:
            lines.append(
                f"  {path}: only ours {sorted(mine - other)}, "
                f"only diff-cover {sorted(other - mine)}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--modules", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="generate the repository here and keep it")
    args = parser.parse_args()
    exe = shutil.which("diff-cover") or str(Path(sys.executable).with_name("diff-cover"))
    if not Path(exe).exists():
        raise SystemExit("diff-cover is not installed: pip install -e '.[bench]'")
    with tempfile.TemporaryDirectory(prefix="bench-coverage-new-") as scratch:
        root = (args.keep or Path(scratch)).resolve()
        changed = generate(root, args.modules)
        print(f"repository: {args.modules + 3} modules, {changed} changed, 2 untracked, in {root}")
        time_diff_cover(root, exe), time_ours(root)  # warm-up: disk caches, bytecode
        walls: dict[str, list[float]] = {"diff-cover": [], "ours": [], "coverage xml": []}
        cov, analysed = shared_analysis(root)
        shared: list[float] = []
        totals: list[float] = []
        work: list[float] = []
        for number in range(args.rounds):
            order = ["diff-cover", "ours"] if number % 2 == 0 else ["ours", "diff-cover"]
            walls["coverage xml"].append(time_xml(root))
            shared.append(time_shared(root, cov, analysed))
            totals.append(time_total(root))
            for name in order:
                if name == "ours":
                    wall, ours = time_ours(root)
                    work.append(ours["work"])
                else:
                    wall, theirs = time_diff_cover(root, exe)
                walls[name].append(wall)
        ratios = [o / d for o, d in zip(walls["ours"], walls["diff-cover"], strict=True)]
        print(
            f"diff-cover: {theirs['total_num_lines']} changed lines, "
            f"{theirs['total_num_violations']} uncovered, "
            f"{theirs['total_percent_covered']}% covered"
        )
        print(
            f"ours:       {ours['lines']} changed lines, {ours['violations']} uncovered, "
            f"{ours['measured']}"
        )
        differences = compare_counts(ours, theirs)
        print("count differences:" if differences else "count differences: none")
        print(
            "\n".join(
                differences[:10]
                + ([f"  ... {len(differences) - 10} more"] if len(differences) > 10 else [])
            )
        )
        for name, values in walls.items():
            print(
                f"{name}: median wall {statistics.median(values):.3f} s over {args.rounds} rounds"
            )
        print(
            f"ours in process (pytest and coverage.py already imported, as in a live gate): "
            f"median {statistics.median(work):.3f} s"
        )
        print(
            "ours in process, analyses shared with the total's pass (measure_new_code("
            f"analysed=...)): median {statistics.median(shared):.3f} s, ratio to diff-cover "
            f"{statistics.median(shared) / statistics.median(walls['diff-cover']):.2f}"
        )
        print(
            "the total's pass those analyses come from (paid by every gate with --cov): "
            f"median {statistics.median(totals):.3f} s"
        )
        ratio = statistics.median(ratios)
        pipeline = statistics.median(
            o / (d + x)
            for o, d, x in zip(
                walls["ours"], walls["diff-cover"], walls["coverage xml"], strict=True
            )
        )
        print(f"wall-time ratio ours / (coverage xml + diff-cover): {pipeline:.2f}")
        in_process = statistics.median(work) / statistics.median(walls["diff-cover"])
        print(
            f"wall-time ratio ours / diff-cover: {ratio:.2f} (fresh interpreter), "
            f"{in_process:.2f} (in process); goal <= {GOAL}: "
            f"{'met' if ratio <= GOAL else 'missed'} (fresh interpreter)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
