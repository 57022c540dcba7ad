"""Baselines on real sessions: pytest-cov's measurement and pytest-benchmark's results
recorded by ``--update-baseline`` and judged by ``coverage_baseline`` and
``benchmarks``.

Until the lead wires the feature, each project's ``conftest.py`` does what the wiring
will do: it adds the feature to the registry (so ``[tool.graduation]`` accepts its
keys and its criteria are built in) and registers ``--update-baseline``. Every run
is a fresh interpreter (``runpytest_subprocess``): an inline run would share the
outer run's tracer, and the registry change stays in that interpreter.

The benchmarked function's cost is a loop count read from ``$BENCH_LOOPS``, so the
one timing assertion (25 times the work against 5 times allowed) holds on a busy
machine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import Project, criterion

WIRING = """
    from pytest_graduation import baselines, features, wiring

    _ORIGINAL = features.registry


    def _registered():
        return (*_ORIGINAL(), baselines.FEATURE)


    def _use(registry):
        features.registry = wiring.registry = registry
        for cached in (features.criterion_keys, features.global_keys,
                       features.builtin_criteria_names):
            cached.cache_clear()


    _use(_registered)


    def pytest_addoption(parser):
        baselines.add_option(parser)


    def pytest_unconfigure(config):
        _use(_ORIGINAL)
"""
BENCH_TEST = """
    import os


    def work(loops):
        total = 0
        for i in range(loops):
            total += i * i
        return total


    def test_work(benchmark):
        benchmark(work, int(os.environ.get("BENCH_LOOPS", "2000")))


    def test_plain():
        assert work(3) == 5
"""
#: fast benchmarks: a few rounds are enough for a 25-times difference
QUICK = ("--benchmark-max-time=0.05", "--benchmark-min-rounds=5", "--benchmark-warmup=off")
NAME = "graduation-baseline.json"
BENCH = "tests/test_bench.py::test_work"


def setup(project: Project, criteria: str) -> None:
    project.write("conftest.py", WIRING)
    project.config(
        f"""
        [tool.pytest.ini_options]
        pythonpath = ["."]

        [tool.graduation.criteria.alpha]
        {criteria}
        """
    )


def run(project: Project, *args: str) -> pytest.RunResult:
    return project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", *args
    )


def gate(project: Project, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    report = project.path / "graduation-report.json"
    report.unlink(missing_ok=True)
    result = run(project, "--graduation=alpha", f"--graduation-report={report}", *args)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, data


def baseline(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.path / NAME).read_text(encoding="utf-8"))
    return data


def test_a_benchmark_five_times_slower_than_its_baseline_is_unmet(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(project, "benchmark_regression = 400")
    project.write("tests/test_bench.py", BENCH_TEST)
    monkeypatch.setenv("BENCH_LOOPS", "2000")
    result = run(project, "--update-baseline", *QUICK)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*= graduation: baseline =*",
            f"benchmark new: {BENCH} *s",
            "coverage: not recorded (not measured: pytest-cov is not active*",
            f"baseline written to {NAME}",
        ]
    )
    recorded = baseline(project)
    assert list(recorded["benchmarks"]) == [BENCH]  # the plain test is no benchmark
    stats = recorded["benchmarks"][BENCH]
    assert sorted(stats) == ["mean", "median", "min", "rounds", "stddev"]
    assert stats["rounds"] >= 5 and 0 < stats["min"] <= stats["median"]
    assert recorded["machine_info"]["python_version"]  # pytest-benchmark's own
    assert "coverage" not in recorded

    _, report = gate(project, *QUICK)
    met = criterion(report, "benchmarks")
    assert (met["status"], met["measured"]) == ("met", "1/1 within +400%"), met

    monkeypatch.setenv("BENCH_LOOPS", "50000")  # 25 times the work
    result, report = gate(project, *QUICK)
    slower = criterion(report, "benchmarks")
    assert (slower["status"], slower["measured"]) == ("unmet", "0/1 within +400%")
    (detail,) = slower["details"]
    assert detail.startswith(f"{BENCH}: ") and detail.endswith("more than the 5.00x allowed")
    assert result.ret == 1


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("--benchmark-disable",), "pytest-benchmark is disabled (--benchmark-disable)"),
        (("--benchmark-skip",), "--benchmark-skip skipped the benchmarks"),
        (("-n", "2"), "pytest-benchmark switches itself off under pytest-xdist"),
        (("-p", "no:benchmark"), "pytest-benchmark is disabled (-p no:benchmark)"),
    ],
)
def test_benchmarks_that_cannot_run_are_unmet_with_the_hint(
    project: Project, args: tuple[str, ...], why: str
) -> None:
    setup(project, "benchmark_regression = 1000")
    stats = {"min": 1.0, "median": 1.0, "mean": 1.0, "stddev": 0.0, "rounds": 1}
    project.write(NAME, json.dumps({"schema_version": 1, "benchmarks": {BENCH: stats}}))
    if "no:benchmark" in args:  # no benchmark fixture then: a test that needs none
        project.write("tests/test_bench.py", "def test_work():\n    pass\n")
    else:
        project.write("tests/test_bench.py", BENCH_TEST)
    result, report = gate(project, *QUICK[:1] if "no:benchmark" not in args else (), *args)
    found = criterion(report, "benchmarks")
    assert found["status"] == "unmet"
    assert found["details"][0].startswith(why), found["details"]
    assert found["details"][-1] == "1 recorded benchmark(s) did not run"
    assert result.ret == 1


PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/core.py": """
        def add(a, b):
            return a + b


        def sub(a, b):
            return a - b
    """,
    "tests/test_core.py": """
        from pkg.core import add, sub


        def test_add():
            assert add(1, 2) == 3


        def test_sub():
            assert sub(2, 1) == 1
    """,
}


def test_coverage_recorded_then_held(project: Project, dist: list[str]) -> None:
    setup(project, "coverage_baseline = 0")
    for path, text in PACKAGE.items():
        project.write(path, text)
    result = run(project, "--update-baseline", "--cov=pkg", *dist)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["coverage: recorded total 100 and 2 file(s)", f"baseline written to {NAME}"]
    )
    assert baseline(project)["coverage"] == {
        "files": {"pkg/__init__.py": 100.0, "pkg/core.py": 100.0},
        "kind": "lines",
        "precision": 0,
        "total": 100.0,
    }
    _, report = gate(project, "--cov=pkg", *dist)
    assert criterion(report, "coverage_baseline")["status"] == "met"

    # a test removed: core.py (the only statements) drops to 75%
    project.write(
        "tests/test_core.py", PACKAGE["tests/test_core.py"].split("\n\n\n        def test_sub")[0]
    )
    result, report = gate(project, "--cov=pkg", *dist)
    dropped = criterion(report, "coverage_baseline")
    assert (dropped["status"], dropped["measured"], dropped["required"]) == ("unmet", 75.0, 100.0)
    assert dropped["details"][1:] == ["total: 100 -> 75", "pkg/core.py: 100 -> 75"]
    assert result.ret == 1

    result = run(project, "--update-baseline", "--cov=pkg", *dist)
    result.stdout.fnmatch_lines(
        ["coverage total: 100 -> 75 (-25)", "coverage down: pkg/core.py 100 -> 75 (-25)"]
    )
    assert baseline(project)["coverage"]["total"] == 75.0


def test_update_baseline_with_graduation_is_a_usage_error(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = run(project, "--update-baseline", "--graduation=alpha")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--update-baseline cannot be combined with --graduation*"])
    assert not (project.path / NAME).exists()


def test_a_failing_session_writes_no_baseline(project: Project) -> None:
    setup(project, "")
    for path, text in PACKAGE.items():
        project.write(path, text)
    project.write("tests/test_fails.py", "def test_fails():\n    assert False\n")
    result = run(project, "--update-baseline", "--cov=pkg")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*baseline not written: the session did not pass (exit code 1)*"])
    assert not (project.path / NAME).exists()


def test_nothing_measured_writes_nothing_and_fails(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = run(project, "--update-baseline", "-p", "no:benchmark")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["*baseline not written: nothing to record: coverage: *"])
    assert not (project.path / NAME).exists()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'baseline = "../elsewhere.json"',
            "baseline: expected a file path relative to the rootdir",
        ),
        (
            "[tool.graduation.criteria.beta]\ncoverage_baseline = -1",
            "expected a finite number >= 0",
        ),
        ("[tool.graduation.criteria.beta]\nbenchmark_regression = inf", "a finite number >= 0"),
    ],
)
def test_bad_baseline_settings_are_usage_errors(project: Project, toml: str, message: str) -> None:
    project.write("conftest.py", WIRING)
    project.config(f"[tool.graduation]\n{toml}\n")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = run(project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
