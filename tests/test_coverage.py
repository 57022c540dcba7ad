"""The ``coverage`` and ``coverage_paths`` criteria, on real pytest-cov runs.

The project is a tiny package with known statement counts, so every percentage is
exact. Runs that measure use ``runpytest_subprocess``: an inline run would share the
outer run's tracer when the suite itself runs under ``--cov``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import coverage
import pytest

from conftest import Project, criterion, make_run, serial_only
from pytest_graduation.config import GraduationConfig
from pytest_graduation.coverage import CoverageCriterion, CoveragePathsCriterion, measure
from pytest_graduation.coverage.measure import digits_for, displayed, reaches

#: statements: core 4 (3 run), extra 4 (3 run, 1 of 2 branches), util/text 3 (2 run)
PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/core.py": """
        def add(a, b):
            return a + b


        def sub(a, b):
            return a - b
    """,
    "pkg/extra.py": """
        def pick(x):
            if x:
                return 1
            return 2
    """,
    "pkg/util/__init__.py": "",
    "pkg/util/text.py": """
        X = 1


        def unused():
            return X
    """,
    "tests/test_core.py": """
        from pkg.core import add
        from pkg.util import text


        def test_add():
            assert add(1, 2) == 3
            assert text.X == 1
    """,
    "tests/test_extra.py": """
        from pkg.extra import pick


        def test_pick():
            assert pick(1) == 1
    """,
}
#: lines: 8 of 11 = 72.73%; with branches: 9 of 13 = 69.23%
PYTEST_INI = """
    [tool.pytest.ini_options]
    pythonpath = ["."]
"""

NOT_ACTIVE = "not measured: pytest-cov is not active; add --cov=<package> to the pytest command"


def make(project: Project, criteria: str, extra: str = "") -> None:
    for path, text in PACKAGE.items():
        project.write(path, text)
    project.config(f"[tool.graduation.criteria.alpha]\n{criteria}\n{PYTEST_INI}\n{extra}")


def gate(project: Project, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Gate at alpha in a fresh interpreter and return the run and its JSON report."""
    report = project.path / "graduation-report.json"
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--graduation=alpha",
        f"--graduation-report={report}", *args,
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, data


def test_floors_judged_on_the_combined_measurement(project: Project, dist: list[str]) -> None:
    make(
        project,
        'coverage = 74\ncoverage_paths = { "pkg/core.py" = 75, "pkg/util/**" = 70, '
        '"pkg/missing/**" = 1 }',
    )
    # under xdist, one test file per worker: only the combined data reaches 73%
    spread = ["--dist=loadfile", "-v"] if dist else []
    result, report = gate(project, "--cov=pkg", *dist, *spread)
    result.assert_outcomes(passed=2)
    if dist:
        result.stdout.fnmatch_lines_random(["[[]gw0[]]*PASSED*", "[[]gw1[]]*PASSED*"])
    assert result.ret == 1
    total = criterion(report, "coverage")
    assert (total["status"], total["measured"], total["required"]) == ("unmet", 73.0, 74.0)
    assert total["details"] == [
        "total 73% of lines over 5 measured file(s) is below the floor of 74%: 1 more line needed",
        # core.py and extra.py (75%) reach the floor on their own: only text.py is named
        "most needed: pkg/util/text.py 67% (1 missing line): 1 more line needed",
    ]
    paths = criterion(report, "coverage_paths")
    assert paths["status"] == "unmet"
    assert paths["measured"] == {"pkg/core.py": 75.0, "pkg/util/**": 67.0, "pkg/missing/**": None}
    assert paths["details"] == [
        "pkg/core.py: 75% of lines over 1 file(s) reaches the floor of 75%",
        "pkg/util/**: 67% of lines over 2 file(s) is below the floor of 70%: 1 more line needed",
        "pkg/util/**: most needed: pkg/util/text.py 67% (1 missing line): 1 more line needed",
        'glob "pkg/missing/**" matches no measured file (floor 1%)',
    ]
    result.stdout.fnmatch_lines(
        ["coverage_paths (unmet):", '  - glob "pkg/missing/**" matches no measured file (floor 1%)']
    )


CUSTOM = """
    from pytest_graduation import Criterion, CriterionResult


    class SeesCoverage(Criterion):
        name = "sees_coverage"

        def evaluate(self, run):
            return CriterionResult.met(round(run.coverage, 4))


    def pytest_graduation_criteria(config):
        return [SeesCoverage()]
"""


@serial_only
def test_floors_met_make_the_level_ready(project: Project, dist: list[str]) -> None:
    make(project, 'coverage = 72.5\ncoverage_paths = { "pkg/*.py" = 75, "pkg/**" = 72 }')
    project.write("conftest.py", CUSTOM)
    result, report = gate(project, "--cov=pkg", "--cov-report=", *dist)
    assert result.ret == 0
    assert report["verdict"] == "ready"
    total = criterion(report, "coverage")
    # the floor has one decimal, so the comparison (and the display) uses one
    assert (total["status"], total["measured"]) == ("met", 72.7)
    assert total["details"] == [
        "total 72.7% of lines over 5 measured file(s) reaches the floor of 72.5%"
    ]
    assert criterion(report, "coverage_paths")["measured"] == {"pkg/*.py": 75.0, "pkg/**": 73.0}
    # custom criteria see the unrounded total (SPEC section 9)
    assert criterion(report, "sees_coverage")["measured"] == 72.7273
    result.stdout.fnmatch_lines(["coverage *met*72.7*72.5", "alpha: READY"])


def test_branch_coverage_counts_lines_and_branches(project: Project) -> None:
    make(project, 'coverage_paths = { "pkg/extra.py" = 66.67, "pkg/**" = 70 }')
    result, report = gate(project, "--cov=pkg", "--cov-branch", "--cov-precision=2")
    paths = criterion(report, "coverage_paths")
    assert paths["measured"] == {"pkg/extra.py": 66.67, "pkg/**": 69.23}
    assert paths["details"] == [
        "pkg/extra.py: 66.67% of lines+branches over 1 file(s) reaches the floor of 66.67%",
        "pkg/**: 69.23% of lines+branches over 5 file(s) is below the floor of 70.00%: "
        "1 more line or branch needed",
        "pkg/**: most needed: pkg/extra.py 66.67% (1 missing line, 1 missing branch): "
        "1 more line or branch needed",
        "pkg/**: most needed: pkg/util/text.py 66.67% (1 missing line, 0 missing branches): "
        "1 more line or branch needed",
    ]
    assert result.ret == 1


def test_precision_comes_from_coverage_config_and_no_rounding_surprise(project: Project) -> None:
    make(
        project,
        'coverage = 72.728\ncoverage_paths = { "pkg/util/**" = 66.667 }',
        extra="[tool.coverage.report]\nprecision = 3\n",
    )
    result, report = gate(project, "--cov=pkg")
    # pytest-cov's own table uses the same precision
    result.stdout.fnmatch_lines(["TOTAL * 72.727%"])
    total = criterion(report, "coverage")
    assert (total["status"], total["measured"], total["required"]) == ("unmet", 72.727, 72.728)
    assert total["details"][0] == (
        "total 72.727% of lines over 5 measured file(s) is below the floor of 72.728%: "
        "1 more line needed"
    )
    # 66.6667 is shown as 66.667, so it reaches a floor of 66.667 (a raw comparison
    # would fail it while printing "66.667% not reached, total 66.667%")
    paths = criterion(report, "coverage_paths")
    assert (paths["status"], paths["measured"]) == ("met", {"pkg/util/**": 66.667})
    # the table never shows two equal numbers for an unmet floor
    result.stdout.fnmatch_lines(["coverage *unmet*72.727*72.728"])


def test_a_total_shown_as_the_floor_reaches_it(project: Project) -> None:
    # 72.7273% at precision 2 is shown as 72.73: the gate calls that met, never
    # "72.73% not reached, total 72.73%"
    make(project, "coverage = 72.73")
    result, report = gate(project, "--cov=pkg", "--cov-precision=2")
    total = criterion(report, "coverage")
    assert (total["status"], total["measured"], total["required"]) == ("met", 72.73, 72.73)
    assert result.ret == 0


def test_shown_value_is_the_compared_value() -> None:
    assert reaches(97.4736, 97.47, 2) == (97.47, True)
    assert reaches(97.4736, 97.48, 2) == (97.47, False)
    # a floor with more decimals than the precision is compared at its own
    assert digits_for(72.7275, 2) == 4
    assert reaches(100 * 8 / 11, 72.7275, 2) == (72.7273, False)
    # never 100 unless truly 100, never 0 unless truly 0
    assert reaches(99.996, 100, 2) == (99.99, False)
    assert reaches(100.0, 100, 0) == (100.0, True)
    assert displayed(0.001, 1) == 0.1
    assert displayed(0.0, 1) == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param((), NOT_ACTIVE, id="without --cov"),
        pytest.param(
            ("--cov=pkg", "--no-cov"),
            "not measured: --no-cov switched pytest-cov off; drop it and "
            "add --cov=<package> to the pytest command",
            id="--no-cov",
        ),
        pytest.param(
            ("-p", "no:pytest_cov"),
            "not measured: pytest-cov is not installed or is disabled (-p no:pytest_cov); "
            "install it and add --cov=<package> to the pytest command",
            id="pytest-cov absent",
        ),
    ],
)
def test_unmeasured_is_unmet_with_the_hint(
    project: Project, args: tuple[str, ...], message: str
) -> None:
    make(project, 'coverage = 10\ncoverage_paths = { "pkg/**" = 10 }')
    result, report = project.gate("alpha", *args)  # no tracer starts: inline is fine
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    for name in ("coverage", "coverage_paths"):
        entry = criterion(report, name)
        assert (entry["status"], entry["measured"], entry["details"]) == ("unmet", None, [message])
    result.stdout.fnmatch_lines(["coverage (unmet):", f"  - {message}", "alpha: NOT READY*"])


def test_unmeasured_under_xdist(project: Project) -> None:
    make(project, "coverage = 10")
    result, report = project.gate("alpha", "-n", "2")
    result.assert_outcomes(passed=2)
    assert criterion(report, "coverage")["details"] == [NOT_ACTIVE]


def test_no_data_and_unfinished_measurements_are_unmet(project: Project) -> None:
    make(project, "coverage = 10")
    _, report = gate(project, "--cov=nothing_here", "--cov-report=")
    [detail] = criterion(report, "coverage")["details"]
    assert detail.startswith("not measured: coverage.py has no data (No data to report.)")
    project.write("tests/test_broken.py", "import not_a_module\n")
    _, report = gate(project, "--cov=pkg")
    [detail] = criterion(report, "coverage")["details"]
    assert detail.startswith("not measured: pytest-cov did not finish measuring")


def test_measure_reads_saved_data_as_merge_will(project: Project) -> None:
    make(project, 'coverage_paths = { "pkg/**" = 10 }')
    _, report = gate(project, "--cov=pkg", "--cov-report=")
    [live] = report["facts"]["coverage"]
    saved = coverage.Coverage(data_file=str(project.path / ".coverage"))
    saved.load()
    assert measure(saved, project.path, precision=live["precision"]) == live
    assert live["files"]["pkg/util/text.py"] == [3, 1, 0, 0]


def judge_on(facts: list[Any], floor: float, floors: dict[str, float]) -> list[Any]:
    """Both criteria judged in-process on given measurements (as ``merge`` does)."""
    run = make_run(
        level="alpha",
        tests=(),
        rootdir=Path("."),
        settings=GraduationConfig(),
        facts={"coverage": facts},
    )
    return [CoverageCriterion(floor).evaluate(run), CoveragePathsCriterion(floors).evaluate(run)]


def test_judging_a_given_measurement() -> None:
    files = {"a/x.py": [10, 0, 4, 0], "a/y.py": [10, 5, 4, 3], "b/z.py": [0, 0, 0, 0]}
    measurement = {"kind": "lines+branches", "precision": 1, "percent": 0.0, "files": files}
    total, paths = judge_on([measurement], 80, {"a/*.py": 70, "b/**": 100, "c/**": 1})
    # (10 + 4 + 5 + 1) of (14 + 14) = 71.43%: the files' counts, not the stored percent
    assert (total.status.value, total.measured) == ("unmet", 71.4)
    assert total.details == (
        "total 71.4% of lines+branches over 3 measured file(s) is below the floor of 80.0%: "
        "3 more lines or branches needed",
        "most needed: a/y.py 42.9% (5 missing lines, 3 missing branches): "
        "6 more lines or branches needed",
    )
    # b/z.py has no statement: coverage.py calls it 100%, but nothing was measured
    assert (paths.status.value, paths.measured) == (
        "unmet",
        {"a/*.py": 71.4, "b/**": None, "c/**": None},
    )
    assert paths.details[-2:] == (
        'glob "b/**" matches only files without statements (floor 100.0%)',
        'glob "c/**" matches no measured file (floor 1.0%)',
    )
    # several shard measurements cannot be added up; none at all is unmeasured
    for facts, start in (
        ([measurement, measurement], "not measured: 2 separate coverage measurements"),
        ([], "not measured: no coverage data reached the gate; add --cov=<package>"),
    ):
        for result in judge_on(facts, 1, {"a/**": 1}):
            assert result.status.value == "unmet"
            assert result.details[0].startswith(start)
