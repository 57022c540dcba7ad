"""Baselines (SPEC section 17) judged in process: the ``coverage_baseline`` and
``benchmarks`` criteria on hand-made facts and baseline files, the configuration
checks, the strict reader and ``update_baseline``. The real pytest-cov and
pytest-benchmark paths are in ``test_baselines_integration.py``."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import make_run
from pytest_graduation.baselines import (
    BENCHMARKS_STREAM,
    SESSION_STREAM,
    BenchmarksCriterion,
    CoverageBaselineCriterion,
    update_baseline,
)
from pytest_graduation.baselines.benchmarks import stats_of, why_off
from pytest_graduation.baselines.criteria import medians, seconds
from pytest_graduation.baselines.settings import non_negative, parse_baseline_path
from pytest_graduation.baselines.store import (
    MAX_BASELINE_BYTES,
    BaselineError,
    canonical,
    write_baseline,
)
from pytest_graduation.config import GraduationConfig
from pytest_graduation.model import CriterionResult, Status
from pytest_graduation.validation import Checker, ConfigError

NAME = "graduation-baseline.json"
HINT = "run pytest --update-baseline"
SETTINGS = GraduationConfig(values={"baseline": NAME})


def measurement(files: dict[str, list[int]], precision: int = 1) -> dict[str, Any]:
    return {"kind": "lines", "precision": precision, "percent": 0.0, "files": files}


def write(root: Path, document: dict[str, Any]) -> None:
    (root / NAME).write_text(json.dumps(document), encoding="utf-8")


def recorded(total: float, files: dict[str, float], precision: int = 1) -> dict[str, Any]:
    section = {"files": files, "kind": "lines", "precision": precision, "total": total}
    return {"schema_version": 1, "coverage": section}


def judge_coverage(
    root: Path, facts: dict[str, Any], tolerance: float = 0.0, sources: tuple[str, ...] = ()
) -> CriterionResult:
    for name in sources:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 1\n", encoding="utf-8")
    run = make_run(rootdir=root, settings=SETTINGS, facts=facts)
    return CoverageBaselineCriterion(tolerance, NAME).evaluate(run)


#: pkg/a.py 91.2% (1000 statements), pkg/b.py 50% (10 statements): total 90.79%
A_AND_B = {"pkg/a.py": [1000, 88, 0, 0], "pkg/b.py": [10, 5, 0, 0]}


def test_a_total_and_files_at_their_baseline_are_met(tmp_path: Path) -> None:
    write(tmp_path, recorded(90.8, {"pkg/a.py": 91.2, "pkg/b.py": 50.0}))
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]})
    assert (result.status, result.measured, result.required) == (Status.MET, 90.8, 90.8)
    assert result.details == (
        "total 90.8 against the baseline 90.8, tolerance 0 point(s), 2 recorded file(s)",
    )


def test_values_are_compared_at_the_precision_shown(tmp_path: Path) -> None:
    # 2 of 3 lines is 66.666...%: shown as 66.67, it equals a baseline of 66.67
    write(tmp_path, recorded(66.67, {"pkg/a.py": 66.67}, precision=2))
    facts = {"coverage": [measurement({"pkg/a.py": [3, 1, 0, 0]}, precision=2)]}
    assert judge_coverage(tmp_path, facts).status is Status.MET
    # a tolerance is subtracted in decimal: 87.61 - 0.1 is 87.51, not 87.50999999999999
    write(tmp_path, recorded(87.61, {}, precision=2))
    facts = {"coverage": [measurement({"pkg/a.py": [10000, 1249, 0, 0]}, precision=2)]}
    result = judge_coverage(tmp_path, facts, tolerance=0.1)
    assert (result.status, result.measured, result.required) == (Status.MET, 87.51, 87.51)
    facts = {"coverage": [measurement({"pkg/a.py": [10000, 1250, 0, 0]}, precision=2)]}
    result = judge_coverage(tmp_path, facts, tolerance=0.1)
    assert (result.status, result.details[1]) == (Status.UNMET, "total: 87.61 -> 87.50")


def test_a_file_that_drops_below_its_baseline_is_unmet(tmp_path: Path) -> None:
    write(tmp_path, recorded(87.6, {"pkg/a.py": 91.2, "pkg/b.py": 50.0}))
    files = {"pkg/a.py": [1000, 120, 0, 0], "pkg/b.py": [10, 5, 0, 0]}  # a: 88.0%, all 87.6%
    result = judge_coverage(tmp_path, {"coverage": [measurement(files)]}, tolerance=1)
    assert result.status is Status.UNMET
    assert result.details[1:] == ("pkg/a.py: 91.2 -> 88.0",)


def test_a_drop_within_the_tolerance_is_listed_and_met(tmp_path: Path) -> None:
    write(tmp_path, recorded(90.8, {"pkg/a.py": 91.5, "pkg/b.py": 50.0}))
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=0.5)
    assert result.status is Status.MET
    assert result.details[1:] == ("pkg/a.py: 91.5 -> 91.2 (within the tolerance)",)


def test_a_total_that_drops_is_unmet_even_when_every_file_holds(tmp_path: Path) -> None:
    write(tmp_path, recorded(95.0, {"pkg/a.py": 91.2}))
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=1)
    assert (result.status, result.details[1:]) == (Status.UNMET, ("total: 95.0 -> 90.8",))


def test_a_recorded_file_deleted_from_disk_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, recorded(90.8, {"pkg/a.py": 91.2, "pkg/gone.py": 100.0}))
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]})
    assert result.status is Status.MET
    assert result.details[1:] == ("pkg/gone.py: deleted, ignored",)


def test_a_recorded_file_on_disk_but_not_measured_is_unmet(tmp_path: Path) -> None:
    write(tmp_path, recorded(90.8, {"pkg/a.py": 91.2, "pkg/new_home.py": 100.0}))
    facts = {"coverage": [measurement(A_AND_B)]}
    result = judge_coverage(tmp_path, facts, tolerance=5, sources=("pkg/new_home.py",))
    assert result.status is Status.UNMET
    assert result.details[1:] == ("pkg/new_home.py: 100 -> not measured",)


def test_a_total_well_above_the_baseline_suggests_an_update(tmp_path: Path) -> None:
    write(tmp_path, recorded(89.7, {}))
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]})
    assert result.status is Status.MET
    assert result.details[1:] == (
        f"total 90.8 is 1.1 points above the baseline 89.7: {HINT} to raise it",
    )
    write(tmp_path, recorded(89.8, {}))  # exactly one point above: not "more than 1"
    assert judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}).details[1:] == ()


@pytest.mark.parametrize(
    ("facts", "detail"),
    [
        ({}, "not measured: no coverage data reached the gate; add --cov=<package>"),
        ({"coverage": [{"error": "not measured: pytest-cov is not active"}]}, "not measured:"),
        (
            {"coverage": [{**measurement(A_AND_B), "kind": "lines+branches"}]},
            "this run measured lines+branches, the baseline lines",
        ),
        ({"coverage": [measurement({"pkg/a.py": [0, 0, 0, 0]})]}, "not measured: nothing"),
    ],
)
def test_coverage_that_cannot_be_compared_is_unmet(
    tmp_path: Path, facts: dict[str, Any], detail: str
) -> None:
    write(tmp_path, recorded(10.0, {"pkg/a.py": 10.0}))
    result = judge_coverage(tmp_path, facts, tolerance=100)
    assert result.status is Status.UNMET
    assert result.details[0].startswith(detail)


def test_a_baseline_without_coverage_judges_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"schema_version": 1})
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=100)
    assert result.status is Status.UNMET
    assert result.details == (f"the baseline records no coverage: {HINT} --cov=<package>",)


def test_a_missing_baseline_makes_both_criteria_unmet_with_the_hint(tmp_path: Path) -> None:
    facts = {"coverage": [measurement(A_AND_B)], **ran({"t::a": 1.0})}
    run = make_run(rootdir=tmp_path, settings=SETTINGS, facts=facts)
    expected = (f"no baseline: {NAME} does not exist; {HINT} to record one",)
    for criterion in (CoverageBaselineCriterion(100, NAME), BenchmarksCriterion(1000, NAME)):
        result = criterion.evaluate(run)
        assert (result.status, result.details) == (Status.UNMET, expected)


GOOD = recorded(10.0, {"pkg/a.py": 10.0})
STATS = {"min": 1, "median": 1, "mean": 1, "stddev": 0, "rounds": 1}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "is not valid JSON"),
        ('{"schema_version": 1, "coverage": {"total": NaN}}', "NaN is not a number"),
        ('{"schema_version": 1, "schema_version": 1}', "key 'schema_version' appears twice"),
        ("[]", "expected a JSON object"),
        ('{"schema_version": 2}', "expected schema_version 1, got 2"),
        ('{"schema_version": 1, "extra": 1}', "unknown key 'extra'"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "total": 101}}), "total:"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "kind": "x"}}), "kind:"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "precision": 1.5}}), "precision"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "files": {"a": -1}}}), "files["),
        (json.dumps({**GOOD, "benchmarks": {"t": {"median": 1}}}), "benchmarks['t'].min"),
        (json.dumps({**GOOD, "benchmarks": []}), "benchmarks: expected an object"),
        (json.dumps({**GOOD, "machine_info": 3}), "machine_info: expected an object"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "precision": 99}}), "0 to 12"),
        (json.dumps({**GOOD, "coverage": {**GOOD["coverage"], "files": []}}), "files: expected"),
        (json.dumps({**GOOD, "coverage": []}), "coverage: expected an object"),
        (json.dumps({**GOOD, "benchmarks": {"t": 1}}), "benchmarks['t']: expected"),
        (json.dumps({**GOOD, "benchmarks": {"t": {**STATS, "median": 0}}}), "median: expected"),
        (json.dumps({**GOOD, "benchmarks": {"t": {**STATS, "rounds": 0}}}), "rounds: expected"),
        (b"\xff".decode("latin-1"), "is not valid JSON"),
    ],
)
def test_a_bad_baseline_is_unmet_with_what_is_wrong(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / NAME).write_text(text, encoding="utf-8")
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=100)
    assert result.status is Status.UNMET
    (detail,) = result.details
    assert detail.startswith(f"baseline {NAME}")
    assert problem in detail
    assert detail.endswith(f"fix or delete it, then {HINT}")


def test_a_baseline_that_is_not_a_regular_file_is_never_read(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=100)
    assert result.status is Status.UNMET
    assert f"{NAME} is a directory, not a regular file" in result.details[0]
    (tmp_path / NAME).rmdir()
    os.mkfifo(tmp_path / NAME)  # a FIFO would block a plain open(): never opened
    result = judge_coverage(tmp_path, {"coverage": [measurement(A_AND_B)]}, tolerance=100)
    assert "is a FIFO, not a regular file" in result.details[0]


def test_an_oversized_baseline_is_refused(tmp_path: Path) -> None:
    with (tmp_path / NAME).open("wb") as stream:
        stream.truncate(MAX_BASELINE_BYTES + 1)
    result = judge_coverage(tmp_path, {}, tolerance=100)
    assert result.status is Status.UNMET
    assert "byte limit" in result.details[0]


# --- benchmarks ---------------------------------------------------------------------


def ran(medians: dict[str, float], machine: dict[str, Any] | None = None) -> dict[str, Any]:
    """The facts of a session where pytest-benchmark ran these benchmarks."""
    rows = [
        {"name": n, "min": m, "median": m, "mean": m, "stddev": 0.0, "rounds": 5}
        for n, m in medians.items()
    ]
    session: dict[str, Any] = {"active": True, "machine_info": machine or {"node": "ci"}}
    return {BENCHMARKS_STREAM: rows, SESSION_STREAM: [session]}


def with_benchmarks(root: Path, medians: dict[str, float], machine: Any = None) -> None:
    stats = {
        n: {"min": m, "median": m, "mean": m, "stddev": 0.0, "rounds": 5}
        for n, m in medians.items()
    }
    write(
        root, {"schema_version": 1, "benchmarks": stats, "machine_info": machine or {"node": "ci"}}
    )


def judge_benchmarks(root: Path, facts: dict[str, Any], regression: float) -> CriterionResult:
    run = make_run(rootdir=root, settings=SETTINGS, facts=facts)
    return BenchmarksCriterion(regression, NAME).evaluate(run)


def test_benchmarks_within_the_allowed_regression_are_met(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001, "t.py::test_b": 0.002})
    facts = ran({"t.py::test_a": 0.0011, "t.py::test_b": 0.0015})
    result = judge_benchmarks(tmp_path, facts, 10)
    assert (result.status, result.measured, result.required) == (
        Status.MET,
        "2/2 within +10%",
        10,
    )
    assert result.details == (
        "t.py::test_a: 1.000ms -> 1.100ms (1.10x)",
        "t.py::test_b: 2.000ms -> 1.500ms (0.75x)",
    )


def test_a_slower_median_beyond_the_limit_is_unmet(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001})
    result = judge_benchmarks(tmp_path, ran({"t.py::test_a": 0.00111}), 10)
    assert (result.status, result.measured) == (Status.UNMET, "0/1 within +10%")
    assert result.details == (
        "t.py::test_a: 1.000ms -> 1.110ms (1.11x), more than the 1.10x allowed",
    )
    assert judge_benchmarks(tmp_path, ran({"t.py::test_a": 0.001}), 0).status is Status.MET


def test_a_recorded_benchmark_that_did_not_run_is_unmet(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001, "t.py::test_b": 0.001})
    result = judge_benchmarks(tmp_path, ran({"t.py::test_a": 0.001}), 50)
    assert (result.status, result.measured) == (Status.UNMET, "1/2 within +50%")
    assert "t.py::test_b: 1.000ms -> did not run" in result.details


def test_new_benchmarks_are_listed_not_failed(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001})
    result = judge_benchmarks(tmp_path, ran({"t.py::test_a": 0.001, "t.py::test_new": 2e-6}), 0)
    assert result.status is Status.MET
    assert result.details[-1] == "t.py::test_new: new -> 2.000us (not in the baseline)"


def test_the_slowest_of_several_shards_counts(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 1.0})
    facts = ran({"t.py::test_a": 1.0})
    facts[BENCHMARKS_STREAM] += ran({"t.py::test_a": 3.0})[BENCHMARKS_STREAM]
    facts[SESSION_STREAM].append({"active": False, "why": "off under xdist"})
    result = judge_benchmarks(tmp_path, facts, 100)
    assert result.status is Status.UNMET
    assert result.details[0].startswith("t.py::test_a: 1.000s -> 3.000s (3.00x)")


@pytest.mark.parametrize(
    ("sessions", "why"),
    [
        (
            [{"active": False, "why": "pytest-benchmark is not installed: install it"}],
            "not installed",
        ),
        ([{"active": False, "why": "--benchmark-skip skipped the benchmarks"}], "--benchmark-skip"),
        ([], "no benchmark results reached the gate"),
    ],
)
def test_benchmarks_that_could_not_run_are_unmet_with_the_hint(
    tmp_path: Path, sessions: list[dict[str, Any]], why: str
) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001})
    # even stray rows (a worker's?) do not count when no session could run benchmarks
    facts = {**ran({"t.py::test_a": 0.001}), SESSION_STREAM: sessions}
    result = judge_benchmarks(tmp_path, facts, 1000)
    assert result.status is Status.UNMET
    assert why in result.details[0]
    assert result.details[-1] == "1 recorded benchmark(s) did not run"


def test_a_baseline_without_benchmarks_judges_nothing(tmp_path: Path) -> None:
    write(tmp_path, recorded(10.0, {}))
    result = judge_benchmarks(tmp_path, ran({"t.py::test_a": 0.001}), 1000)
    assert result.status is Status.UNMET
    assert result.details[0].startswith("the baseline records no benchmark")


def test_a_different_machine_is_a_detail(tmp_path: Path) -> None:
    with_benchmarks(tmp_path, {"t.py::test_a": 0.001}, {"node": "a", "cpu": {"count": 2}})
    facts = ran({"t.py::test_a": 0.001}, {"node": "b", "cpu": {"count": 4}})
    result = judge_benchmarks(tmp_path, facts, 10)
    assert result.status is Status.MET
    assert result.details[-1] == (
        "machine info differs from the baseline's (cpu.count, node): timings may not compare"
    )
    same = judge_benchmarks(
        tmp_path, ran({"t.py::test_a": 0.001}, {"node": "a", "cpu": {"count": 2}}), 10
    )
    assert not any("machine" in d for d in same.details)


# --- configuration ------------------------------------------------------------------

CHECK = Checker(Path("pyproject.toml"), "tool.graduation.")


@pytest.mark.parametrize(
    "value",
    ["/etc/baseline.json", "../baseline.json", "ci/../../x.json", "C:\\b.json", "", "ci/", 3],
)
def test_a_baseline_path_outside_the_rootdir_is_refused(value: object) -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.graduation.baseline: expected"):
        parse_baseline_path(CHECK, "baseline", value)


def test_a_relative_baseline_path_is_kept() -> None:
    assert parse_baseline_path(CHECK, "baseline", "ci/baseline.json") == "ci/baseline.json"


@pytest.mark.parametrize("value", [-0.5, float("inf"), float("nan"), True, "1"])
def test_a_tolerance_must_be_a_finite_number_not_below_zero(value: object) -> None:
    with pytest.raises(ConfigError, match="expected a finite number >= 0"):
        non_negative(CHECK, "criteria.beta.coverage_baseline", value)
    assert non_negative(CHECK, "k", 0) == 0.0


# --- update_baseline ----------------------------------------------------------------


def test_update_writes_canonical_json_and_says_what_moved(tmp_path: Path) -> None:
    write(tmp_path, {**recorded(90.0, {"pkg/a.py": 93.0, "pkg/old.py": 10.0})})
    facts = {"coverage": [measurement(A_AND_B)], **ran({"t::a": 0.002})}
    lines = update_baseline(tmp_path, SETTINGS, facts)
    assert lines == [
        "coverage total: 90 -> 90.8 (+0.8)",
        "coverage down: pkg/a.py 93 -> 91.2 (-1.8)",
        "coverage new: pkg/b.py 50",
        "coverage removed: pkg/old.py (was 10)",
        "benchmark new: t::a 2.000ms",
        f"baseline written to {NAME}",
    ]
    text = (tmp_path / NAME).read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == canonical(document) and text.endswith("}\n")
    assert document["coverage"] == {
        "files": {"pkg/a.py": 91.2, "pkg/b.py": 50.0},
        "kind": "lines",
        "precision": 1,
        "total": 90.8,
    }
    stats = {"max": None} | document["benchmarks"]["t::a"]
    assert stats == {
        "max": None,
        "min": 0.002,
        "median": 0.002,
        "mean": 0.002,
        "stddev": 0.0,
        "rounds": 5,
    }
    assert document["machine_info"] == {"node": "ci"}
    # the written baseline judges this same run as met
    run = make_run(rootdir=tmp_path, settings=SETTINGS, facts=facts)
    assert CoverageBaselineCriterion(0, NAME).evaluate(run).status is Status.MET
    assert BenchmarksCriterion(0, NAME).evaluate(run).status is Status.MET
    assert update_baseline(tmp_path, SETTINGS, {**ran({"t::a": 0.001})}) == [
        "benchmark faster: t::a 2.000ms -> 1.000ms (0.50x)",
        "coverage: not measured in this run (no coverage measurement): "
        "the recorded values are kept",
        f"baseline written to {NAME}",
    ]
    assert json.loads((tmp_path / NAME).read_text(encoding="utf-8"))["coverage"]["total"] == 90.8


def test_update_with_nothing_measured_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    before = (tmp_path / NAME).read_bytes()
    facts: dict[str, list[dict[str, Any]]] = {
        "coverage": [{"error": "not measured: pytest-cov is not active"}]
    }
    facts[SESSION_STREAM] = [{"active": False, "why": "--benchmark-skip skipped them"}]
    with pytest.raises(BaselineError, match=r"nothing to record: coverage: not measured: .*skip"):
        update_baseline(tmp_path, SETTINGS, facts)
    assert (tmp_path / NAME).read_bytes() == before


def test_update_replaces_an_unreadable_baseline_and_says_so(tmp_path: Path) -> None:
    (tmp_path / NAME).write_text("{not json", encoding="utf-8")
    lines = update_baseline(tmp_path, SETTINGS, {"coverage": [measurement(A_AND_B)]})
    assert lines[0].startswith(f"the old baseline is replaced: {NAME} is not valid JSON")
    assert json.loads((tmp_path / NAME).read_text(encoding="utf-8"))["coverage"]["total"] == 90.8


def test_update_never_writes_through_a_folder_outside_the_rootdir(tmp_path: Path) -> None:
    outside, root = tmp_path / "outside", tmp_path / "root"
    outside.mkdir()
    root.mkdir()
    (root / "ci").symlink_to(outside)
    settings = GraduationConfig(values={"baseline": "ci/baseline.json"})
    with pytest.raises(BaselineError, match="its folder resolves outside the rootdir"):
        update_baseline(root, settings, {"coverage": [measurement(A_AND_B)]})
    assert list(outside.iterdir()) == []


def test_update_reports_a_baseline_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()  # a folder where the file belongs: never replaced
    (tmp_path / NAME / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(BaselineError, match=f"cannot write {NAME}"):
        update_baseline(tmp_path, SETTINGS, {"coverage": [measurement(A_AND_B)]})
    assert (tmp_path / NAME / "keep").exists()
    with pytest.raises(BaselineError, match="refusing to write an invalid baseline"):
        write_baseline(tmp_path, "b.json", {"schema_version": 1, "benchmarks": {"t": {}}})
    assert not (tmp_path / "b.json").exists()


def test_unusable_benchmark_rows_are_not_results() -> None:
    assert stats_of({"fullname": "t", "min": 1.0, "median": float("nan"), "mean": 1.0,
                     "stddev": 0.0, "rounds": 3}) is None  # fmt: skip
    assert stats_of({"fullname": 3}) is None
    assert medians([{"name": "t", "median": "fast"}, {"name": "u", "median": 1e-10}, 7]) == {
        "u": 1e-10
    }
    assert seconds(1e-10) == "0.100ns"


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ((), ""),
        (("-p", "no:benchmark"), "pytest-benchmark is disabled (-p no:benchmark)"),
        (("--benchmark-disable",), "pytest-benchmark is disabled (--benchmark-disable)"),
        (("--benchmark-disable", "--benchmark-enable"), ""),
        (("--benchmark-skip",), "--benchmark-skip skipped the benchmarks: drop it"),
        (("--benchmark-skip", "--benchmark-only"), ""),
        (("-p", "xdist", "--dist=load"), "pytest-benchmark switches itself off under"),
    ],
)
def test_why_benchmarks_cannot_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], why: str
) -> None:
    pytest.importorskip("pytest_benchmark")
    # as pytest-benchmark, it reads $PYTEST_XDIST_WORKER, set when this suite runs under -n
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    config = pytester.parseconfigure("-p", "no:graduation", *args)
    assert why_off(config).startswith(why) and bool(why_off(config)) == bool(why)


def test_without_pytest_benchmark_the_hint_says_install_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = pytester.parseconfigure("-p", "no:graduation", "-p", "no:benchmark")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert why_off(config) == "pytest-benchmark is not installed: install it to run the benchmarks"


def test_a_files_waiver_covers_the_files_that_dropped_but_never_the_total(
    tmp_path: Path,
) -> None:
    import datetime as dt

    from pytest_graduation.settings import Waiver
    from pytest_graduation.waivers import apply_waivers

    files = {"pkg/a.py": [1000, 120, 0, 0], "pkg/b.py": [10, 5, 0, 0]}  # a: 88.0%, b: 50%
    write(tmp_path, recorded(87.0, {"pkg/a.py": 91.2, "pkg/b.py": 50.0}))
    dropped = judge_coverage(tmp_path, {"coverage": [measurement(files)]})
    scoped = Waiver("coverage_baseline", "rewrite", dt.date(2999, 1, 1), None, "files", ("pkg/a*",))
    today = dt.date(2026, 12, 2)
    judged = apply_waivers("coverage_baseline", dropped, [scoped], "alpha", today)
    assert judged.status is Status.WAIVED
    # when the total drops too, a files scope cannot cover it
    write(tmp_path, recorded(90.8, {"pkg/a.py": 91.2, "pkg/b.py": 50.0}))
    both = judge_coverage(tmp_path, {"coverage": [measurement(files)]})
    judged = apply_waivers("coverage_baseline", both, [scoped], "alpha", today)
    assert judged.status is Status.UNMET
    assert "not covered: other total: 90.8 -> 87.6" in judged.details[0]
