"""The parts of the plugin that run on xdist workers, driven in process (the suite's
own ``-n 2`` runs happen in subprocesses, out of coverage's sight). Configs are real;
a worker is a config with the ``workerinput``/``workeroutput`` attributes xdist gives
it, and a node going down is an object with the worker's ``workeroutput``, as xdist
hands it to the controller."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import Project
from pytest_graduation.facts import WORKEROUTPUT_KEY, FactShipping, facts_of


def _worker(pytester: pytest.Pytester, *args: str) -> pytest.Config:
    config = pytester.parseconfig("-p", "no:randomly", *args)
    config.workerinput = {"workerid": "gw0"}  # type: ignore[attr-defined]
    config.workeroutput = {}  # type: ignore[attr-defined]
    return config


def _finish(shipping: FactShipping) -> None:
    """Drive the sessionfinish wrapper as pluggy does, with no other hook inside."""
    wrapper = shipping.pytest_sessionfinish()
    next(wrapper)
    with pytest.raises(StopIteration):
        next(wrapper)


def test_facts_recorded_on_a_worker_reach_the_controller_as_json(
    pytester: pytest.Pytester,
) -> None:
    worker = _worker(pytester)
    facts_of(worker).add("golden_use", {"path": "g/x.txt", "sha": "ab"})
    facts_of(worker).add("flaky", "t.py::test")
    _finish(FactShipping(worker))
    payload = worker.workeroutput[WORKEROUTPUT_KEY]  # type: ignore[attr-defined]
    assert isinstance(payload, str)  # JSON text: never a pickle

    controller = pytester.parseconfig("-p", "no:randomly")
    facts_of(controller).add("flaky", "t.py::other")
    shipping = FactShipping(controller)
    _finish(shipping)  # not a worker: ships nothing
    node = SimpleNamespace(workeroutput=dict(worker.workeroutput))  # type: ignore[attr-defined]
    shipping.pytest_testnodedown(node, None)
    assert facts_of(controller).get("flaky") == ["t.py::other", "t.py::test"]
    assert facts_of(controller).get("golden_use") == [{"path": "g/x.txt", "sha": "ab"}]
    assert shipping.lost_workers == []
    # a worker that died before sending its facts is named
    shipping.pytest_testnodedown(SimpleNamespace(gateway=SimpleNamespace(id="gw3")), None)
    assert shipping.lost_workers == ["gw3 was lost; its results are missing"]
    # a worker that finished (its workeroutput arrived) without facts is told apart
    shipping.pytest_testnodedown(
        SimpleNamespace(gateway=SimpleNamespace(id="gw4"), workeroutput={}), None
    )
    assert shipping.lost_workers[-1] == "gw4 finished but sent no facts"


PRETEND_WORKER = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.workerinput = {"workerid": "gw0"}
    config.workeroutput = {}
"""


def test_a_worker_records_but_does_not_judge(project: Project) -> None:
    project.write("conftest.py", PRETEND_WORKER)
    project.config("[tool.graduation.criteria.alpha]\nmax_skipped = 0\n")
    project.write("test_x.py", "import pytest\n\ndef test_skip():\n    pytest.skip('later')\n")
    # xdist itself is off: its worker side would look for a controller
    result = project.run("--graduation=alpha", "--graduation-report=r.json", "-p", "no:xdist")
    assert result.ret == 0  # the controller judges (max_skipped would fail it)
    assert "graduation: alpha" not in result.stdout.str()
    assert not (project.path / "r.json").exists()
