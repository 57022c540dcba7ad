"""Stale globs are typos (SPEC section 19): a ``phases``, ``deterministic`` or capability
``tests`` glob that matches no collected test makes ``tests`` unmet, unless the run was
partial; serial, under xdist and in ``merge``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, criterion, serial_only
from pytest_graduation.merge import main

CONFIG = """
    [tool.graduation]
    deterministic = ["tests/test_det.py::*", "tests/test_dte.py::*"]

    [tool.graduation.phases]
    "tests/test_late.py::*" = "beta"
    "tests/experimantal/*" = "rc"

    [tool.graduation.capabilities.parser]
    tests = ["tests/test_parse.py::*", "tests/test_parser.py::*"]

    [tool.graduation.capabilities."cli.run"]
    tests = ["tests/test_cli.py::*"]
"""
SUITE = {
    "tests/test_det.py": "def test_stable():\n    pass\n",
    "tests/test_late.py": "def test_later():\n    pass\n",
    "tests/test_parse.py": "def test_parse():\n    pass\n",
    "tests/test_cli.py": "def test_run():\n    pass\n",
}
STALE = [
    'glob "tests/experimantal/*" in phases matches no test (a typo?)',
    'glob "tests/test_dte.py::*" in deterministic matches no test (a typo?)',
    'glob "tests/test_parser.py::*" in capabilities.parser.tests matches no test (a typo?)',
]


def _project(project: Project, config: str = CONFIG) -> None:
    project.config(config)
    for path, text in SUITE.items():
        project.write(path, text)


def test_a_glob_matching_no_test_makes_tests_unmet(project: Project, dist: list[str]) -> None:
    _project(project)
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    tests = criterion(report, "tests")
    assert tests["status"] == "unmet"
    assert tests["measured"] == "3/3 passed"  # every test passed: the typo alone fails it
    assert tests["details"] == STALE
    result.stdout.fnmatch_lines(["tests (unmet):", *(f"  - {line}" for line in STALE)])


def test_globs_that_all_match_leave_tests_met(project: Project, dist: list[str]) -> None:
    fixed = CONFIG.replace('"tests/experimantal/*" = "rc"', "")
    fixed = fixed.replace(', "tests/test_dte.py::*"', "").replace(', "tests/test_parser.py::*"', "")
    _project(project, fixed)
    result, report = project.gate("alpha", *dist)
    assert result.ret == 0
    assert criterion(report, "tests")["status"] == "met"
    # one fact per collecting process (xdist: each worker collects every test)
    facts = report["facts"]["glob_matches"]
    assert len(facts) == (2 if dist else 1)
    assert all(len(f["matched"]) == 4 for f in facts)


def test_a_glob_matching_only_deselected_tests_is_not_stale(
    project: Project, dist: list[str]
) -> None:
    # test_later is pending at alpha: deselecting it leaves the run whole, and its
    # phases glob matched it at collection
    _project(project)
    _, report = project.gate("alpha", "-k", "not test_later", *dist)
    tests = criterion(report, "tests")
    assert (tests["status"], tests["details"]) == ("unmet", STALE)
    assert report["tests"]["deselected"] == 1


@serial_only
def test_a_partial_run_judges_no_glob(project: Project, dist: list[str]) -> None:
    _project(project)
    _, report = project.gate("alpha", "--deselect=tests/test_cli.py::test_run", *dist)
    tests = criterion(report, "tests")
    assert tests["status"] == "inconclusive"
    assert tests["details"][0] == "1 required tests deselected: run the full suite"
    assert "a typo?" not in str(tests["details"])


def test_last_failed_leaves_files_uncollected_so_no_glob_is_judged(project: Project) -> None:
    _project(project)
    project.write("tests/test_cli.py", "def test_run():\n    assert False\n")
    first = project.pytester.runpytest("-p", "no:randomly")  # records the failure
    assert first.ret == 1
    report = project.path / "lf.json"
    result = project.pytester.runpytest(
        "-p", "no:randomly", "--lf", "--graduation=alpha", f"--graduation-report={report}"
    )
    result.stdout.fnmatch_lines(["*run-last-failure*"])
    tests = criterion(json.loads(report.read_text()), "tests")
    assert tests["status"] == "unmet"  # the failing test
    assert not any("a typo?" in line for line in tests["details"])


# --- merge: globs that matched in any shard count -------------------------------------


def _shard(project: Project, name: str, *paths: str) -> Path:
    target = project.path / name
    result = project.run("--graduation=alpha", f"--graduation-report={target}", *paths)
    assert result.ret in (0, 1), result.stdout.str()
    return target


def _merged(project: Project, *shards: Path) -> tuple[int, dict[str, Any]]:
    target = project.path / "merged.json"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            [
                "merge",
                "--level",
                "alpha",
                f"--rootdir={project.path}",
                f"--graduation-report={target}",
            ]
            + [str(s) for s in shards],
            out,
        )
    assert err.getvalue() == ""
    return code, json.loads(target.read_text())


def test_merge_counts_a_glob_that_matched_in_any_shard(project: Project) -> None:
    fixed = CONFIG.replace('"tests/experimantal/*" = "rc"', "")
    fixed = fixed.replace(', "tests/test_dte.py::*"', "").replace(', "tests/test_parser.py::*"', "")
    _project(project, fixed)
    # shards by path: each collects only its files, so alone each misses some globs
    first = _shard(project, "shard0.json", "tests/test_det.py", "tests/test_late.py")
    second = _shard(project, "shard1.json", "tests/test_parse.py", "tests/test_cli.py")
    alone = criterion(json.loads(first.read_text()), "tests")["details"]
    assert (
        'glob "tests/test_cli.py::*" in capabilities."cli.run".tests matches no test (a typo?)'
        in alone
    )
    code, merged = _merged(project, first, second)
    assert code == 0
    assert criterion(merged, "tests")["status"] == "met"


def test_merge_finds_a_glob_that_matched_in_no_shard(project: Project) -> None:
    _project(project)
    first = _shard(project, "shard0.json", "tests/test_det.py", "tests/test_late.py")
    second = _shard(project, "shard1.json", "tests/test_parse.py", "tests/test_cli.py")
    code, merged = _merged(project, first, second)
    assert code == 1
    tests = criterion(merged, "tests")
    assert (tests["status"], tests["details"]) == ("unmet", STALE)


@pytest.mark.parametrize("narrowed", [True, False])
def test_merge_judges_no_glob_when_a_shard_narrowed_its_collection(
    project: Project, narrowed: bool
) -> None:
    _project(project)
    first = _shard(project, "shard0.json")
    data = json.loads(first.read_text())
    for fact in data["facts"]["glob_matches"]:
        fact["narrowed"] = narrowed  # as a shard run with --lf records it
    first.write_text(json.dumps(data))
    _, merged = _merged(project, first)
    assert ("a typo?" in str(criterion(merged, "tests")["details"])) is not narrowed
