"""The ``examples`` criterion: example scripts collected and run as test items.

Each script matching an ``examples`` glob becomes one item, ``<path>::example``,
appended to the collected items (so it shows in ``-v``, obeys ``-k``, ``-m`` and
``--deselect`` and is spread over pytest-xdist workers like any test). The item
runs ``sys.executable <script>`` from the script's folder, without a shell, with
``examples_timeout``; on timeout the script's whole process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, final

import pytest

from pytest_graduation.facts import facts_of
from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun, Outcome
from pytest_graduation.repository.marker import EXAMPLE_MARKER as EXAMPLE_MARKER
from pytest_graduation.repository.marker import MARKER_LINE as MARKER_LINE
from pytest_graduation.repository.walk import checked, tree_for, tree_of

#: the marker every example item carries; the ``tests`` criterion leaves these to us
ITEM_NAME: Final = "example"
#: fact stream: how each example that did not pass ended
EXAMPLES_STREAM: Final = "examples"
STDERR_TAIL: Final = 20
#: after a kill, how long to wait for the pipes to close before giving up on the output
GRACE_SECONDS: Final = 5.0


def example_nodeid(relpath: str) -> str:
    return f"{relpath}::{ITEM_NAME}"


@final
@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool

    def tail(self, lines: int = STDERR_TAIL) -> list[str]:
        return self.stderr.rstrip().splitlines()[-lines:] if self.stderr.strip() else []

    def ending(self, timeout: float) -> str:
        """How the script ended: exit code, signal or timeout."""
        if self.timed_out:
            return f"timed out after {timeout:g} s (process tree killed)"
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"killed by signal {name}"
        return f"exit code {self.returncode}"

    def summary(self, timeout: float) -> str:
        """One line: how the script ended, with the last line of stderr."""
        why = self.ending(timeout)
        last = self.tail(1)
        return f"{why}: {last[0].strip()}" if last else why


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - POSIX CI only
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False
        )
        process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def run_script(script: Path, timeout: float) -> Finished:
    """Run ``script`` with this interpreter from its folder, in a session of its own."""
    extra: dict[str, Any] = (
        {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined,unused-ignore]
        if sys.platform == "win32"
        else {"start_new_session": True}
    )
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=script.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **extra,
    )
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_tree(process)
        try:
            out, err = process.communicate(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:  # someone outside the group holds the pipes
            process.kill()
            process.wait()
            out, err = b"", b""
    finally:
        _kill_tree(process)  # stragglers that left the pipes but not the group
    return Finished(
        returncode=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        timed_out=timed_out,
    )


class ExampleFailed(Exception):
    def __init__(self, relpath: str, finished: Finished, timeout: float) -> None:
        super().__init__(relpath)
        self.relpath = relpath
        self.finished = finished
        self.timeout = timeout

    def describe(self) -> str:
        head = f"example {self.relpath}: {self.finished.ending(self.timeout)}"
        tail = self.finished.tail()
        if not tail:
            return f"{head}\n(no stderr output)"
        everything = len(self.finished.stderr.rstrip().splitlines()) == len(tail)
        title = "stderr:" if everything else f"stderr (last {len(tail)} lines):"
        return "\n".join([head, title, *tail])


class ExampleItem(pytest.Item):
    """One example script as a test item."""

    def __init__(self, *, relpath: str, timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.relpath = relpath
        self.timeout = timeout
        self.add_marker(EXAMPLE_MARKER)

    def runtest(self) -> None:
        finished = run_script(self.path, self.timeout)
        if finished.stdout.strip():
            self.add_report_section("call", "stdout", finished.stdout)
        if finished.timed_out or finished.returncode != 0:
            facts_of(self.config).add(
                EXAMPLES_STREAM,
                {"nodeid": self.nodeid, "summary": finished.summary(self.timeout)},
            )
            raise ExampleFailed(self.relpath, finished, self.timeout)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> Any:
        if isinstance(excinfo.value, ExampleFailed):
            return excinfo.value.describe()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"example {self.relpath}"


class ExampleScript(pytest.File):
    """The collector parenting one example item."""

    def __init__(self, *, relpath: str, timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.relpath = relpath
        self.timeout = timeout

    def collect(self) -> Iterable[pytest.Item]:
        yield ExampleItem.from_parent(
            self, name=ITEM_NAME, relpath=self.relpath, timeout=self.timeout
        )


@final
class ExamplesCollector:
    """Registered while gating at a level with ``examples``, where tests are collected.

    ``tryfirst`` so the items exist before ``-k``, ``-m`` and ``--deselect`` filter
    the collection; every xdist worker walks the same tree and appends the same
    items in the same (sorted) order.
    """

    def __init__(self, globs: Sequence[str], timeout: float, exclude: Sequence[str]) -> None:
        self.globs = tuple(globs)
        self.timeout = timeout
        self.exclude = tuple(exclude)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        tree = tree_of(config, self.exclude)
        scripts = sorted({rel for glob in self.globs for rel in tree.matching(glob)})
        taken = {item.nodeid for item in items}
        for rel in scripts:
            if example_nodeid(rel) in taken:
                continue
            script = ExampleScript.from_parent(
                session, path=tree.root / rel, relpath=rel, timeout=self.timeout
            )
            # the same steps pytest takes for a collector, so "collected N items"
            # and collection reports (xdist, the ledger) include the examples
            script.ihook.pytest_collectstart(collector=script)
            report = script.ihook.pytest_make_collect_report(collector=script)
            script.ihook.pytest_collectreport(report=report)
            items.extend(node for node in report.result if isinstance(node, pytest.Item))


@final
class ExamplesCriterion(Criterion):
    """Every matching script ran as an item and exited 0 within the timeout."""

    name = "examples"

    def __init__(self, globs: Sequence[str]) -> None:
        self.globs = tuple(globs)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        expected: dict[str, str] = {}
        problems = [] if self.globs else ["nothing to check: examples = []"]
        for glob in self.globs:
            files = tree.matching(glob)
            if not files:
                problems.append(f"{glob}: no file matches this glob")
            expected.update((example_nodeid(rel), rel) for rel in files)
        records = {
            r.nodeid: r for r in run.tests if r.nodeid in expected or EXAMPLE_MARKER in r.markers
        }
        why: dict[str, str] = {}
        for fact in run.fact(EXAMPLES_STREAM):
            if isinstance(fact, dict):
                why[str(fact.get("nodeid"))] = str(fact.get("summary"))
        passed, deselected = 0, []
        nodeids = sorted({*expected, *records})
        for nodeid in nodeids:
            label = expected.get(nodeid) or nodeid.rsplit("::", 1)[0]
            record = records.get(nodeid)
            if record is not None and record.deselected:
                deselected.append(label)
            elif record is None or record.outcome == Outcome.NOT_RUN:
                problems.append(f"{label}: did not run")
            elif record.outcome == Outcome.PASSED:
                passed += 1
            else:
                reason = why.get(nodeid) or f"{record.outcome}: {record.longrepr}".rstrip(": ")
                problems.append(f"{label}: {reason}")
        measured = f"{passed}/{len(nodeids)} passed"
        count = checked(len(nodeids))
        if problems:
            return CriterionResult.unmet(measured, "all pass", [count, *capped(problems)])
        if deselected:
            details = [f"{label}: deselected" for label in deselected]
            details.append("run the full suite (without -k/-m/--deselect) to judge every example")
            return CriterionResult.inconclusive(measured, "all pass", [count, *capped(details)])
        return CriterionResult.met(measured, "all pass", [count])
