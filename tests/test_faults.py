"""Faults never produce a `ready` verdict: crashed workers, hostile report files."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Project, criterion, table_of
from pytest_graduation.config import GraduationConfig
from pytest_graduation.merge import MergeError, read_shard


def test_crashed_xdist_worker_makes_the_verdict_not_ready(project: Project) -> None:
    project.write(
        "test_x.py",
        """
        import os

        def test_crash():
            os._exit(3)

        def test_ok():
            pass
        """,
    )
    result, report = project.gate("alpha", "-n", "2")
    assert result.ret != 0
    assert report["verdict"] == "not-ready"
    details = " ".join(criterion(report, "tests")["details"])
    assert "test_x.py::test_crash" in details
    assert re.search(r"xdist worker gw\d was lost; its results are missing", details)
    result.stdout.fnmatch_lines(["alpha: NOT READY*"])


def test_a_worker_lost_after_its_tests_passed_makes_the_verdict_not_ready(
    project: Project,
) -> None:
    # every test passes, but one worker dies before it sends its facts to the controller
    project.write(
        "conftest.py",
        """
        import os

        def pytest_sessionfinish(session):
            workerinput = getattr(session.config, "workerinput", None)
            if workerinput is not None and workerinput["workerid"] == "gw1":
                os._exit(0)
        """,
    )
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.parametrize("i", range(6))
        def test_ok(i):
            pass
        """,
    )
    result, report = project.gate("alpha", "-n", "2")
    result.assert_outcomes(passed=6)
    assert result.ret == 1
    assert report["verdict"] == "not-ready"
    assert criterion(report, "tests")["details"] == [
        "xdist worker gw1 was lost; its results are missing"
    ]


#: ``python -m pytest`` with Ctrl-C handled. A shell that starts this suite in the
#: background (``cmd &`` without job control) hands it SIGINT ignored, and an ignored
#: signal stays ignored across ``exec``: the session would never see the Ctrl-C.
PYTEST_WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('pytest', run_name='__main__', alter_sys=True)"
)


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX process groups")
def test_ctrl_c_under_xdist_prints_no_verdict(project: Project) -> None:
    project.write(
        "test_x.py",
        """
        import pathlib
        import time

        def test_ok():
            pass

        def test_waits():
            pathlib.Path("started").write_text("")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not pathlib.Path("release").exists():
                time.sleep(0.01)
        """,
    )
    gate = ["-n", "2", "--graduation=alpha", "--graduation-report=r.json"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PYTEST_WITH_CTRL_C,
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *gate,
        ],
        cwd=project.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (project.path / "started").exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # short polling with a deadline: wait for the test to start
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        (project.path / "release").write_text("")
        out, _ = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    text = out.decode("utf-8", "replace")
    assert process.returncode == 2, text
    assert "graduation: alpha: not judged (session interrupted)" in text
    assert "READY" not in text.replace("NOT JUDGED", "")
    written = json.loads((project.path / "r.json").read_text(encoding="utf-8"))
    assert written["verdict"] == "not-judged"
    assert written["reason"] == "session interrupted"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "schema_version",
                    "level",
                    "records",
                    "facts",
                    "criteria",
                    "nodeid",
                    "outcome",
                    "phase",
                    "markers",
                    "config_digest",
                    "plugin_version",
                    "collection_errors",
                    "run_id",
                    "verdict",
                    "lost_workers",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(document=json_values)
def test_random_report_json_is_accepted_or_rejected_cleanly(
    document: Any, tmp_path_factory: Any
) -> None:
    path: Path = tmp_path_factory.mktemp("r") / "shard.json"
    path.write_text(json.dumps(document))
    try:
        shard = read_shard(path)
    except MergeError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert shard.data["schema_version"] == 3


@settings(max_examples=100, deadline=None)
@given(document=json_values)
def test_random_valid_shaped_reports_merge_without_tracebacks(
    document: Any, tmp_path_factory: Any
) -> None:
    from pytest_graduation.merge import merge

    base = {
        "schema_version": 3,
        "tests": {},
        "level": "beta",
        "records": table_of(),
        "facts": {},
        "criteria": [],
        "collection_errors": [],
        "config_digest": GraduationConfig().digest,
        "plugin_version": "x",
        "run_id": "r1",
        "verdict": "not-ready",
        "lost_workers": [],
    }
    if isinstance(document, dict):
        base.update(document)
    path: Path = tmp_path_factory.mktemp("r") / "shard.json"
    path.write_text(json.dumps(base))
    try:
        report = merge("beta", [path], GraduationConfig(), Path("."))
    except MergeError:
        return
    assert report.verdict in ("ready", "not-ready")
