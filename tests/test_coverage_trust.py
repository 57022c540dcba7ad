"""Coverage floors never say ready by accident (SPEC section 12): measured files whose
source is gone, nothing measured, tiny and near-100 floors, and unmet floors that say
which files need the most lines.

Shards and their ``.coverage`` come from real pytest-cov sessions in a fresh
interpreter; ``merge`` runs as the real ``python -m pytest_graduation merge``.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, criterion, make_run
from pytest_graduation.config import GraduationConfig
from pytest_graduation.coverage import CoverageCriterion, CoveragePathsCriterion
from pytest_graduation.model import CriterionResult

#: 22 one-statement modules: enough missing sources to cut the listing
MODULES = [f"m{index:02}" for index in range(22)]
TESTS = f"""
    import importlib

    from pkg.core import add


    def test_add():
        assert add(1, 2) == 3


    def test_modules():
        for name in {MODULES!r}:
            assert importlib.import_module(f"pkg.mods.{{name}}").X == 1
"""
#: core: 3 of 4 lines, mods: 22 of 22; total 25 of 26 (96%)
CORE = """
    def add(a, b):
        return a + b


    def sub(a, b):
        return a - b
"""
CONFIG = """
    [tool.pytest.ini_options]
    pythonpath = ["."]

    [tool.graduation.criteria.beta]
    coverage = 90
    coverage_paths = { "pkg/core.py" = 50, "pkg/mods/**" = 100 }
"""
ALL_SOURCES = ["pkg/__init__.py", "pkg/core.py", "pkg/mods/__init__.py"] + [
    f"pkg/mods/{name}.py" for name in MODULES
]
SEES_COVERAGE = """
    from pytest_graduation import Criterion, CriterionResult


    class SeesCoverage(Criterion):
        name = "sees_coverage"

        def evaluate(self, run):
            return CriterionResult.met(run.coverage)


    def pytest_graduation_criteria(config):
        return [SeesCoverage()]
"""


def _package(project: Project) -> None:
    project.config(CONFIG)
    project.write("pkg/__init__.py", "")
    project.write("pkg/core.py", CORE)
    project.write("pkg/mods/__init__.py", "")
    for name in MODULES:
        project.write(f"pkg/mods/{name}.py", "X = 1\n")
    project.write("tests/test_pkg.py", TESTS)


def _live(project: Project, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """A real gated pytest-cov session in a fresh interpreter (an inline run would share
    the tracer of this suite's own coverage run); keeps its ``.coverage``."""
    report = project.path / "shard.json"
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--cov=pkg", "--cov-report=",
        "--graduation=beta", f"--graduation-report={report}", *args,
    )  # fmt: skip
    return result, json.loads(report.read_text(encoding="utf-8"))


def _merge(project: Project) -> tuple[pytest.RunResult, dict[str, Any]]:
    """The real ``python -m pytest_graduation merge --coverage-file .coverage``."""
    result = project.pytester.run(
        sys.executable, "-m", "pytest_graduation", "merge", "--level", "beta",
        "--coverage-file", ".coverage", "--graduation-report", "merged.json", "shard.json",
    )  # fmt: skip
    return result, json.loads((project.path / "merged.json").read_text(encoding="utf-8"))


def _delete_core(path: Path) -> None:
    (path / "pkg" / "core.py").unlink()


def _move_package(path: Path) -> None:
    shutil.move(path / "pkg", path / "elsewhere")


def _unparsable(path: Path) -> None:
    for source in ALL_SOURCES:
        (path / source).write_text("this is not ( python\n")


SOURCE_MISSING = (
    "not measured: {} measured file(s) have no source on disk, so the total is unknown; "
    "combine the data where the sources are, or map their paths with [tool.coverage.paths]"
)
NOTHING_MEASURED = "not measured: nothing measured: no measured file could be parsed"


@pytest.mark.parametrize(
    ("damage", "details"),
    [
        pytest.param(
            _delete_core,
            [SOURCE_MISSING.format(1), "not measured: source missing: pkg/core.py"],
            id="one source deleted",  # the rest alone is 100%: the total was inflated
        ),
        pytest.param(
            _move_package,
            [
                SOURCE_MISSING.format(25),
                *(f"not measured: source missing: {name}" for name in sorted(ALL_SOURCES)),
            ],
            id="package moved",  # nothing left to analyse: this used to be met at 100%
        ),
        pytest.param(_unparsable, [NOTHING_MEASURED], id="nothing parsable"),
    ],
)
def test_merge_with_sources_gone_is_never_met(
    project: Project, damage: Callable[[Path], None], details: list[str]
) -> None:
    _package(project)
    live, shard = _live(project)
    assert live.ret == 0, live.stdout.str()
    assert shard["verdict"] == "ready"
    damage(project.path)
    result, merged = _merge(project)
    assert result.ret == 1
    for name in ("coverage", "coverage_paths"):
        entry = criterion(merged, name)
        assert (entry["status"], entry["measured"], entry["details"]) == ("unmet", None, details)
    [measurement] = merged["facts"]["coverage"]
    assert "percent" not in measurement  # the total is unknown, so run.coverage is None
    result.stdout.re_match_lines([r"coverage +unmet", r"beta: NOT READY"])
    assert f"  - {details[0]}" in result.stdout.lines


def test_merge_with_every_source_present_matches_the_live_gate(project: Project) -> None:
    _package(project)
    live, shard = _live(project)
    assert live.ret == 0
    [measured_live] = shard["facts"]["coverage"]
    assert "missing" not in measured_live
    assert measured_live["percent"] == pytest.approx(100 * 25 / 26)
    result, merged = _merge(project)
    assert result.ret == 0
    assert merged["facts"]["coverage"] == [measured_live]
    assert [criterion(merged, n)["status"] for n in ("coverage", "coverage_paths")] == [
        "met",
        "met",
    ]
    assert criterion(merged, "coverage_paths")["measured"] == {
        "pkg/core.py": 75.0,
        "pkg/mods/**": 100.0,
    }


def test_a_source_deleted_during_a_live_session_is_unmet(project: Project) -> None:
    _package(project)
    project.write("conftest.py", SEES_COVERAGE)
    project.write(
        "tests/test_zz_cleanup.py",
        """
        from pathlib import Path


        def test_remove_a_measured_module():
            Path("pkg/core.py").unlink()
        """,
    )
    live, shard = _live(project)
    live.assert_outcomes(passed=3)
    assert live.ret == 1
    coverage = criterion(shard, "coverage")
    assert (coverage["status"], coverage["measured"]) == ("unmet", None)
    assert coverage["details"][1:] == ["not measured: source missing: pkg/core.py"]
    # custom criteria are not handed a total that left a file out
    assert criterion(shard, "sees_coverage")["measured"] is None


# --- judged in process on given measurements (as merge judges them) ---


def _judge(files: dict[str, list[int]], floor: float, floors: dict[str, float]) -> list[Any]:
    measurement = {"kind": "lines", "precision": 0, "percent": 0.0, "files": files}
    run = make_run(
        level="beta",
        tests=(),
        rootdir=Path("."),
        settings=GraduationConfig(),
        facts={"coverage": [measurement]},
    )
    return [CoverageCriterion(floor).evaluate(run), CoveragePathsCriterion(floors).evaluate(run)]


def _status(result: CriterionResult) -> str:
    return result.status.value


#: 99.99999999% covered, and nothing covered
ALMOST_ALL = {"a.py": [10**10, 1, 0, 0]}
NONE_COVERED = {"a.py": [10, 10, 0, 0]}


@pytest.mark.parametrize(
    ("floor", "almost_all", "none_covered"),
    [
        (1e-320, "met", "unmet"),
        (5e-324, "met", "unmet"),
        (99.9999999, "met", "unmet"),  # shown at 7 decimals: 99.9999999
        (100, "unmet", "unmet"),  # never 100 unless every line is covered
        (0, "met", "met"),
    ],
)
def test_tiny_and_near_100_floors_are_judged(
    floor: float, almost_all: str, none_covered: str
) -> None:
    for files, expected in ((ALMOST_ALL, almost_all), (NONE_COVERED, none_covered)):
        results = _judge(files, floor, {"*.py": floor})
        assert [_status(r) for r in results] == [expected, expected], (floor, files)
        for result in results:
            verb = "reaches" if expected == "met" else "is below"
            assert f" {verb} the floor of {floor!r}%" in result.details[0]


def test_a_subnormal_floor_is_shown_as_written() -> None:
    total, paths = _judge(NONE_COVERED, 1e-320, {"*.py": 5e-324})
    assert total.details == (
        "total 0.000000000000% of lines over 1 measured file(s) is below the floor of "
        "1e-320%: 1 more line needed",
        "most needed: a.py 0.000000000000% (10 missing lines): 1 more line needed",
    )
    assert paths.measured == {"*.py": 0.0}
    assert paths.required == {"*.py": 5e-324}
    covered, _ = _judge(ALMOST_ALL, 1e-320, {})
    assert covered.details == (
        "total 99.999999990000% of lines over 1 measured file(s) reaches the floor of 1e-320%",
    )


def test_subnormal_floors_load_and_gate_a_real_session(project: Project) -> None:
    _package(project)
    project.write("pkg/never.py", "def never():\n    return 1\n")  # measured at 0%
    project.config(
        CONFIG.replace("coverage = 90", "coverage = 1e-320").replace(
            '"pkg/mods/**" = 100', '"pkg/mods/**" = 100, "pkg/never.py" = 5e-324'
        )
    )
    live, shard = _live(project)
    assert live.ret == 1
    assert criterion(shard, "coverage")["status"] == "met"
    paths = criterion(shard, "coverage_paths")
    assert paths["status"] == "unmet"
    assert paths["details"][-2:] == [
        "pkg/never.py: 0.000000000000% of lines over 1 file(s) is below the floor of "
        "5e-324%: 1 more line needed",
        "pkg/never.py: most needed: pkg/never.py 0.000000000000% (2 missing lines): "
        "1 more line needed",
    ]


def test_unmet_floors_name_the_files_needing_the_most_lines_first() -> None:
    files = {
        # six 4-line shims at 0%: the lowest percentages, but 4 lines each
        **{f"parser/shim{i}.py": [4, 4, 0, 0] for i in range(6)},
        "parser/core.py": [1000, 200, 0, 0],  # 80%: 846 of 1000 is shown as 85%
        "parser/lexer.py": [400, 100, 0, 0],  # 75%: 339 of 400 (84.75%) is shown as 85%
        "parser/done.py": [100, 0, 0, 0],
    }
    total, paths = _judge(files, 85, {"parser/**": 85})
    assert _status(total) == _status(paths) == "unmet"
    assert paths.details == (
        # 1200 of 1524 (79%) needs 88 more: 1288 of 1524 (84.51%) is shown as 85%
        "parser/**: 79% of lines over 9 file(s) is below the floor of 85%: 88 more lines needed",
        "parser/**: most needed: parser/core.py 80% (200 missing lines): 46 more lines needed",
        "parser/**: most needed: parser/lexer.py 75% (100 missing lines): 39 more lines needed",
        "parser/**: most needed: parser/shim0.py 0% (4 missing lines): 4 more lines needed",
        "parser/**: most needed: parser/shim1.py 0% (4 missing lines): 4 more lines needed",
        *(
            f"parser/**: most needed: parser/shim{i}.py 0% (4 missing lines): 4 more lines needed"
            for i in range(2, 6)
        ),
    )
    # the total names the same files the same way
    assert total.details[1:] == tuple(d.removeprefix("parser/**: ") for d in paths.details[1:])


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        ({}, 'glob "pkg/**" matches no measured file (floor 10%)'),
        ({"lib/a.py": [5, 0, 0, 0]}, 'glob "pkg/**" matches no measured file (floor 10%)'),
        (
            {"pkg/__init__.py": [0, 0, 0, 0]},
            'glob "pkg/**" matches only files without statements (floor 10%)',
        ),
    ],
)
def test_a_glob_measuring_nothing_is_unmet(files: dict[str, list[int]], detail: str) -> None:
    _, paths = _judge({**files, "other.py": [1, 0, 0, 0]}, 10, {"pkg/**": 10})
    assert (_status(paths), paths.measured, paths.details) == ("unmet", {"pkg/**": None}, (detail,))


def test_an_empty_coverage_paths_table_is_unmet() -> None:
    _, paths = _judge({"a.py": [1, 0, 0, 0]}, 10, {})
    assert (_status(paths), paths.details) == (
        "unmet",
        ("not measured: coverage_paths names no glob",),
    )


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        ({}, NOTHING_MEASURED),
        (
            {"pkg/__init__.py": [0, 0, 0, 0]},
            "not measured: nothing measured: the 1 measured file(s) have no statements",
        ),
    ],
)
def test_an_empty_total_is_unmet_never_100(files: dict[str, list[int]], detail: str) -> None:
    total, _ = _judge(files, 0, {})
    assert (_status(total), total.measured, total.details) == ("unmet", None, (detail,))


def test_sources_mapped_with_coverage_paths_are_measured_again(project: Project) -> None:
    _package(project)
    live, _ = _live(project)
    assert live.ret == 0
    (project.path / "elsewhere").mkdir()
    shutil.move(project.path / "pkg", project.path / "elsewhere" / "pkg")
    with (project.path / "pyproject.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[tool.coverage.paths]\nsource = ["elsewhere/pkg", "*/pkg"]\n')
    result, merged = _merge(project)
    coverage = criterion(merged, "coverage")
    assert (coverage["status"], coverage["measured"]) == ("met", 96.0)
    assert sorted(merged["facts"]["coverage"][0]["files"]) == sorted(
        f"elsewhere/{name}" for name in ALL_SOURCES
    )
    # the globs name the old place: they now measure nothing, which is never met
    paths = criterion(merged, "coverage_paths")
    assert (paths["status"], paths["measured"]) == (
        "unmet",
        {"pkg/core.py": None, "pkg/mods/**": None},
    )
    assert result.ret == 1
