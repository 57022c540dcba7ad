"""Repeated runs of deterministic tests: how a flipped outcome is described for skips,
run 1's own failure in the message, and the run count next to a verbose word that a
plugin styles; pytest-benchmark in the same session."""

from __future__ import annotations

import json

import pytest

from conftest import Project

SKIPS_IN_RUN_2 = """
import pytest

RUNS = []

@pytest.mark.deterministic
def test_skips_later():
    RUNS.append(1)
    if len(RUNS) == 2:
        pytest.skip("no network in run 2")
"""


def test_a_skip_in_one_run_is_a_flipped_outcome_naming_the_reason(project: Project) -> None:
    project.write("test_det_skip.py", SKIPS_IN_RUN_2)
    result = project.run("--determinism-runs=2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the outcome flipped:",
            "*  run 1: passed",
            "*  run 2: skipped (Skipped: no network in run 2)",
        ]
    )


FAILS_DIFFERENTLY = """
import pytest

RUNS = []

@pytest.mark.deterministic
def test_counts(observe):
    RUNS.append(1)
    observe(len(RUNS))
    assert len(RUNS) > 5, "too few runs"
"""


def test_when_run_1_failed_the_message_keeps_its_failure(project: Project) -> None:
    project.write("test_det_fails.py", FAILS_DIFFERENTLY)
    result = project.run("--determinism-runs=2")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "not deterministic: run 2 differs from run 1: first differing value: observe:#1" in text
    assert "run 1 failed with:" in text
    assert text.index("run 1 failed with:") < text.index("AssertionError: too few runs")


STYLED_WORD = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report, config):
    if report.when == "call" and report.passed:
        return "passed", ".", ("FINE", {"green": True})
"""


@pytest.mark.parametrize("dist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_the_run_count_follows_a_styled_verbose_word(project: Project, dist: list[str]) -> None:
    project.write("conftest.py", STYLED_WORD)
    project.write(
        "test_det_ok.py",
        "import pytest\n\n@pytest.mark.deterministic\ndef test_ok(observe):\n    observe(1)\n",
    )
    result = project.run("--determinism-runs=3", "-v", *dist)
    result.assert_outcomes(passed=1)
    assert any("test_ok" in line and "FINE (3 runs)" in line for line in result.stdout.lines)


DIFFERS_BESIDE_A_BENCHMARK = """
import pytest

RUNS = []

@pytest.mark.deterministic
def test_counts(observe):
    RUNS.append(1)
    observe(len(RUNS))

@pytest.mark.deterministic
def test_timed(benchmark, observe):
    RUNS.append(1)
    observe(benchmark(len, RUNS))
"""


def test_a_difference_with_pytest_benchmark_active_is_a_failure_not_an_internal_error(
    project: Project, dist: list[str]
) -> None:
    # pytest-benchmark's makereport hook reads item.funcargs, which the last run's
    # teardown has set to None by the time the failure report is made
    pytest.importorskip("pytest_benchmark")
    project.write("test_det_bench.py", DIFFERS_BESIDE_A_BENCHMARK)
    result = project.run("--determinism-runs=2", "--benchmark-disable", *dist)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    for name in ("test_counts", "test_timed"):
        result.stdout.fnmatch_lines([f"FAILED*test_det_bench.py::{name} - Failed: not determ*"])


ONE_BENCHMARK = """
import pytest

@pytest.mark.deterministic
def test_timed(benchmark, observe):
    observe(benchmark(sum, [1, 2]))
"""


def test_a_deterministic_benchmark_is_one_result_not_one_per_run(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_benchmark")
    # pytest-benchmark is off wherever $PYTEST_XDIST_WORKER is set (this suite under -n)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    project.write("test_det_bench.py", ONE_BENCHMARK)
    result = project.run(
        "--determinism-runs=3", "--benchmark-json=bench.json", "--benchmark-max-time=0.01"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*benchmark: 1 tests*"])
    saved = json.loads((project.path / "bench.json").read_text(encoding="utf-8"))
    assert [b["fullname"] for b in saved["benchmarks"]] == ["test_det_bench.py::test_timed"]
