"""The judging side of the gate: registered on the serial process or the xdist
controller while ``--graduation`` is given."""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import final

import pytest

from pytest_graduation.coverage import total_of
from pytest_graduation.determinism import plan
from pytest_graduation.exit_note import LoopWatch, exit_note
from pytest_graduation.facts import facts_of, shipping_key
from pytest_graduation.features import builtin_criteria, registry
from pytest_graduation.judge import build_records, judge
from pytest_graduation.ladder import render_lines, write_badge, write_not_judged_badge
from pytest_graduation.model import Criterion, GateRun
from pytest_graduation.outcomes import OutcomeLedger
from pytest_graduation.record_table import ALL
from pytest_graduation.recording import ITEMS_STREAM, SKIPPED_COLLECTORS_STREAM
from pytest_graduation.report import (
    READY,
    GraduationReport,
    append_github_summary,
    render_terminal,
    write_not_judged,
    write_report,
)
from pytest_graduation.rungs import CUSTOM_STREAM, PendingFailures, climb, custom_facts
from pytest_graduation.settings import GraduationConfig


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
        #: why the session ended without a verdict (Ctrl-C, pytest.exit()), if it did
        self.interrupted = ""
        self.write_error = ""
        self.notes: list[str] = []
        config.pluginmanager.register(self.ledger, "graduation-ledger")
        # the ladder (SPEC 13): what this run measured, recorded in every gated run so
        # that `merge --ladder` can climb from plain shard reports
        self.pending = PendingFailures()
        config.pluginmanager.register(self.pending, "graduation-pending-failures")
        badge = config.getoption("graduation_badge", None)
        self.badge_path = config.invocation_params.dir / badge if badge else None
        self.ladder = bool(config.getoption("graduation_ladder", False)) or bool(badge)
        self.badge_error = ""
        self.loop_watch = LoopWatch()
        config.pluginmanager.register(self.loop_watch, "graduation-loop-watch")

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # pytest also ends a session with collection errors, -x or --maxfail through an
        # "interrupted" exception; that run is complete enough to judge (it is not
        # ready). A real Ctrl-C or pytest.exit() is not: a verdict for it would mislead.
        if not stopped_early(excinfo.value):
            self.interrupted = interruption_reason(excinfo.value)

    def build_run(self) -> GateRun:
        store = facts_of(self.config)
        shipping = self.config.stash.get(shipping_key, None)
        records = build_records(
            store.get(ITEMS_STREAM),
            self.ledger.entries,
            self.settings,
            self.level,
            store.get(SKIPPED_COLLECTORS_STREAM),
        )
        errors = tuple(
            f"{where}: {why}" if why else where
            for where, why in sorted(self.ledger.collection_errors.items())
        )
        return GateRun(
            level=self.level,
            levels=self.settings.levels,
            tests=records,
            coverage=total_of(store.streams()),
            rootdir=self.config.rootpath,
            settings=self.settings,
            criteria_settings=self.settings.criteria_for(self.level),
            collection_errors=errors,
            facts=store.streams(),
            lost_workers=tuple(shipping.lost_workers) if shipping else (),
        )

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, None, None]:
        # The innermost wrapper: it judges after every plain sessionfinish hook (they may
        # still add facts), even when one of them raised, and before the terminal
        # summary is printed.
        try:
            yield
        finally:
            if self.interrupted:
                self._not_judged(session)
            else:
                self._judge(session)

    def _climb(self, run: GateRun, report: GraduationReport) -> None:
        """Judge every other level from this run (SPEC 13); the verdict stays ours."""

        def criteria_of(level: str) -> list[Criterion]:
            return [*builtin_criteria(self.settings, level), *self.custom]

        report.ladder, judged = climb(run, report, criteria_of)
        found = custom_facts(judged, [c.name for c in self.custom])
        if found:
            report.facts[CUSTOM_STREAM] = found

    def _not_judged(self, session: pytest.Session) -> None:
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.INTERRUPTED  # a run not judged is never green
        if self.badge_path is not None:
            try:
                write_not_judged_badge(self.badge_path)
            except OSError as exc:
                self.badge_error = f"cannot write {self.badge_path}: {exc}"
        if self.report_path is not None:
            try:
                write_not_judged(
                    self.report_path, self.level, self.settings.levels, self.interrupted
                )
            except OSError as exc:
                self.write_error = f"cannot write {self.report_path}: {exc}"

    def _judge(self, session: pytest.Session) -> None:
        criteria = [*builtin_criteria(self.settings, self.level), *self.custom]
        self.pending.record(facts_of(self.config), plan(self.config, self.settings, self.level))
        run = self.build_run()
        report = self.report = judge(run, criteria)
        report.included = self.config.getoption("graduation_report_tests", ALL)
        if self.ladder:
            self._climb(run, report)
        for feature in registry():
            if feature.finish is not None:
                feature.finish(self.config, run)
        self.config.hook.pytest_graduation_report(config=self.config, report=report)
        if report.verdict != READY and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.report_path is not None:
            try:
                write_report(report, self.report_path)
            except OSError as exc:
                self.write_error = f"cannot write {self.report_path}: {exc}"
        if self.badge_path is not None and report.ladder is not None:
            try:
                write_badge(report.ladder, self.badge_path)
            except OSError as exc:
                self.badge_error = f"cannot write {self.badge_path}: {exc}"
        if (self.write_error or self.badge_error) and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.TESTS_FAILED,
        ):
            # not 1: a shard recipe that lets "not ready" through must stop here
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and self.settings.github_summary:
            try:
                append_github_summary(report, Path(summary))
            except OSError as exc:
                self.notes.append(f"cannot append to $GITHUB_STEP_SUMMARY ({summary}): {exc}")

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> Generator[None, None, None]:
        # tryfirst makes this wrapper the outermost one: the section comes after
        # pytest's short test summary.
        yield
        tr = terminalreporter
        if self.interrupted:
            tr.write_sep("=", f"graduation: {self.level}: not judged ({self.interrupted})")
            tr.write_line(f"{self.level}: NOT JUDGED", red=True, bold=True)
        elif self.report is not None:
            tr.write_sep("=", f"graduation: {self.level}")
            lines = render_terminal(self.report, verbose=self.config.getoption("verbose") > 0)
            for line in lines[:-1]:
                tr.write_line(line)
            ready = self.report.verdict == READY
            tr.write_line(lines[-1], green=ready, red=not ready, bold=True)
            note = exit_note(self.config, self.loop_watch, self.report, bool(self.write_error))
            if note:
                tr.write_line(note, yellow=True)
            if self.report.ladder is not None:
                for line in render_lines(self.report.ladder):
                    tr.write_line(line)
        else:
            return
        for note in self.notes:
            tr.write_line(f"graduation: {note}", yellow=True)
        if self.write_error:
            tr.write_line(f"graduation: error: report not written: {self.write_error}", red=True)
        elif self.report_path is not None:
            tr.write_line(f"graduation report written to {self.report_path}")
        if self.badge_error:
            tr.write_line(f"graduation: error: badge not written: {self.badge_error}", red=True)
        elif self.badge_path is not None:
            tr.write_line(f"graduation badge written to {self.badge_path}")


def stopped_early(exc: BaseException) -> bool:
    """Whether ``exc`` is pytest's or xdist's way of ending a complete-enough session
    (collection errors, ``-x``, ``--maxfail``) rather than a real interruption."""
    if isinstance(exc, pytest.Session.Interrupted):
        return True
    interrupted = getattr(sys.modules.get("xdist.dsession"), "Interrupted", None)
    return (
        isinstance(interrupted, type)
        and isinstance(exc, interrupted)
        and "keyboard-interrupt" not in str(exc)
    )


def interruption_reason(exc: BaseException) -> str:
    if isinstance(exc, pytest.exit.Exception):
        return f"pytest.exit(): {exc.msg}" if exc.msg else "pytest.exit()"
    return "session interrupted"
