"""The criteria judged from test outcomes: tests, skipped, xfailed, flaky, required_markers."""

from __future__ import annotations

from conftest import Project, criterion, serial_only

MIXED = """
    import pytest

    def test_pass():
        pass

    def test_skip():
        pytest.skip("no database")

    @pytest.mark.xfail(reason="known bug")
    def test_xfail():
        assert False

    @pytest.mark.phase("rc")
    def test_skip_later():
        pytest.skip("later")
"""


@serial_only
def test_skipped_and_xfailed_count_required_tests_only(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.beta]
        max_skipped = 0
        max_xfailed = 1
        """
    )
    project.write("test_x.py", MIXED)
    result, report = project.gate("beta", *dist)
    assert result.ret == 1
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "unmet"
    assert skipped["measured"] == 1  # the rc test is pending, not counted
    assert skipped["required"] == "<= 0"
    assert skipped["details"] == ["test_x.py::test_skip (skipped): Skipped: no database"]
    assert criterion(report, "xfailed")["status"] == "met"
    assert report["tests"]["skipped"] == 1
    assert report["tests"]["xfailed"] == 1
    result.stdout.fnmatch_lines(["beta: NOT READY (1 of 3 criteria unmet)"])


def test_limits_are_inclusive(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        max_skipped = 1
        max_xfailed = 1
        """
    )
    project.write("test_x.py", MIXED)
    result, report = project.gate("beta")
    assert result.ret == 0
    assert [c["status"] for c in report["criteria"]] == ["met", "met", "met"]


def test_errors_and_collection_errors_fail_tests(project: Project, dist: list[str]) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup broke")

        def test_error(broken):
            pass
        """,
    )
    project.write("test_y.py", "import nonexistent_module_xyz\n")
    result, report = project.gate("alpha", *dist)
    # pytest's own exit code stands: 2 (interrupted) serial, 1 under xdist
    assert result.ret == (1 if dist else 2)
    details = criterion(report, "tests")["details"]
    assert any(d.startswith("collection error: test_y.py") for d in details)
    assert report["verdict"] == "not-ready"


def test_setup_error_is_reported(project: Project) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup broke")

        def test_error(broken):
            pass
        """,
    )
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "tests")["details"][0].startswith("test_x.py::test_error (error)")
    assert report["tests"]["error"] == 1


def test_flaky_counts_reruns_that_passed(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.beta]
        max_flaky = 0
        """
    )
    project.write(
        "test_x.py",
        """
        import itertools
        attempts = itertools.count()

        def test_flaky():
            assert next(attempts) >= 1

        def test_steady():
            pass
        """,
    )
    result, report = project.gate("beta", "--reruns=2")
    assert result.ret == 1
    flaky = criterion(report, "flaky")
    assert flaky["status"] == "unmet"
    assert flaky["measured"] == 1
    assert flaky["details"] == ["test_x.py::test_flaky: passed after 1 rerun(s)"]
    assert criterion(report, "tests")["status"] == "met"


def test_flaky_met_without_reruns(project: Project) -> None:
    project.config("[tool.graduation.criteria.alpha]\nmax_flaky = 0\n")
    project.write("test_x.py", "def test_ok():\n    pass\n")
    _, report = project.gate("alpha", "--reruns=2")
    assert criterion(report, "flaky")["status"] == "met"


@serial_only
def test_required_markers(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.pytest.ini_options]
        markers = ["security", "smoke"]

        [tool.graduation.criteria.beta]
        required_markers = { security = 2, smoke = 1 }
        """
    )
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.security
        def test_auth():
            pass

        @pytest.mark.security
        @pytest.mark.phase("stable")
        def test_pending_security():
            pass

        @pytest.mark.smoke
        def test_smoke():
            pass
        """,
    )
    result, report = project.gate("beta", *dist)
    assert result.ret == 1
    markers = criterion(report, "required_markers")
    assert markers["status"] == "unmet"
    assert markers["measured"] == {"security": 1, "smoke": 1}
    assert markers["details"] == ["marker 'security': 1 passing required test(s), need 2"]
    _, stable = project.gate("stable", *dist)
    assert criterion(stable, "required_markers")["status"] == "met"


def test_no_tests_keeps_pytest_exit_code_and_is_not_ready(project: Project) -> None:
    result, report = project.gate("alpha")
    assert result.ret == 5
    assert report["verdict"] == "not-ready"
    assert criterion(report, "tests")["details"] == [
        "no required test ran (nothing collected, or everything deselected)"
    ]
