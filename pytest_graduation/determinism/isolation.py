"""What runs 2..N of a deterministic test need from pytest and other plugins, so that
each run behaves like the first and the test is still reported once.

- **doctest** clears an example's globals after it ran (``clear_globs``): every run
  starts from a copy of the globals the item was collected with.
- **pytest-timeout** arms one timer around the whole runtest protocol, which would
  cover all runs together: the timer is re-armed before each later run, so each run
  gets the full per-test timeout.
- **subtests** (pytest 9's ``subtests`` fixture, pytest-subtests, unittest
  ``subTest``) log their reports from inside the test, not through the protocol:
  reports logged during runs 2..N are dropped, and pytest's count of failed
  subtests is put back to what run 1 left, so a test with subtests is reported once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, MutableMapping
from typing import Any, Final, final

import pytest

#: pytest-timeout's settings of the timer armed around the protocol of an item
timeout_settings_key: Final = pytest.StashKey[Any]()


@final
class TimeoutRearm:
    """Registered when pytest-timeout is: remembers the settings it arms an item's
    timer with, so that a later run can arm the same timer again."""

    @pytest.hookimpl(wrapper=True, optionalhook=True)
    def pytest_timeout_set_timer(
        self, item: pytest.Item, settings: Any
    ) -> Generator[None, Any, Any]:
        # a timer around the call only (timeout_func_only) is armed per run already
        if not getattr(settings, "func_only", False):
            item.stash[timeout_settings_key] = settings
        return (yield)


def _rearm_timeout(item: pytest.Item) -> None:
    settings = item.stash.get(timeout_settings_key, None)
    if settings is None:
        return
    hook = item.config.pluginmanager.hook
    hook.pytest_timeout_cancel_timer(item=item)
    hook.pytest_timeout_set_timer(item=item, settings=settings)


def _doctest_globals(item: pytest.Item) -> dict[str, Any] | None:
    globs = getattr(getattr(item, "dtest", None), "globs", None)
    return dict(globs) if isinstance(globs, dict) else None


def _failed_subtest_counts(config: pytest.Config) -> MutableMapping[Any, int] | None:
    """pytest 9's count of failed subtests per test (it fails a passing test that has
    failed subtests, naming the count)."""
    try:
        from _pytest.subtests import failed_subtests_key  # no public name
    except ImportError:  # pytest < 9: pytest-subtests keeps no count
        return None
    counts: MutableMapping[Any, int] | None = config.stash.get(failed_subtests_key, None)
    return counts


@final
class _MutedRelay:
    """An item's hook relay during runs 2..N: reports of the item logged from inside
    the run (subtests) are dropped; every other hook goes through."""

    def __init__(self, relay: Any, nodeid: str) -> None:
        self._relay = relay
        self._nodeid = nodeid

    def __getattr__(self, name: str) -> Any:
        return getattr(self._relay, name)

    def pytest_runtest_logreport(self, *, report: pytest.TestReport) -> None:
        if report.nodeid != self._nodeid:
            self._relay.pytest_runtest_logreport(report=report)


@contextlib.contextmanager
def _muted(item: pytest.Item) -> Generator[None, None, None]:
    # Node.ihook asks session.gethookproxy on every use: an instance attribute shadows
    # the method for the span of one run
    session = item.session
    real = session.gethookproxy

    def proxy(fspath: Any) -> Any:
        return _MutedRelay(real(fspath), item.nodeid)

    vars(session)["gethookproxy"] = proxy
    try:
        yield
    finally:
        vars(session).pop("gethookproxy", None)


@final
class RunIsolation:
    """Around the runs of one item: :meth:`run` wraps each run, by number from 1."""

    def __init__(self, item: pytest.Item) -> None:
        self.item = item
        self.globs = _doctest_globals(item)
        self.counts = _failed_subtest_counts(item.config)
        self.after_first: dict[Any, int] | None = None

    @contextlib.contextmanager
    def run(self, number: int) -> Generator[None, None, None]:
        if self.globs is not None:
            globs = self.item.dtest.globs  # type: ignore[attr-defined]
            globs.clear()
            globs.update(self.globs)
        if number == 1:
            yield
            if self.counts is not None:
                self.after_first = dict(self.counts)
            return
        _rearm_timeout(self.item)
        with _muted(self.item):
            yield

    def close(self) -> None:
        """After the last run: the failed-subtest count is run 1's."""
        if self.counts is not None and self.after_first is not None:
            self.counts.clear()
            self.counts.update(self.after_first)
