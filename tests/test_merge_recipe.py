"""The CI recipe of docs/ci.md, run on local files: shards with pytest-xdist and
coverage, `coverage combine`, then `merge --coverage-file`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import Project, criterion

CONFIG = """
    [tool.graduation.criteria.beta]
    coverage = 100
    coverage_paths = { "pkg/**" = 100 }
"""
PACKAGE = """
    def one():
        return 1


    def two():
        return 2
"""


def _run(project: Project, *args: str, env: dict[str, str] | None = None) -> int:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=project.path,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode


def test_recipe_commands_on_local_files(project: Project) -> None:
    project.config(CONFIG)
    project.write("pkg/__init__.py", PACKAGE)
    project.write(
        "tests/test_one.py", "from pkg import one\n\ndef test_one():\n    assert one() == 1\n"
    )
    project.write(
        "tests/test_two.py", "from pkg import two\n\ndef test_two():\n    assert two() == 2\n"
    )
    for group, deselect in ((1, "tests/test_two.py"), (2, "tests/test_one.py")):
        code = _run(
            project,
            "-m",
            "pytest",
            "-n",
            "2",
            "-p",
            "no:randomly",
            "--cov=pkg",
            "--cov-report=",
            f"--deselect={deselect}",
            "--graduation=beta",
            f"--graduation-report=shard{group}.json",
            env={"COVERAGE_FILE": f".coverage.shard{group}", "PYTHONPATH": str(project.path)},
        )
        assert code == 1  # alone, each shard misses half of pkg
        shard = json.loads((project.path / f"shard{group}.json").read_text())
        assert criterion(shard, "coverage")["status"] == "unmet"
    assert _run(project, "-m", "coverage", "combine", ".coverage.shard1", ".coverage.shard2") == 0
    code = _run(
        project,
        "-m",
        "pytest_graduation",
        "merge",
        "--level",
        "beta",
        "--coverage-file",
        ".coverage",
        "--graduation-report",
        "graduation.json",
        "shard1.json",
        "shard2.json",
    )
    merged = json.loads((project.path / "graduation.json").read_text())
    assert criterion(merged, "coverage")["status"] == "met", merged["criteria"]
    assert criterion(merged, "coverage_paths")["status"] == "met"
    assert code == 0
    assert merged["verdict"] == "ready"


def test_without_coverage_file_shard_coverage_is_not_added_up(project: Project) -> None:
    project.config(CONFIG)
    project.write("pkg/__init__.py", PACKAGE)
    project.write(
        "tests/test_one.py", "from pkg import one\n\ndef test_one():\n    assert one() == 1\n"
    )
    reports = []
    for group in (1, 2):
        _run(
            project,
            "-m",
            "pytest",
            "--cov=pkg",
            "--cov-report=",
            "--graduation=beta",
            f"--graduation-report=s{group}.json",
            env={"COVERAGE_FILE": f".coverage.s{group}", "PYTHONPATH": str(project.path)},
        )
        reports.append(f"s{group}.json")
    code = _run(
        project,
        "-m",
        "pytest_graduation",
        "merge",
        "--level",
        "beta",
        "--graduation-report",
        "m.json",
        *reports,
    )
    assert code == 1
    merged = json.loads((project.path / "m.json").read_text())
    assert "cannot be added up" in " ".join(criterion(merged, "coverage")["details"])
