"""Determinism (SPEC section 5): the ``deterministic`` marker, the ``observe`` fixture,
repeated in-process runs, runs in fresh interpreters and the ``determinism`` criterion.

Only the ``observe`` fixture exists in passive mode; the runner is registered when a
run count is asked for (``--determinism-runs``, or the gated level's
``determinism_runs``/``determinism_processes``). Submodules are imported when needed:
this module is imported by the criteria registry, which the runner imports in turn.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import string_list, whole_number

if TYPE_CHECKING:
    from pytest_graduation.model import Criterion

__all__ = ["FEATURE", "JOB_ENV", "configure", "criteria_from", "plan"]

#: names the job file of a fresh-interpreter run (set by the session that starts it)
JOB_ENV: Final = "PYTEST_GRADUATION_DETERMINISM_JOB"


def plan(config: pytest.Config, settings: GraduationConfig, level: str | None) -> tuple[int, int]:
    """(in-process runs, fresh-interpreter runs); (0, 0) when determinism is off.

    ``--determinism-runs`` and the level's ``determinism_runs`` both set a count; the
    larger wins, so a command line can raise a gate but never lower it.
    """
    option: int | None = config.getoption("determinism_runs", None)
    wanted = settings.criteria_for(level) if level is not None else LevelCriteria()
    processes = wanted.get("determinism_processes")
    counts = [n for n in (option, wanted.get("determinism_runs")) if n is not None]
    if not counts and processes is None:
        return 0, 0
    return max(counts, default=1), processes or 0


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""
    from pytest_graduation.determinism import observe

    manager = config.pluginmanager
    manager.register(observe, "graduation-observe")
    runs, processes = plan(config, settings, level)
    if not runs and not os.environ.get(JOB_ENV):
        return  # passive mode: nothing else is imported or registered
    from pytest_graduation.determinism import child, hypothesis_profile, runner

    job = child.take_job()
    if job is not None:  # a fresh-interpreter run started by a gating session
        if job.hypothesis and hypothesis_profile.wanted(config):
            manager.register(hypothesis_profile.DerandomizedProfile(), "graduation-hypothesis")
        manager.register(runner.PhaseRecorder(), "graduation-phases")
        manager.register(child.ChildRecorder(settings, job), "graduation-determinism-child")
        return
    hypothesis = hypothesis_profile.wanted(config)
    if hypothesis:
        manager.register(hypothesis_profile.DerandomizedProfile(), "graduation-hypothesis")
    manager.register(runner.RunCountReporting(), "graduation-run-count")
    results = _process_results(config, processes, hypothesis) if processes else None
    manager.register(runner.PhaseRecorder(), "graduation-phases")
    if manager.hasplugin("timeout"):
        manager.register(runner.TimeoutRearm(), "graduation-timeout-rearm")
    manager.register(
        runner.DeterminismRunner(config, settings, runs, processes, results),
        "graduation-determinism",
    )


def _process_results(config: pytest.Config, processes: int, hypothesis: bool) -> runner.ProcessRuns:
    """Where the fresh interpreters' observations come from; starts them unless this is
    an xdist worker (the controller starts them and shares its work folder)."""
    from pytest_graduation.determinism import processes as procs

    seeds = procs.hash_seeds(processes, os.environ.get("PYTHONHASHSEED"))
    timeout = procs.timeout_from(os.environ)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        shared = workerinput.get(procs.WORKERINPUT_KEY)
        folder = Path(shared) if isinstance(shared, str) else None
        return procs.ProcessResults(lambda: folder, seeds, timeout)
    spawner = procs.Spawner(config, seeds, timeout, hypothesis)
    config.pluginmanager.register(spawner, "graduation-determinism-spawner")
    return procs.ProcessResults(lambda: spawner.workdir, seeds, timeout)


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    runs, processes = wanted.get("determinism_runs"), wanted.get("determinism_processes")
    if runs is None and processes is None:
        return ()
    from pytest_graduation.determinism.criterion import DeterminismCriterion

    return (DeterminismCriterion(runs or 1, processes or 0),)


FEATURE = Feature(
    name="determinism",
    criteria=criteria_from,
    keys=(
        Key("determinism_runs", whole_number(1), "determinism"),
        Key("determinism_processes", whole_number(0), "determinism"),
    ),
    global_keys=(GlobalKey("deterministic", string_list, ()),),
    configure=configure,
)


if TYPE_CHECKING:
    from pytest_graduation.determinism import runner
