"""The executing side of the gate: what each collected test is (phase, markers,
capabilities) and the conversion of failing pending tests into xfails.

Runs where tests run: the serial process or each xdist worker. It writes the
``items`` fact stream, which reaches the judging process through :mod:`facts`.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any, Final, final

import pytest

from pytest_graduation.capabilities import declared
from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.globs import match_nodeid
from pytest_graduation.item_facts import ItemKind, item_batch
from pytest_graduation.partial import PARTIAL_RUN_STREAM, partial_run
from pytest_graduation.settings import GraduationConfig
from pytest_graduation.validation import quote

#: what each collected test is: one batch (:mod:`item_facts`) per collection and per
#: deselection, in each collecting process
ITEMS_STREAM: Final = "items"
#: modules, classes and packages skipped at collection (``importorskip``, a conftest
#: skip): each counts as one skipped entry
SKIPPED_COLLECTORS_STREAM: Final = "skipped_collectors"
#: per collecting process: which configured node-id globs matched a collected test
#: (deselected ones included: ``-k``, ``-m`` and shard plugins deselect after
#: collection), and whether collection itself was narrowed; merged by union (every
#: xdist worker and every shard collects on its own)
GLOBS_STREAM: Final = "glob_matches"
#: options that leave files uncollected (``--lf`` skips files without failures), so a
#: glob may match nothing although its tests exist
NARROWING_OPTIONS: Final = ("lf",)


def configured_globs(settings: GraduationConfig) -> list[tuple[str, str]]:
    """Every node-id glob of the configuration with the key it sits in: ``phases``,
    ``deterministic``, ``capabilities.<id>.tests``."""
    found = [("phases", glob) for glob in settings.phases]
    found += [("deterministic", glob) for glob in settings.value("deterministic") or ()]
    for cap in declared(settings).values():
        found += [(f"capabilities.{quote(cap.id)}.tests", glob) for glob in cap.tests]
    return list(dict.fromkeys(found))


def narrowed_collection(config: pytest.Config) -> bool:
    return any(config.getoption(name, default=None) for name in NARROWING_OPTIONS)


class MarkerError(Exception):
    """A graduation marker with a bad argument; fails only its own test."""


def marker_name_argument(marker: pytest.Mark, what: str) -> str:
    """The single string argument of ``phase("rc")`` or ``capability("parser")``."""
    args: Sequence[Any] = marker.args
    if len(args) != 1 or marker.kwargs or not isinstance(args[0], str) or not args[0]:
        raise MarkerError(
            f"@pytest.mark.{marker.name} takes exactly one {what} name as a string, "
            f"got args={args!r} kwargs={marker.kwargs!r}"
        )
    return args[0]


#: markers with the node that carries each (a pytest Node: no public type name)
Marks = Sequence[tuple[Any, pytest.Mark]]


def phase_of(item: pytest.Item, settings: GraduationConfig, marks: Marks | None = None) -> str:
    """The level from which ``item`` is required: closest marker, else first matching
    glob of ``[tool.graduation.phases]``, else the first level. ``marks`` are the
    item's markers with their nodes, closest first (``item.iter_markers_with_node()``),
    when already at hand."""
    if marks is None:
        marks = list(item.iter_markers_with_node())
    phases = [(node, mark) for node, mark in marks if mark.name == "phase"]
    if phases:
        node, marker = phases[0]
        phase = marker_name_argument(marker, "level")
        for other_node, other in phases[1:]:
            if other_node is node and other.args != marker.args:
                raise MarkerError(
                    f"two @pytest.mark.phase markers on {node.nodeid or node.name} name "
                    f"different levels ({marker_name_argument(other, 'level')!r} and "
                    f"{phase!r}): keep one"
                )
        if phase not in settings.levels:
            raise MarkerError(
                f"@pytest.mark.phase({phase!r}) names an unknown level; "
                f"levels are: {', '.join(settings.levels)}"
            )
        return phase
    for pattern, level in settings.phases.items():
        if match_nodeid(pattern, item.nodeid):
            return level
    return settings.levels[0]


def capabilities_of(
    item: pytest.Item, settings: GraduationConfig, marks: Marks | None = None
) -> list[str]:
    """Capability ids ``item`` proves, by marker or by the capability's node-id globs."""
    found: dict[str, None] = {}
    if marks is None:
        marks = list(item.iter_markers_with_node())
    for marker in (mark for _, mark in marks if mark.name == "capability"):
        cap_id = marker_name_argument(marker, "capability")
        if cap_id not in declared(settings):
            names = ", ".join(sorted(declared(settings))) or "none"
            raise MarkerError(
                f"@pytest.mark.capability({cap_id!r}) names an undeclared capability "
                f"(declared: {names})"
            )
        found[cap_id] = None
    for cap in declared(settings).values():
        if any(match_nodeid(pattern, item.nodeid) for pattern in cap.tests):
            found[cap.id] = None
    return list(found)


@final
class ItemRecorder:
    """Registered while gating, where tests run."""

    def __init__(self, config: pytest.Config, settings: GraduationConfig, level: str) -> None:
        self.config = config
        self.settings = settings
        self.target = settings.level_index(level)
        self.errors: dict[str, str] = {}
        self.pending: dict[str, str] = {}
        #: configured globs no collected test has matched yet
        self.unmatched = dict.fromkeys(configured_globs(settings))

    def _describe(self, item: pytest.Item, deselected: bool) -> tuple[str, ItemKind]:
        marks = list(item.iter_markers_with_node())  # walked once: this runs for every test
        if self.unmatched:
            for key, glob in [k for k in self.unmatched if match_nodeid(k[1], item.nodeid)]:
                del self.unmatched[key, glob]
        try:
            phase = phase_of(item, self.settings, marks)
            capabilities = capabilities_of(item, self.settings, marks)
        except MarkerError as exc:
            self.errors[item.nodeid] = str(exc)
            phase, capabilities = self.settings.levels[0], []
        if self.settings.level_index(phase) > self.target:
            self.pending[item.nodeid] = phase
        markers = tuple(sorted({mark.name for _, mark in marks}))
        return item.nodeid, (phase, markers, tuple(capabilities), deselected)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # once, where the gate judges (xdist workers share the controller's options)
        reason = partial_run(self.config)
        if reason and not is_xdist_worker(self.config):
            facts_of(self.config).add(PARTIAL_RUN_STREAM, {"reason": reason})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            facts_of(self.config).add(
                SKIPPED_COLLECTORS_STREAM,
                {"nodeid": report.nodeid or "<session>", "reason": str(reason)[:300]},
            )

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        described = [self._describe(item, deselected=True) for item in items]
        facts_of(self.config).add(ITEMS_STREAM, item_batch(described))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        store = facts_of(self.config)
        described = [self._describe(item, deselected=False) for item in session.items]
        store.add(ITEMS_STREAM, item_batch(described))
        matched = [[key, glob] for key, glob in configured_globs(self.settings)]
        store.add(
            GLOBS_STREAM,
            {
                "matched": [pair for pair in matched if tuple(pair) not in self.unmatched],
                "narrowed": narrowed_collection(self.config),
            },
        )
        if self.errors or self.pending:
            # Per-test hooks cost every test of the session: only when some test needs them.
            converter = PendingConverter(self.errors, self.pending)
            self.config.pluginmanager.register(converter, "graduation-pending")


@final
class PendingConverter:
    """Fails tests with a bad graduation marker and reports failing pending tests like
    xfails. Registered after collection, only when there are such tests."""

    def __init__(self, errors: dict[str, str], pending: dict[str, str]) -> None:
        self.errors = errors
        self.pending = pending

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        error = self.errors.get(item.nodeid)
        if error is not None:
            pytest.fail(error, pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        phase = self.pending.get(item.nodeid)
        if phase is not None and report.failed and report.when in ("setup", "call"):
            # Reported like a non-strict xfail, so pytest's own summary agrees with ours.
            report.outcome = "skipped"
            report.wasxfail = f"required from {phase}"
        return report
