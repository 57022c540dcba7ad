"""What the repository criteria add to a session, on a tree of 2,000 Python files.

Generates a throwaway project (``src/``: 2,000 modules totalling 250,000 lines;
``tests/``: 200 small tests), then runs ``pytest --graduation=alpha`` on it with two
configurations, alternating, several rounds:

* ``baseline``: no repository criteria (only ``tests`` is judged);
* ``cold``: ``line_limit`` + ``compile`` + two ``source_rules``, with the compile
  cache deleted before each run, so every file is compiled;
* ``warm``: the same criteria with the cache on (sources that compiled before are
  not compiled again); a first warm-up run fills it.

Each run must pass with the expected test count. Prints the median wall time of
each variant and what the criteria add (median minus baseline median).

Optionally (``--thread-experiment``) a fourth variant measures the alternative
design of compiling in a background thread started at session start, with a
throw-away conftest plugin in the generated tree (the product does not do this).

    python bench/bench_repository.py [--rounds 5] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

FILES = 2000
LINES_PER_FILE = 125
TESTS = 200
BUDGET_SECONDS = 3.0

CRITERIA = """
[criteria.alpha]
line_limit = { "src/**/*.py" = 500 }
compile = ["src"]

[[criteria.alpha.source_rules]]
name = "no-print"
files = "src/**/*.py"
pattern = "^\\\\s*print\\\\("
message = "use logging"

[[criteria.alpha.source_rules]]
name = "no-todo"
files = "src/**"
pattern = "TODO|FIXME|XXX"
message = "open a ticket"
"""

THREAD_CONFTEST = """
import pathlib, threading, warnings

_results = {}

def _compile_all(root):
    bad = 0
    for path in sorted(root.glob("src/**/*.py")):
        try:
            compile(path.read_text(), str(path), "exec", dont_inherit=True)
        except SyntaxError:
            bad += 1
    _results["bad"] = bad

def pytest_sessionstart(session):
    if hasattr(session.config, "workerinput"):
        return  # the judging process compiles, as the gate would
    root = session.config.rootpath
    thread = threading.Thread(target=_compile_all, args=(root,), daemon=True)
    thread.start()
    _results["thread"] = thread

def pytest_sessionfinish(session):
    thread = _results.get("thread")
    if thread is not None:
        thread.join()
"""


def module_text(index: int) -> str:
    """One module of exactly ``LINES_PER_FILE`` lines; every module is different."""
    lines = [f'"""Module {index}: generated for the repository benchmark."""', "", "import os", ""]
    function = 0
    while len(lines) + 9 <= LINES_PER_FILE:
        lines += [
            "",
            f"def func_{index}_{function}(a, b=2, *args, **kwargs):",
            f'    """Compute thing {function} of module {index}."""',
            "    values = [a * j for j in range(b) if j % 3]",
            "    mapping = {str(k): v for k, v in kwargs.items()}",
            "    if len(args) > 1 and os.sep:",
            f"        return sum(values) + {function}",
            "    return {'values': values, 'mapping': mapping, 'n': len(args)}",
            "",
        ]
        function += 1
    while len(lines) < LINES_PER_FILE:
        lines.append(f"CONSTANT_{len(lines)} = {index} * {len(lines)}")
    return "\n".join(lines) + "\n"


def generate(root: Path, busy_tests: bool) -> None:
    for index in range(FILES):
        folder = root / "src" / f"pkg{index % 40:02d}" / f"sub{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{index:04d}.py").write_text(module_text(index), encoding="utf-8")
    tests = root / "tests"
    tests.mkdir()
    work = "sum(i * i for i in range(100000))" if busy_tests else "1"
    for number in range(TESTS // 10):
        body = "".join(
            f"\n\ndef test_{number}_{case}():\n    assert {work} >= 0\n" for case in range(10)
        )
        (tests / f"test_{number:02d}.py").write_text(body, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', encoding="utf-8"
    )
    (root / "baseline.toml").write_text("[criteria.alpha]\n", encoding="utf-8")
    (root / "criteria.toml").write_text(textwrap.dedent(CRITERIA), encoding="utf-8")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def calibrate(root: Path) -> tuple[float, float]:
    """Wall and CPU time of a bare ``compile()`` of every generated module, in this
    process: the floor of what the ``compile`` criterion can cost right now."""
    texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(root.glob("src/**/*.py"))]
    wall, cpu = time.perf_counter(), time.process_time()
    for path, text in texts:
        compile(text, str(path), "exec", dont_inherit=True)
    return time.perf_counter() - wall, time.process_time() - cpu


def run(root: Path, config: str, extra: list[str]) -> tuple[float, float]:
    """Run one session; return its wall time and the CPU time of its process tree."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "--graduation=alpha",
        f"--graduation-config={config}",
        *extra,
    ]
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if done.returncode != 0 or f"{TESTS} passed" not in done.stdout:
        raise SystemExit(f"run failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (0: serial)")
    parser.add_argument("--busy-tests", action="store_true", help="tests do ~10 ms of work each")
    parser.add_argument("--thread-experiment", action="store_true")
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-repository-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        generate(root, args.busy_tests)
        print(f"tree: {FILES} files, {FILES * LINES_PER_FILE} lines in {root / 'src'}")
        dist = ["-n", str(args.workers)] if args.workers else ["-p", "no:xdist"]
        variants: dict[str, tuple[str, list[str]]] = {
            "baseline": ("baseline.toml", dist),
            "cold": ("criteria.toml", dist),
            "warm": ("criteria.toml", dist),
        }
        if args.thread_experiment:
            (root / "thread_plugin.py").write_text(THREAD_CONFTEST, encoding="utf-8")
            variants["thread"] = ("baseline.toml", ["-p", "thread_plugin", *dist])
        run(root, "criteria.toml", dist)  # warm-up: fills the compile cache
        before = calibrate(root)
        times: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        for number in range(args.rounds):
            order = list(variants) if number % 2 == 0 else list(reversed(variants))
            for name in order:
                config, extra = variants[name]
                if name == "cold":
                    shutil.rmtree(root / ".pytest_cache" / "v" / "graduation", ignore_errors=True)
                wall, cpu = run(root, config, extra)
                times[name].append(wall)
                cpus[name].append(cpu)
            shown = ", ".join(f"{n} {times[n][-1]:.2f}s (cpu {cpus[n][-1]:.2f}s)" for n in variants)
            print(f"round {number + 1}: {shown}")
        after = calibrate(root)
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpus.items()}
    mode = f"-n {args.workers}" if args.workers else "serial"
    print(
        f"calibration, bare compile() of the tree in the benchmark process: "
        f"wall {before[0]:.2f}s / cpu {before[1]:.2f}s before the rounds, "
        f"wall {after[0]:.2f}s / cpu {after[1]:.2f}s after"
    )
    print()
    print(f"median of {args.rounds} alternating rounds ({mode}):")
    fastest = {name: min(values) for name, values in times.items()}
    head = ("variant", "wall", "adds", "cpu", "adds", "best wall", "adds")
    print("  {:9} {:>7} {:>7}  {:>7} {:>7}  {:>9} {:>7}".format(*head))
    for name, value in medians.items():
        cpu = cpu_medians[name]
        print(
            f"  {name:9} {value:6.2f}s {value - medians['baseline']:+6.2f}s"
            f"  {cpu:6.2f}s {cpu - cpu_medians['baseline']:+6.2f}s"
            f"  {fastest[name]:8.2f}s {fastest[name] - fastest['baseline']:+6.2f}s"
        )
    for what, table in (("wall", medians), ("cpu", cpu_medians)):
        added = table["cold"] - table["baseline"]
        verdict = "within" if added < BUDGET_SECONDS else "OVER"
        budget = f"{verdict} the {BUDGET_SECONDS:g}s budget"
        print(f"cold criteria add {added:.2f}s median {what}: {budget}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
