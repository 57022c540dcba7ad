"""The ``note:`` line after the verdict: who made the exit code non-zero when the gate
did not (pytest-cov's ``fail_under``, another plugin), so that ``beta: READY`` above a
failing exit code is never left unexplained."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TypeGuard, final

import pytest

from pytest_graduation.model import Status
from pytest_graduation.report import READY, GraduationReport

#: exit codes a not-ready verdict explains: failed tests, a run stopped early or with
#: collection errors, nothing collected (each makes a criterion unmet)
_NOT_READY_CODES = (
    pytest.ExitCode.TESTS_FAILED,
    pytest.ExitCode.INTERRUPTED,
    pytest.ExitCode.NO_TESTS_COLLECTED,
)


@final
class LoopWatch:
    """Counts the failures the tests themselves reported: its ``pytest_runtestloop``
    wrapper is the innermost one, so a plugin whose wrapper counts one more failure
    afterwards (pytest-cov does for ``fail_under``) shows as the difference."""

    def __init__(self) -> None:
        self.session: pytest.Session | None = None
        self.tests_failed: int | None = None

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        self.session = session
        try:
            return (yield)
        finally:
            self.tests_failed = session.testsfailed


def exit_note(
    config: pytest.Config, watch: LoopWatch, report: GraduationReport, write_error: bool
) -> str | None:
    """``note: exit code N set by ...`` when the exit code is non-zero for a reason the
    verdict does not give; ``None`` when the verdict explains it (or no test loop ran)."""
    session = watch.session
    if session is None:
        return None
    status = session.exitstatus
    if status == pytest.ExitCode.OK:
        return None
    if write_error and status == pytest.ExitCode.INTERNAL_ERROR:
        return None  # the error line after the verdict says why
    if report.verdict != READY and status in _NOT_READY_CODES:
        return None
    return f"note: exit code {int(status)} set by {_cause(config, session, watch, report)}"


def _cause(
    config: pytest.Config, session: pytest.Session, watch: LoopWatch, report: GraduationReport
) -> str:
    coverage = _coverage_fail_under(config)
    if coverage:
        return coverage
    counted = watch.tests_failed
    if counted is not None and session.testsfailed > counted:
        return "another plugin (it counted a failure after the tests ran)"
    if counted and _waived(report, "tests"):
        return f"pytest: {counted} failed test report(s), waived by the gate"
    return "another plugin"


def _coverage_fail_under(config: pytest.Config) -> str | None:
    """pytest-cov's own ``fail_under`` (``--cov-fail-under`` or ``[tool.coverage.report]``)
    when the total missed it: pytest-cov then counts one more failed test."""
    plugin = config.pluginmanager.get_plugin("_cov")
    options = getattr(plugin, "options", None)
    floor = getattr(options, "cov_fail_under", None)
    total = getattr(plugin, "cov_total", None)
    if not _number(floor) or not _number(total):
        return None
    precision = getattr(options, "cov_precision", None)
    shown = round(total, precision) if isinstance(precision, int) and floor < 100 else total
    if shown >= floor:  # as coverage's should_fail_under decides
        return None
    return f"pytest-cov (fail_under = {floor:g}; total coverage {total:.2f} %)"


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _waived(report: GraduationReport, name: str) -> bool:
    return any(c.name == name and c.status is Status.WAIVED for c in report.criteria)
