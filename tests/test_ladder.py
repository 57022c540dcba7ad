"""The ladder (SPEC section 13): every level judged from one run, after the verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, check_schema, criterion, serial_only

CONFIG = """
    [tool.graduation.criteria.beta]
    max_skipped = 1

    [tool.graduation.criteria.rc]
    max_xfailed = 0
"""
SUITE = """
    import pytest

    def _ran():
        with open("runs.txt", "a") as stream:
            stream.write("x\\n")

    def test_alpha():
        _ran()

    def test_skipped():
        _ran()
        pytest.skip("not here")

    @pytest.mark.phase("rc")
    def test_rc_fails():
        _ran()
        assert False, "not done yet"

    @pytest.mark.phase("beta")
    def test_beta_passes():
        _ran()
"""


def rungs(report: dict[str, Any]) -> dict[str, tuple[str, list[str], list[str]]]:
    return {r["level"]: (r["verdict"], r["unmet"], r["inconclusive"]) for r in report["ladder"]}


def test_ladder_needs_a_gated_level(project: Project) -> None:
    project.write("test_x.py", "def test_ok():\n    pass\n")
    for option in ("--graduation-ladder", "--graduation-badge=badge.json"):
        result = project.run(option)
        assert result.ret == 4
        result.stderr.fnmatch_lines(["*--graduation-ladder and --graduation-badge need*"])
    assert not (project.path / "badge.json").exists()


def test_every_level_is_judged_after_the_verdict_without_another_run(
    project: Project, dist: list[str]
) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    result, report = project.gate("beta", "--graduation-ladder", *dist)
    # the verdict and exit code stay beta's; the failing rc test is pending at beta
    assert result.ret == 0
    assert report["verdict"] == "ready"
    result.assert_outcomes(passed=2, skipped=1, xfailed=1)
    assert (project.path / "runs.txt").read_text().count("x") == 4  # each test ran once
    assert rungs(report) == {
        "alpha": ("ready", [], []),
        "beta": ("ready", [], []),
        # pending at beta, required from rc: its failure counts there (not as an xfail)
        "rc": ("not-ready", ["tests"], []),
        "stable": ("not-ready", ["tests"], []),
    }
    assert report["highest_ready"] == "beta"
    result.stdout.fnmatch_lines(
        [
            "beta: READY",
            "",
            "level   verdict    unmet",
            "alpha   ready      -",
            "beta    ready      -",
            "rc      not-ready  tests",
            "stable  not-ready  tests",
            "highest ready level: beta",
        ]
    )


@serial_only
def test_a_pending_xfail_stays_an_xfail_on_the_rungs(project: Project, dist: list[str]) -> None:
    project.config(CONFIG)
    project.write(
        "test_x.py",
        """
        import pytest

        def test_ok():
            pass

        @pytest.mark.phase("rc")
        @pytest.mark.xfail(reason="known bug")
        def test_known():
            assert False
        """,
    )
    _, report = project.gate("alpha", "--graduation-ladder", *dist)
    # an xfail is no failure, but rc allows none
    assert rungs(report)["beta"] == ("ready", [], [])
    assert rungs(report)["rc"] == ("not-ready", ["xfailed"], [])


@serial_only
def test_a_lower_rung_does_not_require_what_the_gated_level_does(
    project: Project, dist: list[str]
) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    result, report = project.gate("rc", "--graduation-ladder", *dist)
    assert result.ret == 1  # rc's own verdict
    assert rungs(report)["beta"] == ("ready", [], [])
    assert report["highest_ready"] == "beta"


def test_without_the_option_there_is_no_ladder(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    result, report = project.gate("beta")
    assert "ladder" not in report
    assert "highest_ready" not in report
    assert "highest ready level" not in result.stdout.str()


DETERMINISM = """
    [tool.graduation.criteria.rc]
    determinism_runs = 3

    [tool.graduation.criteria.stable]
    coverage = 10
    examples = ["examples/*.py"]
    max_obsolete_goldens = 0
"""
DETERMINISTIC = """
    import pytest

    @pytest.mark.deterministic
    def test_same(observe):
        observe(1)
"""


def test_what_this_run_did_not_measure_is_inconclusive(project: Project, dist: list[str]) -> None:
    project.config(DETERMINISM)
    project.write("test_x.py", DETERMINISTIC)
    project.write("examples/hello.py", "print('hello')\n")
    result, report = project.gate("beta", "--graduation-ladder", *dist)
    assert result.ret == 0
    assert rungs(report)["rc"] == ("inconclusive", [], ["determinism"])
    assert rungs(report)["stable"] == (
        "inconclusive",
        [],
        ["coverage", "determinism", "obsolete_goldens", "examples"],
    )
    assert report["highest_ready"] == "beta"
    out = result.stdout.str()
    assert "determinism (inconclusive: 0 run(s) + 0 process(es) made, 3 + 0 needed: " in out
    assert "gate at rc to measure it)" in out
    for hint in (
        "coverage (inconclusive: no coverage measured (no --cov): gate at stable to measure it)",
        "examples (inconclusive: the examples of stable not collected: gate at stable",
        "obsolete_goldens (inconclusive: golden use not tracked: gate at stable",
    ):
        assert hint in out


@serial_only
def test_more_runs_than_a_rung_needs_measure_it(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.beta]
        determinism_runs = 2
        [tool.graduation.criteria.rc]
        determinism_runs = 3
        [tool.graduation.criteria.stable]
        determinism_processes = 1
        """
    )
    project.write("test_x.py", DETERMINISTIC)
    _, report = project.gate("alpha", "--graduation-ladder", "--determinism-runs=3", *dist)
    ladder = rungs(report)
    assert ladder["beta"] == ("ready", [], []) and ladder["rc"] == ("ready", [], [])
    # three in-process runs are no run in a fresh interpreter
    assert ladder["stable"] == ("inconclusive", [], ["determinism"])


@serial_only
def test_runs_in_fresh_interpreters_measure_the_rungs_below(
    project: Project, dist: list[str]
) -> None:
    project.config(
        """
        [tool.graduation.criteria.beta]
        determinism_runs = 2
        [tool.graduation.criteria.stable]
        determinism_processes = 1
        """
    )
    project.write("test_x.py", DETERMINISTIC)
    # in a fresh interpreter: after an in-process session with --determinism-runs, the
    # children of a later in-process session do not start (seen on main too)
    project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "--graduation=stable", "--graduation-ladder",
        "--graduation-report=report.json", *dist,
    )  # fmt: skip
    report = json.loads((project.path / "report.json").read_text())
    assert [r["verdict"] for r in report["ladder"]] == ["ready"] * 4


@serial_only
def test_a_nondeterministic_test_fails_the_rungs_that_check_it(
    project: Project, dist: list[str]
) -> None:
    project.config("[tool.graduation.criteria.beta]\ndeterminism_runs = 2\n")
    project.write(
        "test_x.py",
        """
        import itertools
        import pytest

        COUNTER = itertools.count()

        @pytest.mark.deterministic
        def test_counts(observe):
            observe(next(COUNTER))
        """,
    )
    _, report = project.gate("stable", "--graduation-ladder", *dist)
    assert rungs(report)["alpha"][0] == "not-ready"  # the test itself failed
    assert rungs(report)["beta"] == ("not-ready", ["tests", "determinism"], [])


@serial_only
def test_waivers_apply_per_rung(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        max_skipped = 0

        [[tool.graduation.waivers]]
        criterion = "skipped"
        reason = "flaky CI host"
        expires = 2999-01-01
        levels = ["beta"]
        """
    )
    project.write("test_x.py", "import pytest\n\ndef test_ok():\n    pytest.skip('host')\n")
    project.write("test_y.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha", "--graduation-ladder", *dist)
    assert result.ret == 1
    assert rungs(report)["alpha"] == ("not-ready", ["skipped"], [])
    assert rungs(report)["beta"] == ("ready", [], [])
    assert rungs(report)["rc"] == ("not-ready", ["skipped"], [])
    # beta is ready, but not reached: alpha below it is not
    assert report["highest_ready"] is None
    result.stdout.fnmatch_lines(["highest ready level: none"])


CUSTOM = """
    from pytest_graduation import Criterion, CriterionResult

    class ReleaseNotes(Criterion):
        name = "release_notes"

        def evaluate(self, run):
            if run.levels.index(run.level) >= run.levels.index("rc"):
                return CriterionResult.unmet("missing", "present", [f"none for {run.level}"])
            return CriterionResult.met("not needed", "from rc")

    def pytest_graduation_criteria(config):
        return [ReleaseNotes()]
"""


def test_custom_criteria_are_judged_on_each_rung(project: Project, dist: list[str]) -> None:
    project.write("conftest.py", CUSTOM)
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha", "--graduation-ladder", *dist)
    assert result.ret == 0
    assert criterion(report, "release_notes")["status"] == "met"
    assert rungs(report)["beta"] == ("ready", [], [])
    assert rungs(report)["rc"] == ("not-ready", ["release_notes"], [])
    assert rungs(report)["stable"] == ("not-ready", ["release_notes"], [])


def _badge(project: Project, level: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    result, report = project.gate(level, "--graduation-badge=out/badge.json", *args)
    assert [r["level"] for r in report["ladder"]] == report["levels"]  # the badge implies it
    return result, json.loads((project.path / "out" / "badge.json").read_text())


@pytest.mark.parametrize(
    ("suite", "message", "color"),
    [
        ("def test_ok():\n    pass\n", "stable", "brightgreen"),
        (SUITE, "beta", "green"),
        ("def test_bad():\n    assert False\n", "none", "red"),
    ],
    ids=["highest", "lower", "none"],
)
def test_badge_names_the_highest_ready_level(
    project: Project, suite: str, message: str, color: str
) -> None:
    project.config(CONFIG)
    project.write("test_x.py", suite)
    (project.path / "out").mkdir()
    (project.path / "out" / "badge.json").write_text("old")
    result, badge = _badge(project, "alpha")
    assert badge == {"schemaVersion": 1, "label": "graduation", "message": message, "color": color}
    assert sorted(p.name for p in (project.path / "out").iterdir()) == ["badge.json"]  # no temp
    result.stdout.fnmatch_lines(["graduation badge written to *badge.json"])


@serial_only
def test_badge_implies_the_ladder_under_xdist(project: Project, dist: list[str]) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    (project.path / "out").mkdir()
    _, badge = _badge(project, "beta", "-n", "2")
    assert badge["message"] == "beta"


@pytest.mark.parametrize("where", ["missing/badge.json", "folder"])
def test_unwritable_badge_is_a_usage_error_before_tests_run(project: Project, where: str) -> None:
    (project.path / "folder").mkdir()
    project.write("test_x.py", "def test_ok():\n    open('ran.txt', 'w').close()\n")
    result = project.run("--graduation=alpha", f"--graduation-badge={where}")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--graduation-badge: *"])
    assert not (project.path / "ran.txt").exists()


def test_a_session_without_a_verdict_replaces_the_badge(project: Project) -> None:
    project.write("test_x.py", "import pytest\n\ndef test_stop():\n    pytest.exit('stop')\n")
    badge = project.path / "badge.json"
    badge.write_text('{"message": "stable"}')
    result = project.run("--graduation=alpha", f"--graduation-badge={badge}")
    assert result.ret != 0
    assert json.loads(badge.read_text())["message"] == "not judged"


def test_markdown_and_step_summary_show_the_table(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    summary = project.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = project.run("--graduation=beta", "--graduation-ladder", "--graduation-report=r.md")
    assert result.ret == 0
    for text in ((project.path / "r.md").read_text(), summary.read_text()):
        assert "| level | verdict | unmet |\n| --- | --- | --- |\n| alpha | ready | - |" in text
        assert "| rc | not-ready | tests |" in text
        assert "highest ready level: **beta**" in text


def test_report_round_trips_and_a_forged_ladder_is_refused(
    project: Project, tmp_path: Path
) -> None:
    from pytest_graduation.report import GraduationReport
    from pytest_graduation.report_reader import ReportError

    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    _, report = project.gate("beta", "--graduation-ladder")
    again = GraduationReport.from_dict(report).to_dict()
    assert again["ladder"] == report["ladder"]
    assert again["highest_ready"] == "beta"
    forged: list[tuple[str, Any]] = [
        ("highest_ready", "stable"),
        ("ladder", report["ladder"][:2]),
        ("ladder", [{**r, "verdict": "ready"} for r in report["ladder"]]),
    ]
    for key, value in forged:
        with pytest.raises(ReportError):
            GraduationReport.from_dict({**report, key: value})
    without = {k: v for k, v in report.items() if k != "highest_ready"}
    with pytest.raises(ReportError):
        GraduationReport.from_dict(without)
    check_schema(again)
