"""``coverage_new`` end to end (SPEC section 16): real pytest-cov sessions gated in a
real git repository (a branch off ``main`` with a committed change and an untracked
module nobody imports), serial and under ``-n 2``; the ``base`` key and the
``--graduation-base`` option; and ``merge --coverage-file F --graduation-base REF``,
which recomputes the changed lines in the checkout.

Runs that measure use ``runpytest_subprocess``: an inline run would share the outer
run's tracer when the suite itself runs under ``--cov``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from conftest import Project, check_schema, criterion, serial_only

BASE_CORE = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""
#: changed on ``feat``: 2-3 (run by test_add), 7 (never run), 10 (a ``def``: run on
#: import), 11-12 (run by test_mul only)
FEAT_CORE = """\
def add(a, b):
    total = a + b
    return total


def sub(a, b):
    return b - a


def mul(a, b):
    product = a * b
    return product
"""
#: untracked and never imported: its statements 1, 4 and 5 are changed, none run
NEW_MODULE = "X = 1\n\n\ndef f():\n    return X\n"
TEST_ADD = "from pkg.core import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
TEST_MUL = "from pkg.core import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n"
CONFIG = """
    [tool.pytest.ini_options]
    pythonpath = ["."]

    [tool.graduation]
    {base}

    [tool.graduation.criteria.alpha]
    coverage_new = {floor}
"""
#: 5 of the 9 changed statements ran; the never-imported module is the worst file
AGAINST_MAIN = "55.6% (5/9 changed lines covered)"
UNCOVERED_SINCE_MAIN = ["pkg/new.py: 1, 4-5", "pkg/core.py: 7"]


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester) -> None:
    """git, the tests' and the gated sessions', ignores the machine's configuration
    and never walks up out of the project."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(pytester.path.parent))
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.com")


def git(project: Project, *args: str) -> None:
    done = subprocess.run(
        ["git", *args], cwd=project.path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"


def configure(project: Project, floor: float, base: str = "") -> None:
    project.config(CONFIG.format(base=base, floor=floor))


def branch(project: Project, floor: float = 60, base: str = "") -> None:
    """``main`` holds the package; ``feat`` changes ``pkg/core.py`` (committed) and
    adds ``pkg/new.py`` (untracked); the tests of ``feat`` are committed too."""
    configure(project, floor, base)
    project.write(".gitignore", ".coverage*\n*.json\n__pycache__/\n")
    project.write("pkg/__init__.py", "")
    project.write("pkg/core.py", BASE_CORE)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    git(project, "checkout", "-q", "-b", "feat")
    project.write("pkg/core.py", FEAT_CORE)
    project.write("tests/test_add.py", TEST_ADD)
    project.write("tests/test_mul.py", TEST_MUL)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "feat: mul, and add/sub changed")
    project.write("pkg/new.py", NEW_MODULE)


def gate(project: Project, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Gate at alpha with pytest-cov in a fresh interpreter; keeps ``.coverage``."""
    report = project.path / "shard.json"
    if report.exists():
        report.unlink()
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--cov=pkg", "--cov-report=",
        "--graduation=alpha", f"--graduation-report={report}", *args,
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    if data:
        check_schema(data)
    return result, data


def summary(report: dict[str, Any]) -> tuple[str, Any, Any, list[str]]:
    found = criterion(report, "coverage_new")
    return found["status"], found["measured"], found["required"], found["details"]


def test_changed_lines_judged_on_the_combined_data(project: Project, dist: list[str]) -> None:
    branch(project, floor=56)
    # under xdist, one test file per worker: only the combined data covers 2-3 and 11-12
    spread = ["--dist=loadfile", "-v"] if dist else []
    result, report = gate(project, "--graduation-base=main", *dist, *spread)
    result.assert_outcomes(passed=2)
    if dist:
        result.stdout.fnmatch_lines_random(["[[]gw0[]]*PASSED*", "[[]gw1[]]*PASSED*"])
    assert summary(report) == ("unmet", AGAINST_MAIN, 56, UNCOVERED_SINCE_MAIN)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["coverage_new (unmet):", "  - pkg/new.py: 1, 4-5", "  - pkg/core.py: 7"]
    )
    assert report["facts"]["coverage_new"][0]["base"] == "main"


@serial_only
def test_the_floor_reached_is_met_and_ready(project: Project, dist: list[str]) -> None:
    branch(project, floor=55.6)
    result, report = gate(project, "--graduation-base=main", *dist)
    assert summary(report) == ("met", AGAINST_MAIN, 55.6, UNCOVERED_SINCE_MAIN)
    assert (result.ret, report["verdict"]) == (0, "ready")


@serial_only
def test_the_base_from_the_configuration_and_the_option_that_wins(
    project: Project, dist: list[str]
) -> None:
    branch(project)
    _, report = gate(project, *dist)
    assert summary(report) == (
        "unmet",
        None,
        60,
        [
            "not measured: no base to compare with; set --graduation-base=REF or "
            '[tool.graduation] base = "REF" (e.g. origin/main)'
        ],
    )
    configure(project, 60, base='base = "main"')
    _, report = gate(project, *dist)
    assert summary(report)[1:] == (AGAINST_MAIN, 60, UNCOVERED_SINCE_MAIN)
    # the command line wins: against HEAD only the untracked module is changed
    result, report = gate(project, "--graduation-base=HEAD", *dist)
    assert summary(report) == (
        "unmet",
        "0.0% (0/3 changed lines covered)",
        60,
        ["pkg/new.py: 1, 4-5"],
    )
    assert result.ret == 1


@serial_only
def test_nothing_changed_is_met_and_says_what_was_compared(
    project: Project, dist: list[str]
) -> None:
    branch(project)
    (project.path / "pkg" / "new.py").unlink()
    _, report = gate(project, "--graduation-base=HEAD", *dist)
    assert summary(report) == (
        "met",
        None,
        60,
        [
            "no changed executable lines",
            "compared with the merge-base of 'HEAD' and HEAD, over the 2 file(s) "
            "coverage.py reports on",
        ],
    )


@serial_only
def test_without_coverage_data_it_is_unmet_with_the_coverage_error(
    project: Project, dist: list[str]
) -> None:
    branch(project)
    _, report = gate(project, "--graduation-base=main", "--no-cov", *dist)
    assert summary(report)[0] == "unmet"
    assert summary(report)[3] == [
        "not measured: --no-cov switched pytest-cov off; drop it and add "
        "--cov=<package> to the pytest command"
    ]


@serial_only
def test_an_unknown_base_is_unmet_with_the_fetch_hint(project: Project, dist: list[str]) -> None:
    branch(project)
    _, report = gate(project, "--graduation-base=origin/main", *dist)
    assert summary(report)[0] == "unmet"
    assert summary(report)[3] == [
        "not measured: the base 'origin/main' is unknown to git here (a typo, or not "
        "fetched?); fetch the base: git fetch origin main"
    ]


@serial_only
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-M", "a revision cannot start with '-'"),
        ("--output=/tmp/x", "a revision cannot start with '-'"),
        ("", "an empty revision"),
        ("main\x1b", "a revision cannot contain control characters"),
    ],
)
def test_a_bad_graduation_base_is_a_usage_error(
    project: Project, dist: list[str], value: str, problem: str
) -> None:
    configure(project, 60)
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = project.run("--graduation=alpha", f"--graduation-base={value}")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [f"*--graduation-base: expected a git revision (e.g. origin/main), got*{problem}"]
    )
    assert "passed" not in result.stdout.str()  # nothing ran


@serial_only
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('base = "--output=x"', "base: expected a git revision (e.g. origin/main), got string"),
        ('base = ""', "tool.graduation.base: expected a non-empty string, got string ''"),
        ("base = 3", "tool.graduation.base: expected a non-empty string, got integer 3"),
    ],
)
def test_a_bad_base_key_is_a_usage_error(
    project: Project, dist: list[str], line: str, message: str
) -> None:
    configure(project, 60, base=line)
    project.write("tests/test_x.py", "def test_x():\n    pass\n")
    result = project.run()  # passive runs validate the configuration too
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"*{message}*"])


def merge(project: Project, *args: str) -> tuple[int, dict[str, Any], str]:
    """The real ``python -m pytest_graduation merge`` of ``shard.json``."""
    report = project.path / "merged.json"
    if report.exists():
        report.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "pytest_graduation", "merge", "--level", "alpha",
         "--graduation-report", str(report), *args, "shard.json"],
        cwd=project.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    if data:
        check_schema(data)
    return done.returncode, data, done.stderr


@serial_only
def test_merge_recomputes_the_changed_lines_from_the_coverage_file(
    project: Project, dist: list[str]
) -> None:
    branch(project, floor=55.6)
    result, shard = gate(project, "--graduation-base=main")
    assert result.ret == 0
    assert summary(shard)[0] == "met"
    code, merged, _ = merge(project, "--coverage-file", ".coverage", "--graduation-base", "main")
    assert (code, summary(merged)) == (0, summary(shard))
    # recomputed in the checkout, against the merge's base, not the shard's
    code, merged, _ = merge(project, "--coverage-file", ".coverage", "--graduation-base", "HEAD")
    assert code == 1
    assert summary(merged)[1:] == ("0.0% (0/3 changed lines covered)", 55.6, ["pkg/new.py: 1, 4-5"])
    # without the data file, the shard's measurement (made against main) is not HEAD's
    code, merged, _ = merge(project, "--graduation-base", "HEAD")
    assert (code, summary(merged)[0]) == (1, "unmet")
    assert summary(merged)[3] == [
        "not measured: the changed lines were measured against 'main', not the base 'HEAD'"
    ]
    # a shard's command line does not speak for the merge: no base, nothing judged
    code, merged, _ = merge(project, "--coverage-file", ".coverage")
    assert (code, summary(merged)[0]) == (1, "unmet")
    assert "no base to compare with" in summary(merged)[3][0]


@serial_only
def test_merge_refuses_a_bad_graduation_base(project: Project, dist: list[str]) -> None:
    code, _, err = merge(project, "--graduation-base=-M")
    assert code == 2  # argparse's usage error, before any report is read
    assert "--graduation-base: expected a git revision (e.g. origin/main), got '-M'" in err
