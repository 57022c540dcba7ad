"""The fresh-interpreter side: a pytest session started by :mod:`processes`.

It reads its job (a JSON file named by an environment variable, removed from the
environment at once so nested pytest runs do not inherit it), keeps only the
deterministic tests of the job, runs each once while collecting its observation,
and writes them all as JSON at the end of the session. It never gates.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.atomic import write_atomic
from pytest_graduation.determinism import JOB_ENV
from pytest_graduation.determinism.marker import DeterministicSpec, remember_spec, spec_key
from pytest_graduation.determinism.observation import Observation, encode_all
from pytest_graduation.determinism.runner import observe_run
from pytest_graduation.settings import GraduationConfig

_HINT: Final = "pytest-graduation fresh-interpreter run"


@final
@dataclass(frozen=True)
class Job:
    nodeids: frozenset[str]
    output: Path
    hypothesis: bool


def take_job() -> Job | None:
    """The job of this process if it is a fresh-interpreter run (else None)."""
    path = os.environ.pop(JOB_ENV, None)
    if not path:
        return None
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        nodeids, output = raw["nodeids"], raw["output"]
        if not (isinstance(nodeids, list) and all(isinstance(n, str) for n in nodeids)):
            raise ValueError("nodeids must be a list of str")
        if not isinstance(output, str):
            raise ValueError("output must be a str")
        return Job(frozenset(nodeids), Path(output), raw.get("hypothesis") is True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise pytest.UsageError(f"{_HINT}: bad job file {path}: {exc}") from None


@final
class ChildRecorder:
    def __init__(self, settings: GraduationConfig, job: Job) -> None:
        self.settings = settings
        self.job = job
        self.observations: dict[str, Observation] = {}

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        remember_spec(item, self.settings)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            wanted = item.nodeid in self.job.nodeids
            spec = item.stash.get(spec_key, None)
            (keep if wanted and isinstance(spec, DeterministicSpec) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        spec = item.stash.get(spec_key, None)
        if not isinstance(spec, DeterministicSpec):
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        run = observe_run(item, spec, nextitem=nextitem, log=True)
        self.observations[item.nodeid] = run.observation
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def pytest_sessionfinish(self) -> None:
        payload = json.dumps(encode_all(self.observations)).encode("utf-8")
        write_atomic(self.job.output, payload)
