"""The fresh-interpreter side of ``determinism_processes``, run in process: a pytest
session given the job file a gating session would give its children (see
``determinism/processes.py``), so the child's own code is checked and measured."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Project
from pytest_graduation.determinism import JOB_ENV
from pytest_graduation.determinism.child import take_job
from pytest_graduation.determinism.hypothesis_profile import PROFILE
from pytest_graduation.determinism.observation import Observation, decode_all

TESTS = """
import pytest

@pytest.mark.deterministic
def test_observed(observe):
    observe({"b": 2, "a": 1})
    observe("text", name="label")

@pytest.mark.deterministic(stdout=True)
def test_prints(observe):
    print("hello from the child")

@pytest.mark.deterministic
def test_fails():
    assert 1 == 2, "boom"

@pytest.mark.deterministic
def test_not_in_job():
    pass

def test_plain():
    pass

@pytest.mark.deterministic(runs="x")
def test_bad_marker():
    pass
"""
JOB = [
    "test_child.py::test_observed",
    "test_child.py::test_prints",
    "test_child.py::test_fails",
    "test_child.py::test_plain",  # not deterministic: the child drops it
    "test_child.py::test_bad_marker",  # an invalid marker: dropped as well
]


def _job(path: Path, payload: Any) -> Path:
    job = path / "job-0.json"
    job.write_text(json.dumps(payload), encoding="utf-8")
    return job


def _run_child(
    project: Project, monkeypatch: pytest.MonkeyPatch, payload: Any, *args: str
) -> pytest.RunResult:
    monkeypatch.setenv(JOB_ENV, str(_job(project.path, payload)))
    result = project.run(*args)
    # taken from the environment at once, so nested pytest runs never inherit it
    assert JOB_ENV not in os.environ
    return result


def test_a_child_runs_only_the_deterministic_tests_of_its_job_and_writes_observations(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("test_child.py", TESTS)
    output = project.path / "out-0.json"
    result = _run_child(project, monkeypatch, {"nodeids": JOB, "output": str(output)}, "-v")
    result.assert_outcomes(passed=2, failed=1, deselected=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the child reports, it never gates
    assert "graduation:" not in result.stdout.str()
    observations = decode_all(json.loads(output.read_text(encoding="utf-8")))
    assert set(observations) == {
        "test_child.py::test_observed",
        "test_child.py::test_prints",
        "test_child.py::test_fails",
    }
    observed = observations["test_child.py::test_observed"]
    assert observed == Observation(
        "passed",
        (("observe:#1", '{\n  "a": 1,\n  "b": 2\n}\n'), ("observe:label", "text")),
    )
    assert observations["test_child.py::test_prints"].stdout == "hello from the child\n"
    failed = observations["test_child.py::test_fails"]
    assert failed.outcome == "failed"
    assert "boom" in failed.failure
    assert not list(project.path.glob("*.tmp"))  # written atomically


def test_a_child_with_no_wanted_test_writes_an_empty_observation_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("test_child.py", TESTS)
    output = project.path / "out.json"
    result = _run_child(project, monkeypatch, {"nodeids": [], "output": str(output)})
    result.assert_outcomes(deselected=6)
    assert decode_all(json.loads(output.read_text(encoding="utf-8"))) == {}


LATE_ITEM = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(session, config, items):
    kept = list(items)
    yield
    # a plugin that adds an item after every filter has run
    items[:] = [*items, *(i for i in kept if i.name == "test_plain" and i not in items)]
"""


def test_an_item_added_after_the_childs_filter_runs_unobserved(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("conftest.py", LATE_ITEM)
    project.write("test_child.py", TESTS)
    output = project.path / "out.json"
    job = {"nodeids": ["test_child.py::test_observed"], "output": str(output)}
    result = _run_child(project, monkeypatch, job, "-v")
    result.assert_outcomes(passed=2, deselected=5)
    result.stdout.fnmatch_lines(["*test_child.py::test_plain PASSED*"])
    observations = decode_all(json.loads(output.read_text(encoding="utf-8")))
    assert set(observations) == {"test_child.py::test_observed"}


TEXT_ITEMS = """
import pytest

class CheckItem(pytest.Item):
    def runtest(self):
        raise ValueError("bad data")

    def repr_failure(self, excinfo, style=None):
        # a plain-text failure, as non-Python items often report
        return MESSAGES[self.name]

    def reportinfo(self):
        return self.path, 0, self.name

MESSAGES = {"worded": "checking data.check\\nvalue 3 is out of range\\n", "silent": ""}

class CheckFile(pytest.File):
    def collect(self):
        for name in MESSAGES:
            item = CheckItem.from_parent(self, name=name)
            item.add_marker("deterministic")
            yield item

def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".check":
        return CheckFile.from_parent(parent, path=file_path)
"""


def test_a_plain_text_failure_is_observed_as_its_last_line(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("conftest.py", TEXT_ITEMS)
    project.write("data.check", "3\n")
    output = project.path / "out.json"
    job = {"nodeids": ["data.check::worded", "data.check::silent"], "output": str(output)}
    result = _run_child(project, monkeypatch, job)
    result.assert_outcomes(failed=2)
    observations = decode_all(json.loads(output.read_text(encoding="utf-8")))
    assert observations["data.check::worded"] == Observation(
        "failed", failure="value 3 is out of range"
    )
    assert observations["data.check::silent"] == Observation("failed", failure="")


HYPOTHESIS_PROFILE = """
import pytest
from hypothesis import settings

@pytest.mark.deterministic
def test_profile(observe):
    observe(settings.get_current_profile_name())
"""


@pytest.mark.parametrize("hypothesis", [True, False])
def test_a_child_derandomizes_hypothesis_only_when_its_job_says_so(
    project: Project, monkeypatch: pytest.MonkeyPatch, hypothesis: bool
) -> None:
    from hypothesis import settings

    before = settings.get_current_profile_name()
    project.write("test_prof.py", HYPOTHESIS_PROFILE)
    output = project.path / "out.json"
    payload = {"nodeids": ["test_prof.py::test_profile"], "output": str(output)}
    result = _run_child(project, monkeypatch, {**payload, "hypothesis": hypothesis})
    result.assert_outcomes(passed=1)
    observation = decode_all(json.loads(output.read_text(encoding="utf-8")))
    (value,) = observation["test_prof.py::test_profile"].values
    assert (value[1] == PROFILE) is hypothesis
    assert settings.get_current_profile_name() == before  # restored at unconfigure


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "Expecting value"),
        ('{"output": "x"}', "'nodeids'"),
        ('{"nodeids": "a", "output": "x"}', "nodeids must be a list of str"),
        ('{"nodeids": [1], "output": "x"}', "nodeids must be a list of str"),
        ('{"nodeids": [], "output": 3}', "output must be a str"),
        ("[]", "list indices must be integers"),
    ],
)
def test_a_bad_job_file_is_a_usage_error(
    project: Project, monkeypatch: pytest.MonkeyPatch, content: str, problem: str
) -> None:
    project.write("test_child.py", TESTS)
    job = project.path / "job.json"
    job.write_text(content, encoding="utf-8")
    monkeypatch.setenv(JOB_ENV, str(job))
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*pytest-graduation fresh-interpreter run: bad job file {job}: *{problem}*"]
    )


def test_a_missing_job_file_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(JOB_ENV, str(tmp_path / "gone.json"))
    with pytest.raises(pytest.UsageError, match=r"bad job file .*gone\.json: .*No such file"):
        take_job()
    assert JOB_ENV not in os.environ


def test_take_job_reads_the_job_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    job = _job(tmp_path, {"nodeids": ["a::b", "a::b"], "output": "o.json", "hypothesis": 1})
    monkeypatch.setenv(JOB_ENV, str(job))
    taken = take_job()
    assert taken is not None
    assert taken.nodeids == frozenset({"a::b"})
    assert taken.output == Path("o.json")
    assert taken.hypothesis is False  # only a JSON true asks for the profile
    assert take_job() is None  # popped: a nested session is no child
    monkeypatch.setenv(JOB_ENV, "")
    assert take_job() is None
