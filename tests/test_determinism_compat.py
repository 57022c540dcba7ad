"""Deterministic tests next to other plugins (SPEC section 18): doctests, pytest-timeout
and subtests behave in every run as in one, and a test is reported once."""

from __future__ import annotations

import textwrap

import pytest

from conftest import Project, criterion, serial_only

ALL_DETERMINISTIC_3 = """
[tool.graduation]
deterministic = ["*"]

[tool.graduation.criteria.alpha]
determinism_runs = 3
"""

DOCTESTS = '''
def add(a, b):
    """
    >>> total = add(1, 2)
    >>> total
    3
    >>> add(total, OFFSET)
    13
    """
    return a + b

OFFSET = 10
'''


def test_doctests_start_every_run_from_fresh_globals(project: Project, dist: list[str]) -> None:
    # doctest clears an example's globals after it ran: run 2 used to fail with
    # NameError (OFFSET, the module global) and be judged "not deterministic"
    project.config(ALL_DETERMINISTIC_3)
    project.write("calc.py", DOCTESTS)
    project.write("guide.txt", ">>> x = 2\n>>> x * 3\n6\n")
    result, report = project.gate("alpha", "--doctest-modules", "--doctest-glob=*.txt", "-v", *dist)
    result.assert_outcomes(passed=2)
    assert "NameError" not in result.stdout.str()
    assert report["verdict"] == "ready"
    assert criterion(report, "determinism")["measured"] == "2/2 identical"


def test_a_doctest_that_differs_between_runs_is_still_caught(project: Project) -> None:
    project.config(ALL_DETERMINISTIC_3)
    project.write(
        "drift.py",
        '''
        import itertools
        COUNTER = itertools.count()

        def tick():
            """
            >>> next(COUNTER)
            0
            """
        ''',
    )
    result, report = project.gate("alpha", "--doctest-modules")
    result.assert_outcomes(failed=1)
    assert criterion(report, "determinism")["status"] == "unmet"


TIMER_LOG = """
import pytest

LOG = []

@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    LOG.append(("set", item.name, settings.timeout))
    return True  # pytest-timeout's own timer is not armed

@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item):
    LOG.append(("cancel", item.name))
    return True
"""


@serial_only
def test_pytest_timeout_arms_its_timer_for_each_run(project: Project, dist: list[str]) -> None:
    pytest.importorskip("pytest_timeout")
    project.config(
        """
        [tool.pytest.ini_options]
        timeout = 7

        [tool.graduation]
        deterministic = ["*::test_det"]

        [tool.graduation.criteria.alpha]
        determinism_runs = 3
        """
    )
    project.write("conftest.py", TIMER_LOG)
    project.write(
        "test_timer.py",
        """
        from conftest import LOG

        def test_det():
            pass

        def test_log():
            runs = [("set", "test_det", 7.0), ("cancel", "test_det")] * 3
            assert LOG == [*runs, ("set", "test_log", 7.0)], LOG
        """,
    )
    result, report = project.gate("alpha")
    result.assert_outcomes(passed=2)
    assert report["verdict"] == "ready"


@pytest.mark.parametrize("method", ["signal", "thread"])
def test_each_run_gets_the_whole_timeout(project: Project, method: str) -> None:
    pytest.importorskip("pytest_timeout")
    project.config(
        f"""
        [tool.pytest.ini_options]
        timeout = 0.6
        timeout_method = "{method}"
        {textwrap.indent(ALL_DETERMINISTIC_3, "        ")}
        """
    )
    # The sleep IS the workload under test (not a wait): 0.3 s per run fits the 0.6 s
    # timeout, the three runs together (0.9 s) do not. A subprocess, because the thread
    # method ends the whole process on a timeout.
    project.write("test_slowish.py", "import time\n\ndef test_slowish():\n    time.sleep(0.3)\n")
    report_path = project.path / "report.json"
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "--graduation=alpha", f"--graduation-report={report_path}"
    )
    assert "Timeout" not in result.stdout.str()
    result.assert_outcomes(passed=1)
    assert result.ret == 0


SUBTESTS = """
import unittest

def test_subs(subtests):
    for i in range(3):
        with subtests.test(i=i):
            assert i != 1

class TestCase(unittest.TestCase):
    def test_sub(self):
        for i in range(2):
            with self.subTest(i=i):
                self.assertEqual(i, 0)
"""


def test_subtests_are_reported_once_as_without_the_plugin(
    project: Project, dist: list[str]
) -> None:
    pytest.importorskip("_pytest.subtests", reason="pytest 9's subtests fixture")
    project.config(ALL_DETERMINISTIC_3)
    project.write("test_subs.py", SUBTESTS)
    reference = project.run("-p", "no:graduation", *dist)
    result, report = project.gate("alpha", *dist)
    assert reference.parseoutcomes() == result.parseoutcomes()
    # a failed subtest of each test, and test_subs that contains it
    assert result.parseoutcomes()["failed"] == 3
    assert "contains 1 failed subtest" in result.stdout.str()
    assert "contains 3 failed" not in result.stdout.str()
    assert criterion(report, "determinism")["measured"] == "2/2 identical"


@serial_only
def test_a_subtest_that_fails_only_in_a_later_run_still_fails_the_test(
    project: Project, dist: list[str]
) -> None:
    # the reports of runs 2..N are muted, their observations are not
    pytest.importorskip("_pytest.subtests", reason="pytest 9's subtests fixture")
    project.config(ALL_DETERMINISTIC_3)
    project.write(
        "test_later.py",
        """
        RUNS = []

        def test_later(subtests):
            RUNS.append(1)
            with subtests.test(run=len(RUNS)):
                assert len(RUNS) < 2
        """,
    )
    result, report = project.gate("alpha")
    result.assert_outcomes(failed=1)
    assert report["verdict"] == "not-ready"
    assert criterion(report, "determinism")["status"] == "unmet"
    assert "run 2 differs from run 1" in result.stdout.str()
