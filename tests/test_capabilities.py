"""The capability matrix and the ``capabilities`` criterion (SPEC section 6)."""

from __future__ import annotations

from typing import Any

from conftest import Project, criterion, records_of, serial_only
from pytest_graduation.capabilities import status_of

CONFIG = """
    [tool.graduation.capabilities.parser]
    title = "Parser"
    tests = ["tests/test_parser.py::*"]

    [tool.graduation.capabilities.cli]
    title = "Command line"
    level = "beta"

    [tool.graduation.capabilities.net]
    title = "Network"
    level = "rc"
    tests = ["tests/test_net.py::*"]

    [tool.graduation.criteria.alpha]
    capabilities = true
"""
SUITE = {
    "tests/test_parser.py": """
        def test_parse_a():
            pass

        def test_parse_b():
            pass
    """,
    "tests/test_cli.py": """
        import pytest

        pytestmark = pytest.mark.capability("cli")

        def test_run():
            pass

        @pytest.mark.capability("parser")
        def test_run_parses():
            pass
    """,
    "tests/test_net.py": """
        import pytest

        @pytest.mark.phase("rc")
        def test_fetch():
            assert False, "no network yet"
    """,
}


def make(project: Project, config: str = CONFIG, **files: str) -> None:
    project.config(config)
    for path, text in {**SUITE, **files}.items():
        project.write(path, text)


def rows(report: dict[str, Any]) -> dict[str, tuple[str, int, int]]:
    return {c["id"]: (c["status"], c["passed"], c["total"]) for c in report["capabilities"]}


@serial_only
def test_matrix_proven_by_globs_and_markers_together(project: Project, dist: list[str]) -> None:
    make(project)
    result, report = project.gate("beta", *dist)
    assert result.ret == 0
    assert report["verdict"] == "ready"
    assert rows(report) == {
        "parser": ("proven", 3, 3),
        "cli": ("proven", 2, 2),
        "net": ("not-required", 0, 1),
    }
    [parser, _, net] = report["capabilities"]
    assert (parser["title"], parser["level"]) == ("Parser", "alpha")
    assert "tests" not in parser  # which tests prove it is in the records
    proving = {
        cap: {r["nodeid"]: r["outcome"] for r in records_of(report) if cap in r["capabilities"]}
        for cap in ("parser", "net")
    }
    assert proving["parser"] == {
        "tests/test_parser.py::test_parse_a": "passed",
        "tests/test_parser.py::test_parse_b": "passed",
        "tests/test_cli.py::test_run_parses": "passed",
    }
    # above the target, a capability shows the progress of all its tests
    assert proving["net"] == {"tests/test_net.py::test_fetch": "xfailed"}
    assert (net["passed"], net["total"]) == (0, 1)
    entry = criterion(report, "capabilities")
    assert (entry["status"], entry["measured"], entry["details"]) == (
        "met",
        "2/2 proven",
        ["1 capability is required later"],
    )
    result.stdout.fnmatch_lines(
        [
            "capabilities:",
            "  id      title         level  tests  status",
            "  parser  Parser        alpha  3/3    proven",
            "  cli     Command line  beta   2/2    proven",
            "  net     Network       rc     0/1    not-required",
        ]
    )


def test_markdown_report_has_the_matrix(project: Project) -> None:
    make(project)
    report = project.path / "report.md"
    result = project.run("--graduation=alpha", f"--graduation-report={report}")
    assert result.ret == 0
    text = report.read_text(encoding="utf-8")
    assert "### Capabilities\n\n| id | title | level | tests | status |\n" in text
    assert "| parser | Parser | alpha | 3/3 | proven |" in text
    assert "| cli | Command line | beta | 2/2 | not-required |" in text


def test_deselected_tests_make_it_inconclusive(project: Project, dist: list[str]) -> None:
    make(project)
    result, report = project.gate("alpha", "-k", "not test_parse_b", *dist)
    # xdist's controller does not count deselections
    result.assert_outcomes(passed=3, deselected=0 if dist else 1, xfailed=1)
    assert result.ret == 1  # every test passed, but the verdict is not ready
    assert report["verdict"] == "not-ready"
    assert rows(report)["parser"] == ("inconclusive", 2, 3)
    entry = criterion(report, "capabilities")
    assert entry["status"] == "inconclusive"
    assert entry["details"] == [
        "parser: inconclusive: 1 of its 3 tests did not run "
        "(tests/test_parser.py::test_parse_b deselected); run the full suite to prove it"
    ]
    result.stdout.fnmatch_lines(["capabilities  inconclusive  0/1 proven  all proven"])


def test_failure_beats_deselection(project: Project) -> None:
    make(
        project,
        **{"tests/test_parser.py": "def test_a():\n    assert 0\ndef test_b():\n    pass\n"},
    )
    _, report = project.gate("alpha", "-k", "not test_b")
    assert rows(report)["parser"] == ("unproven", 1, 3)


def test_capabilities_nothing_proves(project: Project) -> None:
    make(
        project,
        CONFIG.replace('level = "beta"', 'level = "alpha"').replace(
            'level = "rc"', 'level = "beta"'
        )
        + '\n[tool.graduation.capabilities.docs]\ntests = ["tests/test_docs.py::*"]\n',
    )
    result, report = project.gate("beta")
    assert rows(report)["net"] == ("unproven", 0, 0)
    assert rows(report)["docs"] == ("unproven", 0, 0)
    assert criterion(report, "capabilities")["details"] == [
        "net: unproven: no required test proves it (1 pending: tests/test_net.py::test_fetch)",
        "docs: unproven: no test proves it: none matches its `tests` globs or carries "
        "@pytest.mark.capability('docs')",
    ]
    # the failing pending test itself does not fail the session; the gate does
    result.assert_outcomes(passed=4, xfailed=1)
    assert result.ret == 1


TYPO = """
    import pytest

    @pytest.mark.capability("parsr")
    def test_typo():
        pass
"""


@serial_only
def test_failures_leave_it_unproven_and_undeclared_markers_error(
    project: Project, dist: list[str]
) -> None:
    make(
        project,
        **{
            "tests/test_parser.py": "def test_parse_a():\n    assert 0\n",
            "tests/test_typo.py": TYPO,
        },
    )
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(passed=2, failed=1, errors=1, xfailed=1)
    assert result.ret == 1
    assert rows(report)["parser"] == ("unproven", 1, 2)
    entry = criterion(report, "capabilities")
    assert (entry["status"], entry["measured"]) == ("unmet", "0/1 proven")
    assert entry["details"] == ["parser: unproven: tests/test_parser.py::test_parse_a failed"]
    # a marker naming an undeclared capability is an error of that test while gating
    message = (
        "@pytest.mark.capability('parsr') names an undeclared capability "
        "(declared: cli, net, parser)"
    )
    result.stdout.fnmatch_lines([f"*{message}*"])
    assert (
        f"tests/test_typo.py::test_typo (error): {message}" in criterion(report, "tests")["details"]
    )
    passive = project.run()  # and nothing without --graduation
    passive.assert_outcomes(passed=3, failed=2)


def test_capabilities_criterion_without_any_declared(project: Project) -> None:
    project.config("[tool.graduation.criteria.alpha]\ncapabilities = true\n")
    project.write("test_x.py", "def test_x():\n    pass\n")
    _, report = project.gate("alpha")
    entry = criterion(report, "capabilities")
    assert (entry["status"], entry["details"]) == (
        "unmet",
        ["capabilities = true, but [tool.graduation.capabilities] declares none"],
    )
    assert report["capabilities"] == []


def test_capability_level_must_be_a_level(project: Project) -> None:
    project.config('[tool.graduation.capabilities.parser]\nlevel = "gamma"\n')
    project.write("test_x.py", "def test_x():\n    pass\n")
    result = project.run("--graduation=alpha")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "*tool.graduation.capabilities.parser.level: expected one of the levels "
            "alpha, beta, rc, stable, got string 'gamma'"
        ]
    )


def test_status_of_each_combination() -> None:
    assert status_of(["passed", "xpassed"], required=True) == "proven"
    assert status_of([], required=True) == "unproven"
    assert status_of(["passed", "skipped"], required=True) == "unproven"
    assert status_of(["xfailed", "deselected"], required=True) == "unproven"
    assert status_of(["passed", "deselected"], required=True) == "inconclusive"
    # a session stopped early (-x) proves nothing either way
    assert status_of(["passed", "not-run"], required=True) == "inconclusive"
    assert status_of(["failed"], required=False) == "not-required"
