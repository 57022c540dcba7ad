"""Repeated runs of deterministic tests: how a flipped outcome is described for skips,
run 1's own failure in the message, and the run count next to a verbose word that a
plugin styles."""

from __future__ import annotations

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
