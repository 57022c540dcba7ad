"""The throwaway projects of the baselines tests (``test_baselines_integration.py``,
``test_baselines_benchmarks.py``).

Until the lead wires the feature, a project's ``conftest.py`` does what the wiring
will do: :data:`WIRING` adds the feature to the registry (so ``[tool.graduation]``
accepts its keys and its criteria are built in) and registers ``--update-baseline``;
it serves runs in a fresh interpreter (``runpytest_subprocess``), where the change
stays. In-process runs use :data:`OPTION_ONLY` with the ``registered`` fixture,
which patches the registry of this process and restores it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Project
from pytest_graduation import baselines, features, wiring
from pytest_graduation.feature import Feature

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


OPTION_ONLY = """
    from pytest_graduation import baselines


    def pytest_addoption(parser):
        baselines.add_option(parser)
"""


def setup(project: Project, criteria: str, conftest: str = WIRING) -> None:
    project.write("conftest.py", conftest)
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


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The feature in this process's registry, as the lead's wiring will put it."""
    original = features.registry

    def clear() -> None:
        for cached in (features.criterion_keys, features.global_keys):
            cached.cache_clear()
        features.builtin_criteria_names.cache_clear()

    def with_baselines() -> tuple[Feature, ...]:
        return (*original(), baselines.FEATURE)

    monkeypatch.setattr(features, "registry", with_baselines)
    monkeypatch.setattr(wiring, "registry", with_baselines)
    clear()
    yield
    monkeypatch.undo()
    clear()
