"""Runs pytest itself cuts short (--lf, --lfnf=none, --sw) are partial: never ready, and
--update-goldens deletes nothing (SPEC section 12, "A partial run is not ready")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, criterion, make_run, serial_only
from pytest_graduation.capabilities import CapabilitiesCriterion, Capability
from pytest_graduation.config import GraduationConfig
from pytest_graduation.goldens.criteria import ObsoleteGoldensCriterion
from pytest_graduation.model import TestRecord
from pytest_graduation.outcome_criteria import TestsCriterion
from pytest_graduation.partial import PARTIAL_RUN_STREAM

LF = "partial run: --lf ran only the last failures: run the full suite"

CONFIG = """
[tool.graduation.capabilities.core]
tests = ["*"]

[tool.graduation.criteria.beta]
capabilities = true
max_obsolete_goldens = 0
"""

GOOD = """
def test_good(golden):
    golden.check("kept")
"""

FLAKY = """
def test_fixed():
    assert FIXED
"""


def run(project: Project, *args: str) -> pytest.RunResult:
    """A run with pytest's cache (``project.run`` turns it off)."""
    return project.pytester.runpytest("-p", "no:randomly", *args)


def gate(project: Project, level: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    path = project.path / "graduation-report.json"
    path.unlink(missing_ok=True)
    result = run(project, f"--graduation={level}", f"--graduation-report={path}", *args)
    return result, json.loads(path.read_text(encoding="utf-8"))


def last_failure_recorded(project: Project, *dist: str) -> Path:
    """A suite whose test_b failed in the previous run and is fixed now; test_a's
    golden was written then. Returns that golden file."""
    project.config(CONFIG)
    project.write("test_a.py", GOOD)
    project.write("test_b.py", "FIXED = False\n" + FLAKY)
    run(project, "--update-goldens", *dist).assert_outcomes(passed=1, failed=1)
    project.write("test_b.py", "FIXED = True\n" + FLAKY)
    golden = project.path / "golden" / "test_a" / "test_good.txt"
    assert golden.is_file()
    return golden


def test_last_failed_gate_is_not_ready_although_the_subset_passed(
    project: Project, dist: list[str]
) -> None:
    # only test_b runs (test_a.py is skipped at collection): it used to be `ready`, with
    # `core` proven by the subset and test_a's golden judged obsolete
    last_failure_recorded(project, *dist)
    result, report = gate(project, "beta", "--lf", *dist)
    result.assert_outcomes(passed=1)
    assert report["verdict"] == "not-ready"
    tests = criterion(report, "tests")
    assert (tests["status"], tests["details"][0]) == ("inconclusive", LF)
    capabilities = criterion(report, "capabilities")
    assert (capabilities["status"], capabilities["details"]) == ("inconclusive", [LF])
    obsolete = criterion(report, "obsolete_goldens")
    assert obsolete["status"] == "inconclusive"
    assert obsolete["details"] == [f"obsolete goldens not judged: {LF}"]
    assert result.ret == 1


def test_last_failed_update_deletes_no_golden_of_a_test_that_did_not_run(
    project: Project, dist: list[str]
) -> None:
    golden = last_failure_recorded(project, *dist)
    result = run(project, "--lf", "--update-goldens", *dist)
    result.assert_outcomes(passed=1)
    assert golden.is_file()
    result.stdout.fnmatch_lines(
        [
            "golden files: 0 created, 0 updated, 0 deleted, 0 frozen",
            "golden files: obsolete goldens not judged, nothing deleted (partial run: "
            "--lf ran only the last failures: run the full suite)",
        ]
    )


@serial_only
def test_the_full_run_after_it_judges_again(project: Project, dist: list[str]) -> None:
    golden = last_failure_recorded(project)
    run(project, "--lf").assert_outcomes(passed=1)  # the last failures are gone now
    result, report = gate(project, "beta", "--lf")
    result.assert_outcomes(passed=2)  # --lf without recorded failures runs everything
    assert report["verdict"] == "ready"
    _, report = gate(project, "beta", "--ff")
    assert report["verdict"] == "ready"
    assert golden.is_file()


@serial_only
def test_failed_first_with_failures_is_a_full_run(project: Project, dist: list[str]) -> None:
    last_failure_recorded(project)
    result, report = gate(project, "beta", "--ff")
    result.assert_outcomes(passed=2)
    assert report["verdict"] == "ready"


@serial_only
@pytest.mark.parametrize("option", ["--sw", "--stepwise", "--sw-skip"])
def test_stepwise_is_never_ready(project: Project, dist: list[str], option: str) -> None:
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    result, report = gate(project, "alpha", option)
    result.assert_outcomes(passed=1)
    tests = criterion(report, "tests")
    assert tests["status"] == "inconclusive"
    assert tests["details"] == [
        "partial run: --stepwise runs from the last failure and stops at the next one: "
        "run the full suite"
    ]


@serial_only
def test_no_failures_none_deselecting_everything_is_not_ready(
    project: Project, dist: list[str]
) -> None:
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    result, report = gate(project, "alpha", "--ff", "--lfnf=none")
    assert report["verdict"] == "not-ready"
    assert criterion(report, "tests")["status"] == "unmet"  # nothing ran at all
    assert result.ret != 0


PARTIAL = {PARTIAL_RUN_STREAM: [{"reason": "--lf ran only the last failures"}]}
PASSED = TestRecord("t.py::test_a", "passed", "alpha", capabilities=("core",))


def test_criteria_read_the_partial_run_from_the_facts_alone(tmp_path: Path) -> None:
    # as `merge` judges a shard's report: the fact is all there is
    caps = {"core": Capability("core", "core", "alpha", ("*",))}
    settings = GraduationConfig(values={"capabilities": caps})
    judged = make_run(tests=[PASSED], settings=settings, facts=PARTIAL, rootdir=tmp_path)
    whole = make_run(tests=[PASSED], settings=settings, rootdir=tmp_path)
    for criterion_ in (TestsCriterion(), CapabilitiesCriterion(), ObsoleteGoldensCriterion(0, "g")):
        assert criterion_.evaluate(judged).status == "inconclusive", criterion_.name
        assert criterion_.evaluate(whole).status == "met", criterion_.name
    failed = make_run(tests=[TestRecord("t.py::test_a", "failed", "alpha")], facts=PARTIAL)
    assert TestsCriterion().evaluate(failed).status == "unmet"  # a failure is conclusive
