"""The judging side of the gate: registered on the serial process or the xdist
controller while ``--graduation`` is given."""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.config import GraduationConfig
from pytest_graduation.criteria import builtin_criteria
from pytest_graduation.facts import facts_of, shipping_key
from pytest_graduation.judge import build_records, judge
from pytest_graduation.model import Criterion, GateRun
from pytest_graduation.outcomes import OutcomeLedger
from pytest_graduation.recording import ITEMS_STREAM
from pytest_graduation.report import (
    READY,
    GraduationReport,
    append_github_summary,
    render_terminal,
    write_report,
)

#: the coverage percentage a feature found, set before the gate judges
coverage_key: Final = pytest.StashKey["float | None"]()


@final
class Gate:
    def __init__(
        self,
        config: pytest.Config,
        settings: GraduationConfig,
        level: str,
        custom: Sequence[Criterion],
        report_path: Path | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.level = level
        self.custom = list(custom)
        self.report_path = report_path
        self.ledger = OutcomeLedger()
        self.report: GraduationReport | None = None
        self.interrupted = False
        self.notes: list[str] = []
        config.pluginmanager.register(self.ledger, "graduation-ledger")

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # pytest also ends a session with collection errors through Session.Interrupted;
        # that run is complete enough to judge (and fails `tests`). A real Ctrl-C or
        # pytest.exit() is not: printing a verdict for it would mislead.
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.interrupted = True

    def build_run(self) -> GateRun:
        store = facts_of(self.config)
        shipping = self.config.stash.get(shipping_key, None)
        records = build_records(
            store.get(ITEMS_STREAM), self.ledger.entries, self.settings, self.level
        )
        errors = tuple(
            f"{where}: {why}" if why else where
            for where, why in sorted(self.ledger.collection_errors.items())
        )
        return GateRun(
            level=self.level,
            levels=self.settings.levels,
            tests=records,
            coverage=self.config.stash.get(coverage_key, None),
            rootdir=self.config.rootpath,
            settings=self.settings,
            criteria_settings=self.settings.criteria_for(self.level),
            collection_errors=errors,
            facts=store.streams(),
            config=self.config,
            lost_workers=tuple(shipping.lost_workers) if shipping else (),
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.interrupted or self.config.option.collectonly:
            return
        criteria = [*builtin_criteria(self.settings, self.level), *self.custom]
        report = self.report = judge(self.build_run(), criteria)
        self.config.hook.pytest_graduation_report(config=self.config, report=report)
        if self.report_path is not None:
            write_report(report, self.report_path)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and self.settings.github_summary:
            try:
                append_github_summary(report, Path(summary))
            except OSError as exc:
                self.notes.append(f"cannot append to $GITHUB_STEP_SUMMARY ({summary}): {exc}")
        if report.verdict != READY and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> Generator[None, None, None]:
        # tryfirst makes this wrapper the outermost one: the section comes after
        # pytest's short test summary.
        yield
        tr = terminalreporter
        if self.interrupted:
            tr.write_sep("=", f"graduation: {self.level}: not judged (session interrupted)")
            return
        if self.report is None:
            return
        tr.write_sep("=", f"graduation: {self.level}")
        lines = render_terminal(self.report)
        for line in lines[:-1]:
            tr.write_line(line)
        ready = self.report.verdict == READY
        tr.write_line(lines[-1], green=ready, red=not ready, bold=True)
        for note in self.notes:
            tr.write_line(f"graduation: {note}", yellow=True)
        if self.report_path is not None:
            tr.write_line(f"graduation report written to {self.report_path}")
