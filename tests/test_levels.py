"""Levels, the phase marker, phase globs and pending tests."""

from __future__ import annotations

import pytest

from conftest import Project, criterion, records_of, serial_only

PHASED = """
    import pytest

    def test_alpha():
        pass

    @pytest.mark.phase("rc")
    def test_rc_fails():
        assert False, "not done yet"

    @pytest.mark.phase("stable")
    def test_stable_passes():
        pass
"""


def test_unknown_level_is_a_usage_error_listing_levels(project: Project) -> None:
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=gamma")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["*unknown level 'gamma' for --graduation; valid levels: alpha, beta, rc, stable*"]
    )


def test_custom_levels_replace_the_defaults(project: Project) -> None:
    project.config(
        """
        [tool.graduation]
        levels = ["dev", "prod"]
        """
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("prod")
    assert result.ret == 0
    assert report["levels"] == ["dev", "prod"]
    assert report["level"] == "prod"
    assert project.run("--graduation=beta").ret == 4


@serial_only
def test_pending_failure_does_not_fail_the_session(project: Project, dist: list[str]) -> None:
    project.write("test_x.py", PHASED)
    result, report = project.gate("beta", *dist)
    assert result.ret == 0
    result.assert_outcomes(passed=2, xfailed=1)
    result.stdout.fnmatch_lines(["beta: READY"])
    assert report["verdict"] == "ready"
    assert sorted(report["tests"]["pending"]) == [
        "test_x.py::test_rc_fails",
        "test_x.py::test_stable_passes",
    ]
    assert report["tests"]["passed"] == 1


def test_pending_reason_names_the_phase(project: Project) -> None:
    project.write("test_x.py", PHASED)
    result = project.run("--graduation=beta", "-rx")
    result.stdout.fnmatch_lines(["XFAIL test_x.py::test_rc_fails - required from rc"])


@serial_only
def test_required_failure_fails_when_its_level_is_reached(
    project: Project, dist: list[str]
) -> None:
    project.write("test_x.py", PHASED)
    result, report = project.gate("rc", *dist)
    assert result.ret == 1
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["rc: NOT READY (1 of 1 criteria unmet)"])
    tests = criterion(report, "tests")
    assert tests["status"] == "unmet"
    assert any("test_x.py::test_rc_fails (failed)" in d for d in tests["details"])
    assert report["tests"]["pending"] == ["test_x.py::test_stable_passes"]


def test_closest_phase_marker_wins(project: Project) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        pytestmark = pytest.mark.phase("stable")

        @pytest.mark.phase("rc")
        class TestThings:
            def test_class_phase(self):
                assert False

            @pytest.mark.phase("alpha")
            def test_function_phase(self):
                assert False

        def test_module_phase():
            assert False
        """,
    )
    _, report = project.gate("beta")
    phases = {r["nodeid"].split("::")[-1]: r["phase"] for r in records_of(report)}
    assert phases == {
        "test_class_phase": "rc",
        "test_function_phase": "alpha",
        "test_module_phase": "stable",
    }
    details = criterion(report, "tests")["details"]
    assert len(details) == 1
    assert details[0].startswith("test_x.py::TestThings::test_function_phase (failed)")


def test_phase_globs_and_marker_precedence(project: Project) -> None:
    project.config(
        """
        [tool.graduation.phases]
        "tests/experimental/*" = "rc"
        """
    )
    project.write(
        "tests/experimental/test_new.py",
        """
        import pytest

        def test_by_glob():
            assert False

        @pytest.mark.phase("alpha")
        def test_marker_beats_glob():
            pass
        """,
    )
    _, report = project.gate("beta")
    phases = {r["nodeid"]: r["phase"] for r in records_of(report)}
    assert phases == {
        "tests/experimental/test_new.py::test_by_glob": "rc",
        "tests/experimental/test_new.py::test_marker_beats_glob": "alpha",
    }
    assert report["verdict"] == "ready"


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('phase("gamma")', "names an unknown level; levels are: alpha, beta, rc, stable"),
        ("phase()", "takes exactly one level name as a string"),
        ("phase(3)", "takes exactly one level name as a string"),
    ],
)
def test_bad_phase_marker_errors_only_that_test(
    project: Project, marker: str, message: str
) -> None:
    project.write(
        "test_x.py",
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_bad():
            pass

        def test_good():
            pass
        """,
    )
    result, report = project.gate("stable")
    result.assert_outcomes(passed=1, errors=1)
    assert message in result.stdout.str()
    assert report["verdict"] == "not-ready"


def test_bad_phase_marker_is_ignored_in_passive_mode(project: Project) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.phase("gamma")
        def test_bad():
            pass
        """,
    )
    project.run().assert_outcomes(passed=1)
