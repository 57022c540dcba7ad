"""Baselines on real sessions without pytest-benchmark: pytest-cov's measurement
recorded by ``--update-baseline`` and held by ``coverage_baseline`` (serial and under
xdist), and the writer's refusals. Every run is a fresh interpreter: an inline run
would share the outer run's tracer when the suite runs under ``--cov``."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from baselines_project import (
    NAME,
    baseline,
    gate,
    run,
    setup,
)

from conftest import Project, criterion

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/core.py": """
        def add(a, b):
            return a + b


        def sub(a, b):
            return a - b
    """,
    "tests/test_core.py": """
        from pkg.core import add, sub


        def test_add():
            assert add(1, 2) == 3


        def test_sub():
            assert sub(2, 1) == 1
    """,
}


def test_coverage_recorded_then_held(project: Project, dist: list[str]) -> None:
    setup(project, "coverage_baseline = 0")
    for path, text in PACKAGE.items():
        project.write(path, text)
    result = run(project, "--update-baseline", "--cov=pkg", *dist)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["coverage: recorded total 100 and 2 file(s)", f"baseline written to {NAME}"]
    )
    assert baseline(project)["coverage"] == {
        "files": {"pkg/__init__.py": 100.0, "pkg/core.py": 100.0},
        "kind": "lines",
        "precision": 0,
        "total": 100.0,
    }
    _, report = gate(project, "--cov=pkg", *dist)
    assert criterion(report, "coverage_baseline")["status"] == "met"

    # a test removed: core.py (the only statements) drops to 75%
    project.write(
        "tests/test_core.py", PACKAGE["tests/test_core.py"].split("\n\n\n        def test_sub")[0]
    )
    result, report = gate(project, "--cov=pkg", *dist)
    dropped = criterion(report, "coverage_baseline")
    assert (dropped["status"], dropped["measured"], dropped["required"]) == ("unmet", 75.0, 100.0)
    assert dropped["details"][1:] == ["total: 100 -> 75", "pkg/core.py: 100 -> 75"]
    assert result.ret == 1

    result = run(project, "--update-baseline", "--cov=pkg", *dist)
    result.stdout.fnmatch_lines(
        ["coverage total: 100 -> 75 (-25)", "coverage down: pkg/core.py 100 -> 75 (-25)"]
    )
    assert baseline(project)["coverage"]["total"] == 75.0


def _shard(project: Project, name: str, *args: str) -> dict[str, Any]:
    """A gated pytest-cov shard in a fresh interpreter; its data kept as
    ``artifacts/.coverage.<name>``, as a CI job's artifact."""
    report = project.path / f"{name}.json"
    run(project, "--cov=pkg", "--cov-report=", "--graduation=alpha",
        f"--graduation-report={report}", *args)  # fmt: skip
    # moved aside: pytest-cov erases .coverage.* files of the rootdir as it starts
    (project.path / "artifacts").mkdir(exist_ok=True)
    (project.path / ".coverage").rename(project.path / "artifacts" / f".coverage.{name}")
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


def _merge(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    """The real ``python -m pytest_graduation merge``."""
    result = project.pytester.run(
        sys.executable, "-m", "pytest_graduation", "merge", "--level", "alpha",
        "--graduation-report", "merged.json", *args,
    )  # fmt: skip
    return result.ret, json.loads((project.path / "merged.json").read_text(encoding="utf-8"))


def test_merge_holds_the_combined_coverage_to_the_baseline(project: Project) -> None:
    setup(project, "coverage_baseline = 0")
    project.write("pkg/__init__.py", "")
    project.write("pkg/core.py", PACKAGE["pkg/core.py"])
    add, sub = PACKAGE["tests/test_core.py"].split("\n\n\n        def test_sub")
    project.write("tests/test_add.py", add)
    project.write("tests/test_sub.py", add.split("\n\n\n")[0].replace("add, sub", "sub")
                  + "\n\n\n        def test_sub" + sub)  # fmt: skip
    assert run(project, "--update-baseline", "--cov=pkg").ret == 0  # 100% recorded
    (project.path / ".coverage").unlink()
    first = _shard(project, "add", "tests/test_add.py")
    second = _shard(project, "sub", "tests/test_sub.py")
    # each shard alone covers 3 of core.py's 4 lines: below the baseline
    for shard in (first, second):
        assert criterion(shard, "coverage_baseline")["measured"] == 75.0
    combined = project.pytester.run(sys.executable, "-m", "coverage", "combine", "artifacts")
    assert combined.ret == 0, combined.stdout.str()
    code, merged = _merge(project, "--coverage-file", ".coverage", "add.json", "sub.json")
    found = criterion(merged, "coverage_baseline")
    assert (found["status"], found["measured"], code) == ("met", 100.0, 0), found
    # without the combined data the two shards' measurements cannot be added up
    code, merged = _merge(project, "add.json", "sub.json")
    apart = criterion(merged, "coverage_baseline")
    assert (apart["status"], code) == ("unmet", 1)
    assert "2 separate coverage measurements cannot be added up" in apart["details"][0]


def test_update_baseline_with_graduation_is_a_usage_error(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = project.run("--update-baseline", "--graduation=alpha")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--update-baseline cannot be combined with --graduation*"])
    assert not (project.path / NAME).exists()


def test_a_failing_session_writes_no_baseline(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_fails.py", "def test_fails():\n    assert False\n")
    result = project.run("--update-baseline")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*baseline not written: the session did not pass (exit code 1)*"])
    assert not (project.path / NAME).exists()


SELECTED = "(-k, -m, --deselect or a shard plugin)"


@pytest.mark.parametrize(
    ("narrowing", "reason"),
    [
        (["-k", "add"], f"2 test(s) deselected {SELECTED}"),
        # under xdist the workers deselect: their counts reach the controller
        (["--deselect", "tests/test_core.py::test_sub", "-n", "2"], "1 test(s) deselected"),
        (["--lf", "-p", "cacheprovider"], "--lf ran only the last failures"),
    ],
    ids=["-k", "--deselect -n 2", "--lf"],
)
def test_a_passing_part_of_the_suite_writes_no_baseline(
    project: Project, narrowing: list[str], reason: str
) -> None:
    # in process, without coverage: the refusal comes before anything is measured
    setup(project, "")
    for path, text in PACKAGE.items():
        project.write(path, text)
    recorded = b'{"schema_version": 1}\n'
    (project.path / NAME).write_bytes(recorded)
    # a last failure, since fixed: the usual way to a --lf run that passes
    project.write("tests/test_flag.py", "def test_flag():\n    assert False\n")
    assert project.run("-p", "cacheprovider").ret == pytest.ExitCode.TESTS_FAILED
    project.write("tests/test_flag.py", "def test_flag():\n    pass\n")
    result = project.run("--update-baseline", *narrowing)
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR, result.stdout.str()
    result.stdout.fnmatch_lines([f"*baseline not written: a partial run ({reason}*"])
    assert (project.path / NAME).read_bytes() == recorded


def test_nothing_measured_writes_nothing_and_fails(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = project.run("--update-baseline", "-p", "no:benchmark")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["*baseline not written: nothing to record: coverage: *"])
    assert not (project.path / NAME).exists()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'baseline = "../elsewhere.json"',
            "baseline: expected a file path relative to the rootdir",
        ),
        (
            "[tool.graduation.criteria.beta]\ncoverage_baseline = -1",
            "expected a finite number >= 0",
        ),
        ("[tool.graduation.criteria.beta]\nbenchmark_regression = inf", "a finite number >= 0"),
    ],
)
def test_bad_baseline_settings_are_usage_errors(project: Project, toml: str, message: str) -> None:
    project.config(f"[tool.graduation]\n{toml}\n")
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
