"""Faults never produce a `ready` verdict: crashed workers, hostile report files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Project, criterion
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
    result.stdout.fnmatch_lines(["alpha: NOT READY*"])


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
        assert shard.data["schema_version"] == 1


@settings(max_examples=100, deadline=None)
@given(document=json_values)
def test_random_valid_shaped_reports_merge_without_tracebacks(
    document: Any, tmp_path_factory: Any
) -> None:
    from pytest_graduation.merge import merge

    base = {
        "schema_version": 1,
        "level": "beta",
        "records": [],
        "facts": {},
        "criteria": [],
        "collection_errors": [],
        "config_digest": "",
        "plugin_version": "x",
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
