"""Without --graduation the plugin changes nothing."""

from __future__ import annotations

from conftest import Project

SUITE = """
    import pytest

    @pytest.mark.phase("rc")
    def test_future():
        assert False

    @pytest.mark.capability("anything")
    @pytest.mark.deterministic
    def test_ok():
        pass
"""


def test_passive_mode_changes_no_outcome_and_prints_no_report(project: Project) -> None:
    project.write("test_suite.py", SUITE)
    result = project.run("--strict-markers")
    # the rc-phase failure stays a failure: pending only exists while gating
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 1
    assert "graduation:" not in result.stdout.str()


def test_markers_are_registered(project: Project) -> None:
    result = project.run("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.phase(level):*",
            "@pytest.mark.deterministic(runs=None, stdout=False):*",
            "@pytest.mark.capability(id):*",
        ]
    )


def test_options_are_documented_in_help(project: Project) -> None:
    result = project.run("--help")
    listed = {line.split()[0] for line in result.stdout.lines if line.startswith("  --")}
    missing = {
        "--graduation=LEVEL",
        "--graduation-config=PATH",
        "--graduation-report=PATH",
        "--graduation-report-tests={none,failed,all}",
        "--graduation-ladder",
        "--graduation-badge=PATH",
        "--graduation-base=REF",
        "--graduation-explain",
        "--update-goldens",
        "--freeze-goldens",
        "--freeze-api",
        "--determinism-runs=N",
        "--update-baseline",
    } - listed
    assert not missing, f"SPEC options not in --help: {sorted(missing)}"


def test_disabling_the_plugin_is_possible(project: Project) -> None:
    project.write("test_suite.py", "def test_ok():\n    pass\n")
    result = project.run("-p", "no:graduation", "--graduation=beta")
    assert result.ret == 4
    assert "unrecognized arguments: --graduation=beta" in result.stderr.str()


def test_determinism_runs_option_is_validated(project: Project) -> None:
    for bad in ("0", "three"):
        result = project.run(f"--determinism-runs={bad}")
        assert result.ret == 4
        assert f"expected a whole number >= 1, got '{bad}'" in result.stderr.str()
