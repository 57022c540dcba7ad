"""The ``note:`` line: an exit code the verdict does not explain is never left silent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import Project, criterion, serial_only

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/core.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    "tests/test_core.py": "from pkg.core import add\n\ndef test_add():\n    assert add(1, 2)\n",
    "tests/test_more.py": "def test_more():\n    pass\n",
}
#: pkg/core.py: 3 of 4 statements run
CONFIG = """
    [tool.pytest.ini_options]
    pythonpath = ["."]

    [tool.coverage.report]
    fail_under = {floor}
"""


def gate_with_coverage(
    project: Project, floor: int, *args: str
) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Gate at alpha with pytest-cov, in a fresh interpreter (an inline run would share
    the outer run's tracer)."""
    for path, text in PACKAGE.items():
        project.write(path, text)
    project.config(CONFIG.format(floor=floor))
    report = project.path / "graduation-report.json"
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--graduation=alpha",
        f"--graduation-report={report}", "--cov=pkg", "--cov-report=", *args,
    )  # fmt: skip
    return result, json.loads(report.read_text(encoding="utf-8"))


def test_pytest_covs_own_fail_under_is_named_after_a_ready_verdict(
    project: Project, dist: list[str]
) -> None:
    result, report = gate_with_coverage(project, 90, *dist)
    result.assert_outcomes(passed=2)
    assert report["verdict"] == "ready"  # the gate judges no coverage criterion here
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "alpha: READY",
            "note: exit code 1 set by pytest-cov (fail_under = 90; total coverage 75.00 %)",
        ]
    )


@serial_only
def test_no_note_when_pytest_covs_fail_under_is_reached(project: Project, dist: list[str]) -> None:
    result, report = gate_with_coverage(project, 70, *dist)
    assert (result.ret, report["verdict"]) == (0, "ready")
    assert "note:" not in result.stdout.str()


LOOP_PLUGIN = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    result = yield
    session.testsfailed += 1  # as a plugin judging the run after the tests does
    return result
"""

STATUS_PLUGIN = """
import pytest


def pytest_sessionfinish(session):
    session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
"""


@serial_only
@pytest.mark.parametrize(
    ("plugin", "note"),
    [
        (LOOP_PLUGIN, "note: exit code 1 set by another plugin (it counted a failure after the "
         "tests ran)"),
        (STATUS_PLUGIN, "note: exit code 3 set by another plugin"),
    ],
)  # fmt: skip
def test_an_exit_code_set_by_another_plugin_is_noted(
    project: Project, dist: list[str], plugin: str, note: str
) -> None:
    project.write("conftest.py", plugin)
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha", *dist)
    assert report["verdict"] == "ready"
    assert result.ret != 0
    lines = result.stdout.lines
    assert lines[lines.index("alpha: READY") + 1] == note


@serial_only
def test_failed_tests_under_a_waiver_on_tests_are_noted(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [[tool.graduation.waivers]]
        criterion = "tests"
        reason = "known breakage, ticket 12"
        expires = 2999-01-01
        """
    )
    project.write("test_x.py", "def test_ok():\n    pass\n\ndef test_broken():\n    assert 0\n")
    result, report = project.gate("alpha", *dist)
    assert criterion(report, "tests")["status"] == "waived"
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["alpha: READY", "note: exit code 1 set by pytest: 1 failed test report(s), waived*"]
    )


@pytest.mark.parametrize(
    "tests",
    [
        "def test_broken():\n    assert 0\n",  # not ready: the verdict explains exit 1
        "def test_ok():\n    pass\n",  # ready, exit 0
    ],
)
def test_no_note_when_the_verdict_explains_the_exit_code(
    project: Project, dist: list[str], tests: str
) -> None:
    project.write("test_x.py", tests)
    result, report = project.gate("alpha", *dist)
    assert result.ret == (0 if report["verdict"] == "ready" else 1)
    assert "note:" not in result.stdout.str()
