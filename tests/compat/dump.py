"""A pytest plugin (``-p dump``) that writes every logged test report as
``[nodeid, when, outcome, subtest]`` to the JSON file named by ``$COMPAT_DUMP``, so
that two runs can be compared report by report."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

REPORTS: list[list[Any]] = []


def _subtest(report: pytest.TestReport) -> str:
    context = getattr(report, "context", None)  # pytest 9 and pytest-subtests
    if context is None:
        return ""
    return f"{getattr(context, 'msg', None)!r} {sorted(getattr(context, 'kwargs', {}).items())!r}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    REPORTS.append([report.nodeid, report.when, report.outcome, _subtest(report)])


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if not report.passed:
        REPORTS.append([report.nodeid, "collect", report.outcome, ""])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # the xdist controller sees every report
    target = os.environ.get("COMPAT_DUMP")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"exit": int(exitstatus), "reports": sorted(REPORTS)}, out)
