"""In-process determinism runs: counts, fixtures, one report per test, differences."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import Project, serial_only


def assert_line(result: pytest.RunResult, *parts: str) -> None:
    """Some output line holds every part (xdist puts the word before the node id)."""
    lines = result.stdout.lines
    assert any(all(p in line for p in parts) for line in lines), (parts, lines)


RUNS_3 = """
[tool.graduation.criteria.alpha]
determinism_runs = 3
"""

FIXTURES = """
import pytest

LOG = []

@pytest.fixture(scope="module")
def shared():
    LOG.append("shared setup")
    yield object()
    LOG.append("shared teardown")

@pytest.fixture
def fresh():
    LOG.append("fresh setup")
    yield []
    LOG.append("fresh teardown")

@pytest.mark.deterministic
def test_twice(shared, fresh, observe):
    fresh.append(1)
    assert fresh == [1]
    LOG.append(("call", id(shared)))
    observe({"b": [1, 2], "a": "x"})

def test_after():
    calls = [e for e in LOG if isinstance(e, tuple)]
    assert len(calls) == RUNS and len(set(calls)) == 1, LOG
    assert LOG.count("fresh setup") == LOG.count("fresh teardown") == RUNS, LOG
    assert LOG.count("shared setup") == 1 and "shared teardown" not in LOG, LOG
"""


def test_each_run_has_fresh_function_fixtures_and_shared_module_ones(
    project: Project, dist: list[str]
) -> None:
    project.config(RUNS_3)
    project.write("test_det_fix.py", FIXTURES.replace("RUNS", "3"))
    # both tests must land on one worker to share the module log
    result, report = project.gate("alpha", *dist, *(["--dist", "loadfile"] if dist else []))
    result.assert_outcomes(passed=2)
    assert report["verdict"] == "ready"


@serial_only
def test_reported_once_with_the_run_count_in_verbose_output(
    project: Project, dist: list[str]
) -> None:
    project.config(RUNS_3)
    project.write(
        "test_det_once.py",
        """
        import pytest

        @pytest.mark.deterministic
        def test_stable(observe):
            print("same every time")
            observe(sorted({"b", "a"}))
        """,
    )
    result, report = project.gate("alpha", "-v", "--junitxml=junit.xml", *dist)
    result.assert_outcomes(passed=1)
    assert_line(result, "test_det_once.py::test_stable", "PASSED (3 runs)")
    cases = ET.parse(project.path / "junit.xml").getroot().iter("testcase")
    (case,) = list(cases)
    assert case.get("name") == "test_stable"
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {"determinism_runs": "3"}
    determinism = [c for c in report["criteria"] if c["name"] == "determinism"]
    assert determinism[0]["status"] == "met"
    assert determinism[0]["measured"] == "1/1 identical"


def test_a_differing_value_fails_with_a_diff_of_the_first_difference(
    project: Project, dist: list[str]
) -> None:
    project.config(RUNS_3)
    project.write(
        "test_det_drift.py",
        """
        import itertools, pytest
        COUNTER = itertools.count()

        @pytest.mark.deterministic
        def test_drift(observe):
            observe("same")
            observe({"n": next(COUNTER), "k": "v"}, name="state")
        """,
    )
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*not deterministic: run 2 differs from run 1: "
            "first differing value: observe:state (value 2)",
            "--- run 1",
            "+++ run 2",
            '-  "n": 0',
            '+  "n": 1',
        ]
    )
    determinism = next(c for c in report["criteria"] if c["name"] == "determinism")
    assert determinism["status"] == "unmet"
    assert determinism["details"] == [
        "test_det_drift.py::test_drift: not deterministic: run 2 differs from run 1: "
        "first differing value: observe:state (value 2)"
    ]


def test_a_flipped_outcome_fails_shows_both_outcomes_and_counts_as_flaky(
    project: Project, dist: list[str]
) -> None:
    project.config(RUNS_3 + "max_flaky = 0\n")
    project.write(
        "test_det_flip.py",
        """
        import itertools, pytest
        COUNTER = itertools.count()

        @pytest.mark.deterministic
        def test_flip():
            assert next(COUNTER) == 0, "only the first time"
        """,
    )
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*not deterministic: run 2 differs from run 1: the outcome flipped:",
            "  run 1: passed",
            "  run 2: failed (AssertionError: only the first time*",
        ]
    )
    flaky = next(c for c in report["criteria"] if c["name"] == "flaky")
    assert flaky["status"] == "unmet"
    assert flaky["details"] == [
        "test_det_flip.py::test_flip: outcome flipped across determinism runs"
    ]


@serial_only
def test_captured_stdout_is_compared_only_when_asked(project: Project, dist: list[str]) -> None:
    project.config(RUNS_3)
    project.write(
        "test_det_out.py",
        """
        import itertools, pytest
        COUNTER = itertools.count()

        @pytest.mark.deterministic
        def test_unchecked():
            print("tick", next(COUNTER))

        @pytest.mark.deterministic(stdout=True)
        def test_checked():
            print("tick", next(COUNTER))
        """,
    )
    result, _ = project.gate("alpha", *dist, "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_checked*not deterministic: run 2 differs from run 1: captured stdout differs"]
    )


@serial_only
def test_marker_runs_raise_the_count_and_the_option_works_in_passive_mode(
    project: Project, dist: list[str]
) -> None:
    project.write(
        "test_det_count.py",
        """
        import pytest
        CALLS = {"plain": 0, "five": 0, "unmarked": 0}

        @pytest.mark.deterministic
        def test_plain():
            CALLS["plain"] += 1

        @pytest.mark.deterministic(runs=5)
        def test_five():
            CALLS["five"] += 1

        def test_unmarked():
            CALLS["unmarked"] += 1

        def test_zz_counts():
            assert CALLS == {"plain": 2, "five": 5, "unmarked": 1}
        """,
    )
    loadfile = ["--dist", "loadfile"] if dist else []
    result = project.run("--determinism-runs=2", "-v", *dist, *loadfile)
    result.assert_outcomes(passed=4)
    assert_line(result, "test_det_count.py::test_five", "PASSED (5 runs)")
    assert "graduation:" not in result.stdout.str()


def test_without_a_run_count_marked_tests_run_once(project: Project) -> None:
    project.write(
        "test_det_passive.py",
        """
        import pytest
        CALLS = []

        @pytest.mark.deterministic(runs=4)
        def test_marked(observe):
            CALLS.append(1)
            observe([1, 2])

        def test_zz_once():
            assert CALLS == [1]
        """,
    )
    result = project.run("-v")
    result.assert_outcomes(passed=2)
    assert "runs)" not in result.stdout.str()


@serial_only
def test_config_globs_treat_tests_as_deterministic(project: Project, dist: list[str]) -> None:
    project.config(
        RUNS_3
        + """
        [tool.graduation]
        deterministic = ["test_det_glob.py::test_listed*"]
        """.replace("        ", "")
    )
    project.write(
        "test_det_glob.py",
        """
        import itertools
        COUNTER = itertools.count()

        def test_listed_drifts(observe):
            observe(next(COUNTER))

        def test_not_listed(observe):
            observe(next(COUNTER))
        """,
    )
    result, _ = project.gate("alpha", "-v", *dist)
    result.assert_outcomes(passed=1, failed=1)
    assert_line(result, "test_det_glob.py::test_listed_drifts", "FAILED (3 runs)")
    assert_line(result, "test_det_glob.py::test_not_listed", "PASSED")


@serial_only
def test_bad_marker_arguments_fail_only_that_test(project: Project, dist: list[str]) -> None:
    project.config(RUNS_3)
    project.write(
        "test_det_bad.py",
        """
        import pytest

        @pytest.mark.deterministic(runs=0)
        def test_zero():
            pass

        @pytest.mark.deterministic(runs="3")
        def test_text():
            pass

        @pytest.mark.deterministic
        def test_fine():
            pass
        """,
    )
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "*deterministic(runs=...) needs a whole number >= 1, got 0",
            "*deterministic(runs=...) needs a whole number >= 1, got '3'",
        ]
    )
    determinism = next(c for c in report["criteria"] if c["name"] == "determinism")
    assert determinism["status"] == "unmet"
    assert determinism["measured"] == "1/3 identical"


@serial_only
def test_an_unserializable_value_fails_the_test_naming_its_type(
    project: Project, dist: list[str]
) -> None:
    project.config(RUNS_3)
    project.write(
        "test_det_unser.py",
        """
        import pytest

        class Widget:
            pass

        @pytest.mark.deterministic
        def test_widget(observe):
            observe(Widget())

        def test_passive_too(observe):
            observe({1, 2})
        """,
    )
    result, _ = project.gate("alpha", *dist)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "*TypeError: observe: cannot serialize a value of type test_det_unser.Widget*",
            "*TypeError: observe: cannot serialize a value of type set*",
        ]
    )


@pytest.mark.parametrize("name", [3, b"x"])
def test_observe_names_must_be_text(project: Project, name: object) -> None:
    project.write(
        "test_det_name.py",
        f"""
        def test_named(observe):
            observe(1, name={name!r})
        """,
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*observe(name=...) must be a str or None*"])


@serial_only
def test_golden_checks_are_part_of_the_observation(project: Project, dist: list[str]) -> None:
    project.write(
        "test_det_gold.py",
        """
        import itertools, pytest
        COUNTER = itertools.count()

        @pytest.mark.deterministic
        def test_drifting_golden(golden):
            golden.check({"n": next(COUNTER)}, name="state")
        """,
    )
    result = project.run("--update-goldens", "--determinism-runs=2", *dist)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*not deterministic: run 2 differs from run 1: first differing value: "
            "golden:test_drifting_golden.state.json (value 1)",
        ]
    )
