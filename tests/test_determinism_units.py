"""Unit and property tests of the determinism building blocks: marker parsing,
observations (comparison and JSON form), hash seeds, the timeout setting, the criterion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_run
from pytest_graduation.config import GraduationConfig
from pytest_graduation.determinism.criterion import NONE_NOTE, DeterminismCriterion
from pytest_graduation.determinism.marker import DeterministicSpec, parse_marker
from pytest_graduation.determinism.observation import (
    Observation,
    compare,
    decode,
    decode_all,
    encode,
    encode_all,
    stdout_of,
    summarize,
)
from pytest_graduation.determinism.processes import (
    DEFAULT_TIMEOUT,
    TIMEOUT_ENV,
    files_of,
    hash_seeds,
    timeout_from,
)
from pytest_graduation.determinism.runner import VERDICT_STREAM
from pytest_graduation.model import GateRun, Status, TestRecord
from pytest_graduation.recording import MarkerError

# --- the marker ----------------------------------------------------------------------


@given(runs=st.integers(min_value=1), stdout=st.booleans())
def test_valid_marker_arguments_are_kept(runs: int, stdout: bool) -> None:
    assert parse_marker((), {"runs": runs, "stdout": stdout}) == DeterministicSpec(runs, stdout)


def test_a_bare_marker_uses_the_configured_count() -> None:
    assert parse_marker((), {}) == DeterministicSpec(None, False)


@given(
    runs=st.one_of(
        st.integers(max_value=0),
        st.floats(),
        st.text(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_bad_run_counts_are_errors_naming_the_value(runs: object) -> None:
    with pytest.raises(MarkerError, match="whole number >= 1") as info:
        parse_marker((), {"runs": runs})
    assert repr(runs) in str(info.value)


@given(stdout=st.one_of(st.integers(), st.text(), st.none()))
def test_stdout_must_be_a_bool(stdout: object) -> None:
    with pytest.raises(MarkerError, match="stdout"):
        parse_marker((), {"stdout": stdout})


def test_positional_and_unknown_arguments_are_errors() -> None:
    with pytest.raises(MarkerError, match="keyword arguments only"):
        parse_marker((3,), {})
    with pytest.raises(MarkerError, match=r"unknown argument.*repeat"):
        parse_marker((), {"repeat": 3})


# --- observations ----------------------------------------------------------------------

labels = st.text(min_size=1, max_size=12)
contents = st.one_of(st.text(max_size=40), st.binary(max_size=40))
observations = st.builds(
    Observation,
    outcome=st.sampled_from(["passed", "failed", "skipped", "error in setup"]),
    values=st.lists(st.tuples(labels, contents), max_size=4).map(tuple),
    stdout=st.one_of(st.none(), st.text(max_size=30)),
    failure=st.text(max_size=20),
)


@given(observations)
def test_observations_survive_their_json_form(observation: Observation) -> None:
    assert decode(encode(observation)) == observation
    assert decode_all(encode_all({"t.py::x": observation})) == {"t.py::x": observation}


@given(observations)
def test_an_observation_equals_itself(observation: Observation) -> None:
    assert compare(observation, observation, "run 2") is None


@given(observations, observations)
def test_compare_finds_every_difference_but_the_failure_text(
    first: Observation, other: Observation
) -> None:
    same = (first.outcome, first.values, first.stdout) == (
        other.outcome,
        other.values,
        other.stdout,
    )
    found = compare(first, other, "run 2")
    assert (found is None) == same
    if found is not None:
        assert found.flipped == (first.outcome != other.outcome)
        assert "\n" not in found.summary


def test_a_differing_value_is_diffed_with_run_labels() -> None:
    first = Observation("passed", (("observe:#1", '{\n  "n": 1\n}\n'),))
    other = Observation("passed", (("observe:#1", '{\n  "n": 2\n}\n'),))
    found = compare(first, other, "run 3")
    assert found is not None
    assert found.summary == "first differing value: observe:#1 (value 1)"
    assert "--- run 1\n+++ run 3" in found.text
    assert '-  "n": 1\n+  "n": 2' in found.text


def test_missing_values_and_flipped_outcomes_are_described() -> None:
    one = Observation("passed", (("observe:#1", "a"),))
    two = Observation("passed", (("observe:#1", "a"), ("observe:#2", "b")))
    found = compare(one, two, "run 2")
    assert found is not None and "observe:#2 (only in run 2)" in found.text
    flipped = compare(one, Observation("failed", failure="assert 0"), "run 2")
    assert flipped is not None and flipped.flipped
    assert "run 1: passed\n  run 2: failed (assert 0)" in flipped.text


@pytest.mark.parametrize(
    ("phases", "outcome"),
    [
        ([("setup", "passed", ""), ("call", "passed", ""), ("teardown", "passed", "")], "passed"),
        ([("setup", "failed", "boom"), ("teardown", "passed", "")], "error in setup"),
        ([("setup", "skipped", "no"), ("teardown", "passed", "")], "skipped in setup"),
        (
            [("setup", "passed", ""), ("call", "failed", "x"), ("teardown", "failed", "y")],
            "failed, error in teardown",
        ),
        ([], "not run"),
    ],
)
def test_summarize_outcomes(phases: list[tuple[str, str, str]], outcome: str) -> None:
    assert summarize(phases)[0] == outcome


def test_stdout_comes_from_captured_stdout_sections_only() -> None:
    sections = [
        ("Captured stdout setup", "a"),
        ("Captured stderr call", "x"),
        ("Captured stdout call", "b"),
    ]
    assert stdout_of(sections) == "ab"


def test_corrupt_observation_files_are_rejected() -> None:
    for raw in ({}, {"version": 1}, {"version": 1, "observations": {"x": {"outcome": 1}}}):
        with pytest.raises(ValueError):
            decode_all(raw)
    with pytest.raises(ValueError):
        decode({"outcome": "passed", "values": [["l", "pickle", "x"]]})


# --- fresh interpreters: seeds, timeout, files ---------------------------------------------


@given(count=st.integers(0, 20), parent=st.one_of(st.none(), st.integers(0, 25).map(str)))
def test_hash_seeds_are_distinct_nonzero_and_not_the_sessions(
    count: int, parent: str | None
) -> None:
    seeds = hash_seeds(count, parent)
    assert len(seeds) == len(set(seeds)) == count
    assert all(seed > 0 and str(seed) != parent for seed in seeds)


def test_timeout_setting() -> None:
    assert timeout_from({}) == DEFAULT_TIMEOUT
    assert timeout_from({TIMEOUT_ENV: "2.5"}) == 2.5
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(pytest.UsageError, match=TIMEOUT_ENV):
            timeout_from({TIMEOUT_ENV: bad})


def test_children_get_each_test_file_once(tmp_path: Path) -> None:
    ids = ["t/test_a.py::test_x[a::b]", "t/test_a.py::T::test_y", "test_b.py::test_z"]
    assert files_of(tmp_path, ids) == [str(tmp_path / "t/test_a.py"), str(tmp_path / "test_b.py")]


# --- the criterion ------------------------------------------------------------------------


def gate_run(verdicts: list[dict[str, Any]], pending: tuple[str, ...] = ()) -> GateRun:
    settings = GraduationConfig()
    return make_run(
        level="alpha",
        tests=tuple(TestRecord(n, "passed", "rc", required=False) for n in pending),
        rootdir=Path("."),
        settings=settings,
        facts={VERDICT_STREAM: verdicts},
    )


def test_criterion_without_deterministic_tests_is_unmet_with_a_note() -> None:
    result = DeterminismCriterion(3, 0).evaluate(gate_run([]))
    assert result.status == Status.UNMET
    assert result.details == (NONE_NOTE,)
    assert result.required == "identical in 3 run(s)"


def test_criterion_names_the_tests_that_differ_and_ignores_pending_ones() -> None:
    verdicts = [
        {"nodeid": "t.py::ok", "status": "identical", "runs": 3, "detail": ""},
        {"nodeid": "t.py::bad", "status": "differs", "runs": 3, "detail": "run 2 differs\nmore"},
        {"nodeid": "t.py::slow", "status": "unverified", "runs": 5, "detail": "timed out"},
        {"nodeid": "t.py::later", "status": "differs", "runs": 3, "detail": "run 2 differs"},
    ]
    result = DeterminismCriterion(3, 2).evaluate(gate_run(verdicts, pending=("t.py::later",)))
    assert result.status == Status.UNMET
    assert result.measured == "1/3 identical"
    assert result.required == "identical in 3 run(s) + 2 fresh interpreter(s)"
    assert result.details == (
        "t.py::bad: not deterministic: run 2 differs",
        "t.py::slow: not verified in a fresh interpreter: timed out",
    )
