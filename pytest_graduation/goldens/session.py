"""The plugin objects behind ``--update-goldens``, ``--freeze-goldens`` and the
``obsolete_goldens`` criterion.

:class:`Tracker` runs where tests run (the serial process or each xdist worker)
and records, as facts, which tests each module has and which of them ran.
:class:`Maintainer` runs only where the session is judged (the serial process or
the xdist controller): it alone deletes obsolete goldens and writes
``goldens.lock``, so no two processes ever write the same file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from pathlib import Path
from typing import Any, final

import pytest

from pytest_graduation.facts import facts_of
from pytest_graduation.goldens.lockfile import LOCK_NAME, read_lock, write_lock
from pytest_graduation.goldens.obsolete import scan
from pytest_graduation.goldens.paths import absolute, real_path, real_paths, relative, test_stem
from pytest_graduation.goldens.state import MODULES_STREAM, TESTS_STREAM, USED_STREAM
from pytest_graduation.goldens.storage import sha256_of
from pytest_graduation.listing import capped
from pytest_graduation.partial import partial_run


@final
class Tracker:
    """Which tests each test module has (in full) and how each test that ran ended."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.modules: dict[Path, str] = {}
        self.collectors: dict[str, Path] = {}
        self.reported: set[str] = set()
        self.items: dict[Path, set[str]] = {}
        self.running: dict[str, bool] = {}

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.passed:
            return
        self.reported.add(report.nodeid)
        for node in report.result:
            if isinstance(node, pytest.Item):
                # only Python test functions have golden folders (not example items)
                if isinstance(node, pytest.Function):
                    self.items.setdefault(node.path, set()).add(node.nodeid)
                continue
            if isinstance(node, pytest.Module):
                self.modules[node.path] = node.nodeid
            self.collectors[node.nodeid] = node.path

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        if isinstance(item, pytest.Function):
            self.items.setdefault(item.path, set()).add(item.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        unexpanded = {
            path for nodeid, path in self.collectors.items() if nodeid not in self.reported
        }
        store = facts_of(self.config)
        for path in sorted({*self.items, *self.modules}):
            if path.suffix != ".py":
                continue
            module_id = self.modules.get(path)
            complete = module_id in self.reported and path not in unexpanded
            store.add(
                MODULES_STREAM,
                {
                    "module": relative(path, self.config.rootpath),
                    "complete": complete,
                    "items": sorted(self.items.get(path, ())),
                },
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        ok = report.passed and not getattr(report, "wasxfail", None)
        if report.when == "setup":
            self.running[item.nodeid] = ok
        elif report.when == "call":
            self.running[item.nodeid] = self.running.get(item.nodeid, False) and ok
        elif report.when == "teardown":
            passed = self.running.pop(item.nodeid, False) and ok
            facts_of(self.config).add(
                TESTS_STREAM,
                {
                    "nodeid": item.nodeid,
                    "module": relative(item.path, self.config.rootpath),
                    "stem": test_stem(item),
                    "passed": passed,
                },
            )
        return report


@final
class Maintainer:
    """Deletes obsolete goldens (``--update-goldens``), writes ``goldens.lock``
    (``--freeze-goldens``) and prints what it did."""

    def __init__(self, config: pytest.Config, golden_dir: str, update: bool, freeze: bool) -> None:
        self.config = config
        self.golden_dir = golden_dir
        self.update = update
        self.freeze = freeze
        self.created: list[str] = []
        self.updated: list[str] = []
        self.deleted: list[str] = []
        #: obsolete files that may not be deleted (outside the rootdir, not regular)
        self.kept: list[str] = []
        self.frozen: list[str] = []
        self.locked: int | None = None
        #: used golden paths that differ only in case (one file on macOS and Windows)
        self.case_clashes: list[list[str]] = []
        self.skipped: str | None = None
        #: why obsolete goldens were not judged (a partial run: --lf, --sw)
        self.partial: str | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        partial_run(self.config)  # before the cache provider rewrites the last failures

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # trylast: after the xdist controller has merged every worker's facts
        if exitstatus == pytest.ExitCode.INTERRUPTED or self.config.option.collectonly:
            self.skipped = "session interrupted" if not self.config.option.collectonly else ""
            return
        facts = facts_of(self.config).streams()
        rootdir = self.config.rootpath
        statuses: dict[str, set[str]] = {}
        for entry in facts.get(USED_STREAM, ()):
            statuses.setdefault(entry["path"], set()).add(entry["status"])
        self.created = sorted(p for p, s in statuses.items() if "created" in s)
        self.updated = sorted(
            p for p, s in statuses.items() if "updated" in s and "created" not in s
        )
        self.frozen = sorted(p for p, s in statuses.items() if "frozen" in s)
        by_case: dict[str, list[str]] = {}
        for rel in sorted(statuses):
            by_case.setdefault(rel.casefold(), []).append(rel)
        self.case_clashes = [paths for paths in by_case.values() if len(paths) > 1]
        lock = read_lock(rootdir) or {}
        self.partial = partial_run(self.config)
        if self.update and not self.partial:
            self._delete(facts, rootdir, lock)
        if self.freeze:
            for rel, seen in sorted(statuses.items()):
                path = absolute(rel, rootdir)
                if seen != {"unsafe"} and path.is_file():
                    with contextlib.suppress(OSError):  # swapped for a non-file meanwhile
                        lock[rel] = sha256_of(path)
            write_lock(rootdir, lock)
            self.locked = len(lock)

    def _delete(self, facts: Any, rootdir: Path, lock: dict[str, str]) -> None:
        found = scan(facts, rootdir, self.golden_dir)
        locked = set(real_paths(lock, rootdir))
        for rel in found.obsolete:
            path = absolute(rel, rootdir)
            if rel in lock or real_path(path) in locked:
                self.frozen.append(rel)
            elif rel in found.kept:
                self.kept.append(f"{rel} ({found.kept[rel]})")
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                self.deleted.append(rel)
        home = real_path(rootdir)
        for folder in [*found.folders, *found.orphan_folders]:
            if home in real_path(folder).parents and not folder.is_symlink():
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only succeeds when empty
        self.frozen.sort()

    def _summarize_update(self, tr: pytest.TerminalReporter) -> None:
        """What --update-goldens created, updated, deleted and left alone."""
        tr.write_line(
            f"golden files: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {len(self.frozen)} frozen"
        )
        if self.partial:
            tr.write_line(
                f"golden files: obsolete goldens not judged, nothing deleted "
                f"(partial run: {self.partial}: run the full suite)",
                yellow=True,
            )
        if self.kept:
            tr.write_line(
                f"golden files: {len(self.kept)} obsolete file(s) not deleted; "
                "remove them by hand if nothing needs them",
                yellow=True,
            )
        for what, paths in (
            ("created", self.created),
            ("updated", self.updated),
            ("deleted", self.deleted),
            ("frozen (left alone)", self.frozen),
            ("obsolete, not deleted", self.kept),
        ):
            for line in capped([f"{what}: {rel}" for rel in paths], what=f"more {what}"):
                tr.write_line(f"  {line}")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        tr = terminalreporter
        tr.write_sep("-", "golden files")
        if self.skipped is not None:
            if self.skipped:
                tr.write_line(f"golden files: nothing deleted or frozen ({self.skipped})")
            return
        if self.update:
            self._summarize_update(tr)
        for paths in self.case_clashes:
            tr.write_line(
                "warning: golden files differ only in case and collide on macOS and "
                f"Windows: {', '.join(paths)}",
                yellow=True,
            )
        if self.locked is not None:
            tr.write_line(f"{LOCK_NAME}: {self.locked} golden file(s) frozen")
