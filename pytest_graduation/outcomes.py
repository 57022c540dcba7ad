"""The outcome of every test, from the reports the judging process receives.

pytest-xdist forwards every worker's reports to the controller's
``pytest_runtest_logreport``, so this ledger sees the same reports serial or
distributed, including the failure xdist reports for a test whose worker crashed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, final

import pytest

from pytest_graduation.model import Outcome

#: the worse outcome wins when a test has several reports
SEVERITY: Final = {outcome: rank for rank, outcome in enumerate(Outcome.SEVERITY)}


@dataclass(slots=True)
class Entry:
    outcome: str = Outcome.NOT_RUN
    reruns: int = 0
    longrepr: str = ""


def _classify(report: pytest.TestReport) -> str:
    xfail = hasattr(report, "wasxfail")
    if report.passed:
        if report.when != "call":
            return Outcome.NOT_RUN
        return Outcome.XPASSED if xfail else Outcome.PASSED
    if report.skipped:
        return Outcome.XFAILED if xfail else Outcome.SKIPPED
    return Outcome.FAILED if report.when == "call" else Outcome.ERROR


#: a failure's message is cut here in the details (its first line only)
MAX_MESSAGE: Final = 200


def _short(report: pytest.TestReport | pytest.CollectReport) -> str:
    """What a failure or skip says, in one line: the exception's message (``assert 1 ==
    2``, ``golden file missing: ...``) with its location, not only the location."""
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(report.longrepr[2])[:300]
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "").strip()
    if message:
        first = message.splitlines()[0]
        for prefix in ("Failed: ", "E "):
            first = first.removeprefix(prefix)
        if len(first) > MAX_MESSAGE:
            first = first[: MAX_MESSAGE - 3] + "..."
        where = _relative(str(getattr(crash, "path", "") or ""))
        # a location outside the project (pytest.fail(pytrace=False) from a plugin) says
        # nothing to the reader
        return f"{first} ({where}:{getattr(crash, 'lineno', '?')})" if where else first
    text = getattr(report, "longreprtext", "") or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1]
    if last.startswith("E "):  # pytest's marker for the exception line
        last = last[1:].strip()
    return last[:300]


def _relative(path: str) -> str:
    """``path`` relative to the current folder, or "" when it lies outside it."""
    if not path:
        return ""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return ""
    return "" if relative.startswith("..") else relative


@final
class OutcomeLedger:
    __slots__ = ("collection_errors", "entries")

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.collection_errors: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.entries.get(report.nodeid)
        if entry is None:
            entry = self.entries[report.nodeid] = Entry()
        if report.outcome == "passed" and report.when != "call":
            return  # a passing setup or teardown: never worse than what is recorded
        if str(report.outcome) == "rerun":  # pytest-rerunfailures: this attempt will be retried
            entry.reruns += 1
            entry.outcome, entry.longrepr = Outcome.NOT_RUN, ""
            return
        outcome = _classify(report)
        if SEVERITY[outcome] > SEVERITY[entry.outcome]:
            entry.outcome = outcome
            if outcome not in (Outcome.NOT_RUN, *Outcome.PASSING):
                entry.longrepr = _short(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors[report.nodeid or "<session>"] = _short(report)
