"""Reading pytest-benchmark's results through its public hooks.

pytest-benchmark computes its statistics at the start of ``pytest_sessionfinish`` and
hands them to the documented ``pytest_benchmark_group_stats`` hook (to group them for
its table) in every session where a benchmark ran, with or without JSON output. An
observing wrapper of that hook records each benchmark of this session (not those it
loaded for ``--benchmark-compare``) in the :data:`BENCHMARKS_STREAM` fact stream, on
the process where they ran. The machine info comes from the documented
``pytest_benchmark_generate_machine_info`` / ``pytest_benchmark_update_machine_info``
hooks, as pytest-benchmark builds it for its saved runs.

On the judging process, :data:`SESSION_STREAM` says whether benchmarks could run at
all: pytest-benchmark missing, disabled, skipped or off under xdist.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Final, final

import pytest

from pytest_graduation.baselines.store import STATS
from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.strict_json import plain

#: one value per benchmark that ran: {"name", "min", "median", "mean", "stddev", "rounds"}
BENCHMARKS_STREAM: Final = "benchmarks"
#: one value per judging process: {"active": bool, "why": str, "machine_info": {...}}
SESSION_STREAM: Final = "benchmark_session"
#: pytest-benchmark's entry point name (``-p no:benchmark``) and its session object
PLUGIN_NAME: Final = "benchmark"
SESSION_PLUGIN: Final = "pytest-benchmark"


def stats_of(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """One benchmark row as recorded, or ``None`` when it holds no usable statistics."""
    name = row.get("fullname")
    values = {field: row.get(field) for field in STATS}
    rounds = row.get("rounds")
    numbers = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for v in values.values()
    )
    if not isinstance(name, str) or not numbers or not isinstance(rounds, int):
        return None
    return {"name": name, **{k: float(v) for k, v in values.items()}, "rounds": rounds}  # type: ignore[arg-type]


def why_off(config: pytest.Config) -> str:
    """Why benchmarks cannot run in this session, or ``""`` when they can."""
    manager = config.pluginmanager
    if not manager.hasplugin(PLUGIN_NAME):
        if importlib.util.find_spec("pytest_benchmark") is None:
            return "pytest-benchmark is not installed: install it to run the benchmarks"
        return "pytest-benchmark is disabled (-p no:benchmark): drop that option"
    # pytest-benchmark's session object knows best (--benchmark-only undoes
    # --benchmark-skip); the options are the fallback when it is not there
    session: Any = manager.getplugin(SESSION_PLUGIN)
    skip = getattr(session, "skip", config.getoption("benchmark_skip", default=False))
    if skip:
        return "--benchmark-skip skipped the benchmarks: drop it"
    distributed = config.getoption("dist", default="no") not in ("no", None)
    if distributed or is_xdist_worker(config) or "PYTEST_XDIST_WORKER" in os.environ:
        return (
            "pytest-benchmark switches itself off under pytest-xdist: run the benchmarks "
            "in a serial session (-p no:xdist or -n 0)"
        )
    disabled = config.getoption("benchmark_disable", default=False) and not config.getoption(
        "benchmark_enable", default=False
    )
    if disabled or getattr(session, "disabled", False):
        return "pytest-benchmark is disabled (--benchmark-disable): drop it"
    return ""


def coverage_left_out(config: pytest.Config) -> str:
    """Why pytest-benchmark made this run's coverage not the suite's, or ``""``."""
    if config.getoption("benchmark_only", default=False):
        return "--benchmark-only skipped the other tests"
    return ""


def machine_info(config: pytest.Config) -> dict[str, Any]:
    """pytest-benchmark's machine info, built through its documented hooks."""
    info = config.hook.pytest_benchmark_generate_machine_info(config=config)
    if not isinstance(info, dict):
        return {}
    config.hook.pytest_benchmark_update_machine_info(config=config, machine_info=info)
    found: dict[str, Any] = plain(info)  # strict JSON: it travels in reports and the file
    return found


@final
class BenchmarkReader:
    """Registered on every process while benchmarks matter (gating with
    ``benchmark_regression``, or ``--update-baseline``)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.finished = False

    @pytest.hookimpl(wrapper=True, optionalhook=True)
    def pytest_benchmark_group_stats(
        self, config: pytest.Config, benchmarks: Iterable[Mapping[str, Any]], group_by: str
    ) -> Generator[None, Any, Any]:
        rows = list(benchmarks)
        store = facts_of(self.config)
        for row in rows:
            # rows loaded for --benchmark-compare carry the path of their saved run
            recorded = stats_of(row) if row.get("path") is None else None
            if recorded is not None:
                store.add(BENCHMARKS_STREAM, recorded)
        return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.finish()

    def finish(self) -> None:
        """Record, once, whether benchmarks could run here (judging process only)."""
        if self.finished or is_xdist_worker(self.config):
            return
        self.finished = True
        why = why_off(self.config)
        state: dict[str, Any] = {"active": not why}
        if why:
            state["why"] = why
        elif facts_of(self.config).get(BENCHMARKS_STREAM):
            state["machine_info"] = machine_info(self.config)
        facts_of(self.config).add(SESSION_STREAM, state)
