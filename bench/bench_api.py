"""What ``api_frozen`` + ``api_documented`` add to a gated session, on a generated
50,000-line package, side by side with griffe's own command line.

Generates a throwaway project (``src/bigpkg``: 400 modules of 125 lines, each with
public functions, a class with methods, a private helper and constants, nine in ten
documented; ``tests/``: 200 small tests), writes ``api.lock`` once with
``pytest --freeze-api``, commits the tree to a local git repository (for ``griffe
check``), then runs, alternating, several rounds:

* ``baseline``: ``pytest --graduation=alpha`` judging only ``tests``;
* ``api``: the same with ``api_frozen = true`` and ``api_documented = 80`` (both met);
* ``griffe check``: ``griffe check bigpkg -s src --against HEAD`` (loads the package
  twice: the committed one and the working tree), exit 0 expected;
* ``griffe dump``: ``griffe dump bigpkg -s src`` (one load, no comparison).

Every run must end as expected (exit code, test count, the ``api`` run's two
criteria met). Prints the medians, what the api criteria add (``api`` minus
``baseline``), and the verdict against the 2-second budget.

    python bench/bench_api.py [--rounds 5] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

MODULES = 400
LINES_PER_MODULE = 125
TESTS = 200
BUDGET_SECONDS = 2.0

BASELINE = "[criteria.alpha]\n"
API = """
[api]
packages = ["bigpkg"]

[criteria.alpha]
api_frozen = true
api_documented = 80
"""


def module_text(index: int) -> str:
    """One module of exactly ``LINES_PER_MODULE`` lines; every tenth object has no
    docstring, so ``api_documented`` has something to count."""
    lines = [f'"""Module {index} of the API benchmark."""', ""]
    lines += ["from __future__ import annotations", "", "import os", ""]
    lines += [f"LIMIT_{index}: int = {index}", ""]
    lines += [
        "",
        f"class Service{index}:",
        f'    """Service {index}."""',
        "",
        "    def __init__(self, name: str, retries: int = 3) -> None:",
        "        self.name = name",
        "        self.retries = retries",
        "",
        "    def call(self, path: str, *, timeout: float = 1.0) -> bytes:",
        '        """Call the service."""',
        "        return (self.name + path + str(timeout)).encode()",
        "",
        "    @property",
        "    def label(self) -> str:",
        '        """The label."""',
        "        return self.name.upper()",
        "",
    ]
    function = 0
    while len(lines) + 8 <= LINES_PER_MODULE - 3:
        doc = "" if (index + function) % 10 == 0 else f'    """Compute thing {function}."""'
        lines += [
            "",
            f"def compute_{function}(a: int, b: int = 2, *args: int, **kwargs: str) -> int:",
            doc,
            "    values = [a * j for j in range(b) if j % 3]",
            "    if len(args) > 1 and os.sep:",
            f"        return sum(values) + {function}",
            "    return len(kwargs) + len(values)",
            "",
        ]
        function += 1
    lines += ["", "def _private_helper() -> None:", "    return None"]
    while len(lines) < LINES_PER_MODULE:
        lines.append(f"_CONSTANT_{len(lines)} = {index} * {len(lines)}")
    return "\n".join(lines[:LINES_PER_MODULE]) + "\n"


def generate(root: Path) -> int:
    """The project; returns the number of lines of the package."""
    package = root / "src" / "bigpkg"
    total = 0
    for index in range(MODULES):
        folder = package / f"part{index % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        init = folder / "__init__.py"
        if not init.exists():
            init.write_text(f'"""Part {index % 20}."""\n', encoding="utf-8")
            total += 1
        text = module_text(index)
        (folder / f"mod{index:03d}.py").write_text(text, encoding="utf-8")
        total += text.count("\n")
    (package / "__init__.py").write_text('"""The benchmark package."""\n', encoding="utf-8")
    tests = root / "tests"
    tests.mkdir()
    for number in range(TESTS // 10):
        body = "".join(f"\n\ndef test_{number}_{case}():\n    assert 1\n" for case in range(10))
        (tests / f"test_{number:02d}.py").write_text(body, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', encoding="utf-8"
    )
    (root / "baseline.toml").write_text(BASELINE, encoding="utf-8")
    (root / "api.toml").write_text(API, encoding="utf-8")
    return total + 1


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall and CPU time (the child and what it waited for), exit code, output."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        output = out.read()
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), output


def pytest_command(config: str, dist: list[str], *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        f"--graduation-config={config}",
        *dist,
        *extra,
    ]


def check_api_report(root: Path) -> None:
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    statuses = {c["name"]: c["status"] for c in report["criteria"]}
    wanted = {"tests": "met", "api_frozen": "met", "api_documented": "met"}
    if statuses != wanted or report["verdict"] != "ready":
        raise SystemExit(f"api run: expected {wanted}, got {statuses}")


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (0: serial)")
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-api-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        lines = generate(root)
        dist = ["-n", str(args.workers)] if args.workers else ["-p", "no:xdist"]
        wall, _, code, output = timed(pytest_command("api.toml", dist, "--freeze-api"), root)
        recorded = next((line for line in output.splitlines() if "objects recorded" in line), "")
        if code != 0 or not recorded:
            raise SystemExit(f"--freeze-api failed:\n{output}")
        print(f"package: {MODULES} modules, {lines} lines; {recorded} in {wall:.2f}s")
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "bench")
        report = f"--graduation-report={root / 'report.json'}"
        griffe = [sys.executable, "-m", "griffe"]
        variants: dict[str, tuple[list[str], str]] = {
            "baseline": (pytest_command("baseline.toml", dist, "--graduation=alpha"), "pytest"),
            "api": (pytest_command("api.toml", dist, "--graduation=alpha", report), "api"),
            "griffe check": ([*griffe, "check", "bigpkg", "-s", "src", "--against", "HEAD"], ""),
            "griffe dump": ([*griffe, "dump", "bigpkg", "-s", "src", "-o", os.devnull], ""),
        }
        walls: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        for number in range(args.rounds + 1):  # round 0 warms up caches, untimed
            order = list(variants) if number % 2 == 0 else list(reversed(variants))
            for name in order:
                command, kind = variants[name]
                wall, cpu, code, output = timed(command, root)
                if code != 0 or (kind and f"{TESTS} passed" not in output):
                    raise SystemExit(f"{name} failed (exit {code}):\n{output[-3000:]}")
                if kind == "api":
                    check_api_report(root)
                if number:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
            if number:
                shown = ", ".join(f"{n} {walls[n][-1]:.2f}s" for n in variants)
                print(f"  round {number}/{args.rounds}: {shown}", file=sys.stderr, flush=True)
        print(f"\nmedians of {args.rounds} alternating rounds after a warm-up round")
        print("| run | median wall s | median CPU s |\n| --- | --- | --- |")
        for name in variants:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
        added = [a - b for a, b in zip(walls["api"], walls["baseline"], strict=True)]
        added_cpu = [a - b for a, b in zip(cpus["api"], cpus["baseline"], strict=True)]
        print(
            f"\napi criteria add {statistics.median(added):.2f}s median wall "
            f"(per-round pairs), {statistics.median(added_cpu):.2f}s median cpu; "
            f"budget {BUDGET_SECONDS:.1f}s: "
            + ("met" if statistics.median(added) < BUDGET_SECONDS else "MISSED")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
