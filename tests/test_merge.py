"""`python -m pytest_graduation merge`: one verdict from CI shards."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Project, criterion, make_run, records_of, table_of
from pytest_graduation.config import GraduationConfig, parse
from pytest_graduation.item_facts import ItemKind, item_batch
from pytest_graduation.judge import build_records, judge
from pytest_graduation.merge import main, merge
from pytest_graduation.outcomes import Entry
from pytest_graduation.report import render_json

CONFIG = """
    [tool.pytest.ini_options]
    markers = ["security"]

    [tool.graduation.criteria.beta]
    max_skipped = 0
    required_markers = { security = 2 }

    [tool.graduation.capabilities.auth]
    tests = ["test_auth.py::*"]

    [tool.graduation.criteria.alpha]
    capabilities = true
"""
AUTH = """
    import pytest

    @pytest.mark.security
    def test_login():
        pass

    @pytest.mark.security
    def test_logout():
        pass
"""
OTHER = """
    import pytest

    def test_ok():
        pass

    @pytest.mark.phase("rc")
    def test_later():
        assert False
"""


def _shards(project: Project, *extra: str) -> list[Path]:
    project.config(CONFIG)
    project.write("test_auth.py", AUTH)
    project.write("test_other.py", OTHER)
    paths = []
    for index, deselect in enumerate(["test_auth.py", "test_other.py"]):
        target = project.path / f"shard{index}.json"
        result = project.run(
            "--graduation=beta",
            f"--graduation-report={target}",
            f"--deselect={deselect}",
            *extra,
        )
        assert result.ret in (0, 1)
        paths.append(target)
    return paths


def _merge(project: Project, *args: str) -> tuple[int, str, str]:
    """``python -m pytest_graduation merge ARGS`` run in this process (so that coverage
    sees it) from the project folder; tests/test_merge_recipe.py runs the real command."""
    assert Path.cwd() == project.path
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["merge", *args], out)
    return code, out.getvalue(), err.getvalue()


def test_each_shard_alone_is_not_ready_but_the_merge_is(project: Project) -> None:
    paths = _shards(project)
    shard0 = json.loads(paths[0].read_text())
    assert shard0["verdict"] == "not-ready"  # auth tests deselected: inconclusive
    code, out, err = _merge(
        project, "--level", "beta", *map(str, paths), "--graduation-report", "merged.json"
    )
    assert err == ""
    assert code == 0, out
    assert "graduation: beta (merged from 2 reports)" in out
    assert out.rstrip().endswith("graduation report written to merged.json")
    assert "beta: READY" in out
    merged = json.loads((project.path / "merged.json").read_text())
    assert merged["verdict"] == "ready"
    assert merged["tests"]["passed"] == 3
    assert merged["tests"]["pending"] == ["test_other.py::test_later"]
    assert merged["capabilities"][0]["status"] == "proven"
    assert criterion(merged, "required_markers")["measured"] == {"security": 2}


def test_merge_matches_the_unsplit_run(project: Project) -> None:
    paths = _shards(project)
    _, whole = project.gate("beta")
    code, _, _ = _merge(
        project, "--level", "beta", *map(str, paths), "--graduation-report", "m.json"
    )
    merged = json.loads((project.path / "m.json").read_text())
    assert code == 0
    for key in ("verdict", "criteria", "tests", "capabilities"):
        assert merged[key] == whole[key], key


def test_a_missing_shard_leaves_capabilities_unproven(project: Project) -> None:
    paths = _shards(project)
    code, out, _ = _merge(project, "--level", "beta", str(paths[0]))
    assert code == 1
    assert "beta: NOT READY" in out
    assert "auth: inconclusive" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "the top level is not an object"),
        ('{"schema_version": 99}', "schema_version 99 is not supported"),
        ('{"schema_version": 3, "level": "beta"}', "'records' missing or not a dict"),
    ],
)
def test_malformed_reports_are_usage_errors(project: Project, content: str, message: str) -> None:
    (project.path / "bad.json").write_text(content)
    code, out, err = _merge(project, "--level", "beta", "bad.json")
    assert code == 4
    assert message in err
    assert out == ""


def test_disagreeing_shards_are_reported(project: Project) -> None:
    paths = _shards(project)
    data = json.loads(paths[1].read_text())
    data["plugin_version"] = "0.0.1"
    paths[1].write_text(json.dumps(data))
    code, _, err = _merge(project, "--level", "beta", *map(str, paths))
    assert code == 4
    assert "shard reports disagree on plugin_version" in err
    code, _, err = _merge(project, "--level", "rc", str(paths[0]))
    assert code == 4
    assert "shard reports disagree on level (merge: 'rc')" in err


def test_changed_configuration_is_reported(project: Project) -> None:
    paths = _shards(project)
    project.config(CONFIG + "\n[tool.graduation.criteria.stable]\nmax_xfailed = 0\n")
    code, _, err = _merge(project, "--level", "beta", *map(str, paths))
    assert code == 4
    assert "shard reports disagree on config_digest" in err
    # which keys differ, for each shard
    assert "configuration differs between the shards and this merge" in err
    assert "shard0.json: criteria.stable; shard1.json: criteria.stable" in err


def test_a_shard_with_another_configuration_is_named_with_its_keys(project: Project) -> None:
    paths = _shards(project)
    project.config(CONFIG + '\n[tool.graduation]\nphases = { "test_auth.py::*" = "rc" }\n')
    other = project.path / "other.json"
    project.run("--graduation=beta", f"--graduation-report={other}")
    project.config(CONFIG)
    code, _, err = _merge(project, "--level", "beta", *map(str, paths), str(other))
    assert code == 4
    assert "this merge, in other.json: phases (run every shard" in err, err
    assert "shard0.json" not in err  # the shards that agree are not named
    old = json.loads(other.read_text())
    del old["config_keys"]  # a report written before the keys were recorded
    other.write_text(json.dumps(old))
    code, _, err = _merge(project, "--level", "beta", *map(str, paths), str(other))
    assert code == 4
    assert "other.json: keys not recorded (an older report)" in err


def test_conflicting_outcomes_fail_tests(project: Project) -> None:
    paths = _shards(project)
    data = json.loads(paths[0].read_text())  # shard0 deselected the auth tests
    records = records_of(data)
    for record in records:
        if record["nodeid"] == "test_auth.py::test_login":
            record["outcome"], record["deselected"] = "failed", False
    data["records"] = table_of(*records)
    paths[0].write_text(json.dumps(data))
    code, out, _ = _merge(project, "--level", "beta", *map(str, paths))
    assert code == 1
    assert "shard conflict: test_auth.py::test_login: failed in shard0.json but passed in " in out


def test_unknown_level_and_missing_coverage_file(project: Project) -> None:
    paths = _shards(project)
    assert _merge(project, "--level", "gamma", str(paths[0]))[0] == 4
    code, _, err = _merge(project, "--level", "beta", "--coverage-file", "nope", str(paths[0]))
    assert code == 4
    assert "--coverage-file nope: no such file" in err


def test_main_in_process_reports_missing_file(tmp_path: Path, capsys: Any) -> None:
    assert main(["merge", "--level", "beta", str(tmp_path / "none.json")]) == 4
    assert "cannot read" in capsys.readouterr().err


# --- property: any split of one run merges to the unsplit verdict ------------------

SETTINGS: GraduationConfig = parse(
    {
        "criteria": {"beta": {"max_skipped": 1, "required_markers": {"m": 2}}},
        "capabilities": {"cap": {"tests": ["t/test_0*"]}},
    },
    source=None,
    prefix="",
)
outcomes = st.sampled_from(["passed", "failed", "skipped", "xfailed"])
tests = st.lists(
    st.tuples(outcomes, st.sampled_from(["alpha", "beta", "rc"]), st.booleans()),
    min_size=1,
    max_size=12,
)


def _report(rows: list[tuple[str, str, bool]], shard: set[int] | None) -> dict[str, Any]:
    items: list[tuple[str, ItemKind]] = []
    entries = {}
    for index, (outcome, phase, marked) in enumerate(rows):
        nodeid = f"t/test_{index}.py::test"
        ran = shard is None or index in shard
        capabilities = ("cap",) if nodeid.startswith("t/test_0") else ()
        items.append((nodeid, (phase, ("m",) if marked else (), capabilities, not ran)))
        if ran:
            entries[nodeid] = Entry(outcome=outcome)
    run = make_run(
        level="beta",
        tests=build_records([item_batch(items)], entries, SETTINGS, "beta"),
        rootdir=Path("."),
        settings=SETTINGS,
    )
    from pytest_graduation.features import builtin_criteria

    report: dict[str, Any] = json.loads(render_json(judge(run, builtin_criteria(SETTINGS, "beta"))))
    return report


@settings(max_examples=60, deadline=None)
@given(rows=tests, cuts=st.lists(st.integers(0, 2), min_size=12, max_size=12))
def test_any_split_merges_to_the_unsplit_verdict(
    rows: list[tuple[str, str, bool]], cuts: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("shards")
    whole = _report(rows, None)
    paths = []
    for shard in range(3):
        members = {i for i in range(len(rows)) if cuts[i] == shard}
        path = folder / f"s{shard}.json"
        path.write_text(json.dumps(_report(rows, members)))
        paths.append(path)
    merged = json.loads(render_json(merge("beta", paths, SETTINGS, Path("."))))
    assert merged["verdict"] == whole["verdict"]
    assert merged["criteria"] == whole["criteria"]
    assert merged["capabilities"] == whole["capabilities"]


def test_module_entry_point_runs_merge(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    import importlib

    monkeypatch.setattr(sys, "argv", ["pytest_graduation", "merge", "--level", "beta", "x.json"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "pytest_graduation.__main__", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        importlib.import_module("pytest_graduation.__main__")
    assert exit_info.value.code == 4
    assert "x.json: cannot read" in capsys.readouterr().err
