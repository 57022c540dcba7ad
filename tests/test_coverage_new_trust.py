"""``coverage_new`` on real coverage data (SPEC section 16): a small package in a real
git repository, measured with coverage.py's API (in process: nested tracers are
supported, the suite's own measurement pauses meanwhile) or ``python -m coverage
run``; then the pure judging and the criterion, which must never say ``met`` when
changed lines are not covered."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import coverage
import pytest
from test_coverage_new import commit, git, hermetic_git, new_repo, write

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.coverage.measure import FileLines, measure
from pytest_graduation.coverage.new_code import (
    COVERAGE_NEW_BASE_STREAM,
    COVERAGE_NEW_STREAM,
    NOTHING_CHANGED,
    CoverageNewCriterion,
    executable_lines,
    judge_new_coverage,
    measure_new_code,
    on_statements,
)
from pytest_graduation.listing import DETAILS
from pytest_graduation.model import GateRun, Status

__all__ = ["hermetic_git"]  # the autouse fixture, imported to apply here too

BASE_MOD = """\
def covered(x):
    return x + 1


def also(x):
    return x * 2


def later(x):
    return max(
        x,
        0,
    )
"""
NEW_MOD = """\
def covered(x):
    y = x + 1
    return y


def also(x):
    return x * 2


def later(x):
    return max(
        x,
        1,
    )


def fresh(x):
    if x:
        return 1
    return 2
"""
NEVER = "A = 1\nB = 2\n\n\ndef f():\n    return A\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``feat`` changes ``pkg/mod.py`` (a covered line, a continuation line of an
    uncovered statement, a new uncovered function), adds the never-imported
    ``pkg/never.py`` (untracked) and changes a test file (not measured)."""
    root = new_repo(
        tmp_path / "proj",
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": BASE_MOD,
            "pkg/same.py": "S = 1\n",
            "tests/test_mod.py": "def test():\n    pass\n",
        },
    )
    git(root, "checkout", "-q", "-b", "feat")
    write(root, "pkg/mod.py", NEW_MOD)
    commit(root, "change mod")
    write(root, "pkg/never.py", NEVER)
    write(root, "tests/test_mod.py", "def test():\n    assert True\n")
    return root


def run_mod(root: Path, source: bool = True) -> coverage.Coverage:
    """Measure importing ``pkg/mod.py`` and calling ``covered(1)``; saved. Without
    ``source``, coverage.py is told which files to trace by ``include`` only."""
    where: dict[str, Any] = (
        {"source": [str(root / "pkg")]} if source else {"include": [str(root / "pkg" / "*")]}
    )
    cov = coverage.Coverage(data_file=str(root / ".coverage"), config_file=False, **where)
    spec = importlib.util.spec_from_file_location(f"mod_{id(cov)}", root / "pkg" / "mod.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    cov.start()
    try:
        spec.loader.exec_module(module)
        assert module.covered(1) == 2
    finally:
        cov.stop()
    cov.save()
    return cov


def loaded(root: Path) -> coverage.Coverage:
    """The saved data as ``merge --coverage-file`` would load it."""
    cov = coverage.Coverage(data_file=str(root / ".coverage"), config_file=False)
    cov.load()
    return cov


#: statements of NEW_MOD: 1-3, 6-7, 10-11, 17-20; run: 1-3, 6, 10, 17
MOD_FILE = {
    # 13 is named by its statement's first line 11; 15-16 are blank
    "changed": [2, 3, 11, 15, 16, 17, 18, 19, 20],
    "statements": [1, 2, 3, 6, 7, 10, 11, 17, 18, 19, 20],
    "missing": [7, 11, 18, 19, 20],
}
NEVER_FILE = {"changed": [1, 2, 3, 4, 5, 6], "statements": [1, 2, 5, 6], "missing": [1, 2, 5, 6]}


def test_never_imported_files_under_source_are_reported_as_not_covered(project: Path) -> None:
    run_mod(project)
    cov = loaded(project)
    measured = {Path(name).name for name in cov.get_data().measured_files()}
    assert measured == {"__init__.py", "mod.py", "same.py", "never.py"}
    lines = executable_lines(cov, project, ["pkg/never.py", "pkg/mod.py", "tests/test_mod.py"])
    assert lines == {
        "pkg/never.py": (frozenset({1, 2, 5, 6}), frozenset({1, 2, 5, 6})),
        "pkg/mod.py": (frozenset(MOD_FILE["statements"]), frozenset(MOD_FILE["missing"])),
    }


def test_without_source_an_unimported_file_is_not_reported(project: Path) -> None:
    run_mod(project, source=False)
    assert {Path(name).name for name in loaded(project).get_data().measured_files()} == {"mod.py"}
    assert executable_lines(loaded(project), project, ["pkg/never.py", "pkg/mod.py"]) == {
        "pkg/mod.py": (frozenset(MOD_FILE["statements"]), frozenset(MOD_FILE["missing"]))
    }


def test_measure_new_code_live_and_from_the_data_file_alike(project: Path) -> None:
    live = measure_new_code(run_mod(project), project, "main")
    assert live == {
        "base": "main",
        "precision": 0,
        "reported": 4,
        "files": {"pkg/mod.py": MOD_FILE, "pkg/never.py": NEVER_FILE},
    }
    assert measure_new_code(loaded(project), project, "main") == live
    # files analysed already are taken as given; others (and only reported ones) are
    # analysed here
    mod = (frozenset(MOD_FILE["statements"]), frozenset(MOD_FILE["missing"]))
    given = {"pkg/mod.py": mod, "tests/test_mod.py": mod}
    assert measure_new_code(loaded(project), project, "main", analysed=given) == live
    fake = {"pkg/mod.py": (mod[0], mod[0])}
    shared = measure_new_code(loaded(project), project, "main", analysed=fake)
    assert shared["files"]["pkg/mod.py"]["missing"] == MOD_FILE["statements"]
    assert json.loads(json.dumps(live)) == live  # plain data, as the fact stream needs


def test_the_totals_pass_hands_on_the_analyses_coverage_new_needs(project: Path) -> None:
    # the live gate and merge measure the total first and reuse its analyses: they
    # must be coverage.py's own, keyed as the changed lines are, for every reported file
    run_mod(project)
    lines: dict[str, FileLines] = {}
    total = measure(loaded(project), project, lines=lines)
    assert (
        sorted(lines)
        == sorted(total["files"])
        == [
            "pkg/__init__.py",
            "pkg/mod.py",
            "pkg/never.py",
            "pkg/same.py",
        ]
    )
    assert lines == executable_lines(loaded(project), project, sorted(lines))
    reused = measure_new_code(loaded(project), project, "main", analysed=lines)
    assert reused == measure_new_code(loaded(project), project, "main")


def test_the_verdict_names_the_uncovered_changed_lines_worst_file_first(project: Path) -> None:
    run_mod(project)
    result = evaluate(measure_new_code(loaded(project), project, "main"), 50)
    # changed executable: mod 2, 3, 11, 17-20 (covered 2, 3, 17); never 1, 2, 5, 6
    assert result.status is Status.UNMET
    assert result.measured == "27.3% (3/11 changed lines covered)"
    assert result.required == 50
    # four uncovered lines each: the path breaks the tie
    assert result.details == ("pkg/mod.py: 11, 18-20", "pkg/never.py: 1-2, 5-6")
    assert evaluate(measure_new_code(loaded(project), project, "main"), 27.3).status is Status.MET


def test_a_changed_continuation_line_counts_as_its_statement(project: Path) -> None:
    git(project, "add", "-A")
    commit(project, "all in")
    write(project, "pkg/mod.py", NEW_MOD.replace("        1,\n", "        2,\n"))
    run_mod(project)
    measurement = measure_new_code(loaded(project), project, "HEAD")
    assert measurement["files"] == {"pkg/mod.py": {**MOD_FILE, "changed": [11]}}
    result = evaluate(measurement, 1)
    assert (result.status, result.details) == (Status.UNMET, ("pkg/mod.py: 11",))
    assert result.measured == "0.0% (0/1 changed line covered)"


def test_changed_lines_are_named_by_their_statements_first_line() -> None:
    source = (
        b'x = (1,\n     2)\ns = """a\nb\n"""\ny = 1 + \\\n    2\n# c\n'
        b"if (x and\n        y):\n    pass\nz = [\n"
    )
    statements = {1, 3, 6, 9, 11, 12}
    changed = [2, 4, 5, 7, 8, 10, 11]
    assert on_statements(changed, source, statements) == {1, 3, 6, 8, 9, 11}
    assert on_statements([13], source, statements) == {13}  # does not tokenize: as it is
    latin = b"# coding: latin-1\nx = '\xe9\\\n'\n"  # a string continued with a backslash
    assert on_statements([1, 3, 5], latin, {2}) == {1, 2, 5}
    crlf = b"x = (\r\n  1)\r\ny = 2\r\n"
    assert on_statements([2, 3], crlf, {1, 3}) == {1, 3}


def test_only_comments_and_blank_lines_changed_is_met_and_says_so(project: Path) -> None:
    git(project, "add", "-A")
    commit(project, "all in")
    write(project, "pkg/mod.py", NEW_MOD + "\n# a comment\n")
    run_mod(project)
    result = evaluate(measure_new_code(loaded(project), project, "HEAD"), 100)
    assert result.status is Status.MET
    assert result.details == (
        NOTHING_CHANGED,
        "compared with the merge-base of 'HEAD' and HEAD, over the 4 file(s) coverage.py "
        "reports on",
    )


def test_report_omit_leaves_a_file_out_as_coverage_report_does(project: Path) -> None:
    (project / ".coveragerc").write_text("[report]\nomit = */never.py\n")
    run_mod(project)
    cov = coverage.Coverage(
        data_file=str(project / ".coverage"), config_file=str(project / ".coveragerc")
    )
    cov.load()
    assert set(measure_new_code(cov, project, "main")["files"]) == {"pkg/mod.py"}


def test_lines_not_branches_from_a_coverage_run_subprocess(project: Path) -> None:
    write(project, "run.py", "import pkg.mod\npkg.mod.covered(1)\npkg.mod.fresh(1)\n")
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--branch", "--source=pkg", "run.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    measurement = measure_new_code(loaded(project), project, "main", precision=2)
    result = evaluate(measurement, 80)
    # fresh(1) runs 17-19 but never the branch to 20: line 20 is missing, and the
    # half-taken branch of line 18 does not count against the lines
    assert result.measured == "45.45% (5/11 changed lines covered)"
    assert result.details == ("pkg/never.py: 1-2, 5-6", "pkg/mod.py: 11, 20")


def test_measurement_errors_are_hints_not_exceptions(project: Path, tmp_path: Path) -> None:
    cov = run_mod(project)
    assert measure_new_code(cov, project, "nope")["error"].startswith(
        "not measured: the base 'nope' is unknown to git here"
    )
    (project / ".git").rename(project / "no-git")
    assert "is not in a git repository" in measure_new_code(cov, project, "main")["error"]
    empty = coverage.Coverage(data_file=str(tmp_path / "never-written"), config_file=False)
    empty.load()
    assert measure_new_code(empty, project, "main") == {
        "error": "not measured: coverage.py has no data; add --cov=<package> to the pytest command"
    }


def test_a_changed_file_that_no_longer_parses_is_unmet_not_skipped(project: Path) -> None:
    run_mod(project)
    write(project, "pkg/mod.py", NEW_MOD + "def broken(:\n")
    measurement = measure_new_code(loaded(project), project, "main")
    assert measurement["error"].startswith(
        "not measured: coverage.py cannot analyse a changed file: "
    )
    assert evaluate(measurement, 0, base="main").status is Status.UNMET


# --- judging plain data ---------------------------------------------------------------


def lines_of(count: int, covered: int) -> tuple[dict[str, frozenset[int]], dict[str, Any]]:
    changed = frozenset(range(1, count + 1))
    missing = frozenset(range(covered + 1, count + 1))
    return {"a.py": changed}, {"a.py": (changed, missing)}


@pytest.mark.parametrize(
    ("count", "covered", "floor", "shown", "status"),
    [
        (50, 41, 82, "82.0", Status.MET),
        (50, 41, 82.1, "82.0", Status.UNMET),
        (3, 2, 66.7, "66.7", Status.MET),  # 66.666...% is shown, and compared, as 66.7
        (3, 2, 66.67, "66.67", Status.MET),  # the floor's decimals are used
        (3, 2, 66.68, "66.67", Status.UNMET),
        (2000, 1999, 100, "99.9", Status.UNMET),  # never 100 unless every line is covered
        (2000, 2000, 100, "100.0", Status.MET),
        (2000, 0, 0, "0.0", Status.MET),
        (2000, 1, 0.1, "0.1", Status.MET),  # never 0 unless nothing is covered
    ],
)
def test_the_shown_share_is_the_compared_share(
    count: int, covered: int, floor: float, shown: str, status: Status
) -> None:
    result = judge_new_coverage(*lines_of(count, covered), floor)
    assert result.status is status
    assert result.measured == f"{shown}% ({covered}/{count} changed lines covered)"


def test_coverage_precision_adds_decimals() -> None:
    result = judge_new_coverage(*lines_of(3, 2), 50, precision=3)
    assert result.measured == "66.667% (2/3 changed lines covered)"


def test_only_changed_statements_of_reported_files_count() -> None:
    changed = {"a.py": frozenset({1, 2, 3, 9}), "unreported.py": frozenset({1})}
    lines = {
        "a.py": (frozenset({1, 3, 5}), frozenset({3, 5})),
        "b.py": (frozenset({1}), frozenset({1})),
    }
    result = judge_new_coverage(changed, lines, 50)
    assert (result.status, result.measured) == (Status.MET, "50.0% (1/2 changed lines covered)")
    assert result.details == ("a.py: 3",)


def test_no_changed_executable_line_is_met() -> None:
    changed = {"a.py": frozenset({2})}
    result = judge_new_coverage(changed, {"a.py": (frozenset({1}), frozenset({1}))}, 100)
    assert (result.status, result.measured, result.details) == (
        Status.MET,
        None,
        (NOTHING_CHANGED,),
    )


def test_details_are_capped_worst_first() -> None:
    # the one listing policy (listing.capped): at most DETAILS files, the rest counted
    names = [f"m{n:02}.py" for n in range(DETAILS + 5)]
    changed = {name: frozenset(range(1, n + 2)) for n, name in enumerate(names)}
    lines = {name: (lines, lines) for name, lines in changed.items()}
    details = judge_new_coverage(changed, lines, 1).details
    assert len(details) == DETAILS + 1
    assert details[0] == f"m{DETAILS + 4}.py: 1-{DETAILS + 5}"
    assert details[1].startswith(f"m{DETAILS + 3}.py: ")
    assert details[-1] == "... and 5 more"


# --- the criterion reads only the fact stream ---------------------------------------------


def run_with(facts: list[Any], given: list[Any] | None = None) -> GateRun:
    """A run holding ``facts`` as its changed-line measurements and ``given`` as the
    bases given on the command line (the ``coverage_new_base`` stream)."""
    streams = {COVERAGE_NEW_STREAM: facts}
    if given is not None:
        streams[COVERAGE_NEW_BASE_STREAM] = given
    return GateRun(
        level="alpha",
        levels=("alpha",),
        tests=(),
        coverage=None,
        rootdir=Path("."),
        settings=GraduationConfig(),
        criteria_settings=LevelCriteria(),
        facts=streams,
    )


def evaluate(measurement: Mapping[str, Any], floor: float, base: str | None = None) -> Any:
    wanted = measurement.get("base", "main") if base is None else base
    return CoverageNewCriterion(floor, wanted).evaluate(run_with([dict(measurement)]))


GOOD = {"base": "main", "precision": 0, "reported": 1, "files": {"a.py": NEVER_FILE}}


@pytest.mark.parametrize(
    ("facts", "base", "detail"),
    [
        ([GOOD], None, "not measured: no base to compare with; set --graduation-base=REF"),
        ([], "main", "not measured: no changed-line measurement reached the gate; add --cov"),
        ([GOOD, GOOD], "main", "not measured: 2 separate changed-line measurements cannot be"),
        ([{"error": "not measured: git is not installed"}], "main", "not measured: git is not"),
        ([GOOD], "origin/main", "not measured: the changed lines were measured against 'main'"),
        ([{**GOOD, "files": []}], "main", 'malformed: no "files" table'),
        ([{**GOOD, "files": {"a.py": []}}], "main", "malformed: a.py: not a table"),
        ([{**GOOD, "files": {"a.py": {**NEVER_FILE, "missing": [9]}}}], "main", "not statements"),
        ([{**GOOD, "files": {"a.py": {**NEVER_FILE, "changed": [True]}}}], "main", "changed is"),
        ([{**GOOD, "files": {"a.py": {**NEVER_FILE, "statements": "1"}}}], "main", "statements"),
        ([{**GOOD, "precision": "x"}], "main", "malformed: invalid literal"),
        (["not a dict"], "main", "not measured: no changed-line measurement reached the gate"),
    ],
)
def test_what_cannot_be_judged_is_unmet(facts: list[Any], base: str | None, detail: str) -> None:
    result = CoverageNewCriterion(80, base).evaluate(run_with(facts))
    assert result.status is Status.UNMET
    assert result.measured is None and result.required == 80
    assert len(result.details) == 1 and detail in result.details[0]


def test_the_criterion_judges_a_good_measurement() -> None:
    result = CoverageNewCriterion(0, "main").evaluate(run_with([GOOD]))
    assert (result.status, result.measured) == (Status.MET, "0.0% (0/4 changed lines covered)")
    assert result.details == ("a.py: 1-2, 5-6",)
    assert CoverageNewCriterion.name == "coverage_new"


@pytest.mark.parametrize(
    ("configured", "given", "status", "detail"),
    [
        # the command line wins over the configuration, and is the base checked
        (None, ["main"], Status.MET, "a.py: 1-2, 5-6"),
        ("origin/main", ["main"], Status.MET, "a.py: 1-2, 5-6"),
        ("main", ["HEAD"], Status.UNMET, "measured against 'main', not the base 'HEAD'"),
        ("main", ["main", "HEAD"], Status.UNMET, "more than one base was given ('HEAD', 'main')"),
        ("main", [3], Status.UNMET, "a base given is not a revision: [3]"),
        ("main", ["main", "main"], Status.MET, "a.py: 1-2, 5-6"),
    ],
)
def test_a_base_given_on_the_command_line_reaches_the_criterion_as_data(
    configured: str | None, given: list[Any], status: Status, detail: str
) -> None:
    result = CoverageNewCriterion(0, configured).evaluate(run_with([GOOD], given))
    assert result.status is status
    assert len(result.details) == 1 and detail in result.details[0]
