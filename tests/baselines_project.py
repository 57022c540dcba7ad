"""The throwaway projects of the baselines tests (``test_baselines_integration.py``,
``test_baselines_benchmarks.py``): a benchmarked test, the configuration, and runs in
a fresh interpreter (``runpytest_subprocess``) where coverage must not share the outer
run's tracer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import Project, check_schema

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


@pytest.fixture
def benchmarks_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions started here may time benchmarks even when this suite runs under
    ``-n 2``: pytest-benchmark switches itself off wherever ``$PYTEST_XDIST_WORKER``
    is set, and an xdist worker passes it on to every session it starts."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def setup(project: Project, criteria: str) -> None:
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
    if data:
        check_schema(data)
    return result, data


def baseline(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.path / NAME).read_text(encoding="utf-8"))
    return data
