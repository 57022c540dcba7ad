"""Runs that pytest itself cuts short (SPEC section 12, "A partial run is not ready").

``--lf`` with recorded failures runs only them: files without a last failure are
skipped at collection and passing tests of the other files are dropped there, so they
never reach the plugin as collected or deselected. ``--lfnf=none`` (with ``--lf`` or
``--ff``) deselects everything when nothing failed last time, and ``--stepwise``
starts at the last failure and stops at the next. Such a run proves nothing about the
tests it left out: ``tests`` and ``capabilities`` are inconclusive, obsolete goldens
are not judged and ``--update-goldens`` deletes nothing.

Told by pytest's options and its cache, before the cache provider rewrites the last
failures at the end of the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pytest

#: fact stream: ``{"reason": ...}`` once, on the judging process, when the run is partial
PARTIAL_RUN_STREAM: Final = "partial_run"

_reason_key: Final = pytest.StashKey["str | None"]()


def _last_failures(config: pytest.Config) -> bool:
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    if cache is None:
        return False
    return bool(cache.get("cache/lastfailed", {}))


def _reason(config: pytest.Config) -> str | None:
    if config.getoption("stepwise", False) or config.getoption("stepwise_skip", False):
        return "--stepwise runs from the last failure and stops at the next one"
    last_failed = bool(config.getoption("lf", False))
    if not (last_failed or config.getoption("failedfirst", False)):
        return None
    if _last_failures(config):
        # --ff runs every test, the last failures first
        return "--lf ran only the last failures" if last_failed else None
    if config.getoption("last_failed_no_failures", "all") == "none":
        return "--lfnf=none deselected every test (no failures were recorded)"
    return None  # no recorded failures: --lf runs everything


def partial_run(config: pytest.Config) -> str | None:
    """Why this session runs only part of the suite by pytest's own choice, or None.
    Worked out on first call (call it by ``pytest_sessionstart``) and kept."""
    if _reason_key not in config.stash:
        config.stash[_reason_key] = _reason(config)
    return config.stash[_reason_key]


def partial_reason(facts: Mapping[str, Sequence[Any]]) -> str | None:
    """The reason recorded in a run's facts (serial, xdist or a merged shard)."""
    for entry in facts.get(PARTIAL_RUN_STREAM, ()):
        if isinstance(entry, dict) and entry.get("reason"):
            return f"partial run: {entry['reason']}: run the full suite"
    return None
