"""Baselines with the real pytest-benchmark: its results recorded by
``--update-baseline`` and judged by ``benchmarks`` (serial, off states, ``merge``).

The benchmarked function's cost is a loop count read from ``$BENCH_LOOPS``, so the
one timing assertion (25 times the work against 5 times allowed) holds on a busy
machine.
"""

from __future__ import annotations

import json

import pytest
from baselines_project import (
    BENCH,
    BENCH_TEST,
    NAME,
    QUICK,
    baseline,
    benchmarks_on,
    gate,
    run,
    setup,
)

from conftest import Project, criterion
from pytest_graduation.config import load
from pytest_graduation.merge import merge

pytest.importorskip("pytest_benchmark")
pytestmark = pytest.mark.usefixtures(benchmarks_on.__name__)


def test_update_then_gate_in_process(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    setup(project, "benchmark_regression = 400")
    project.write("tests/test_bench.py", BENCH_TEST)
    monkeypatch.setenv("BENCH_LOOPS", "2000")
    result = project.run("--update-baseline", *QUICK)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"benchmark new: {BENCH} *", f"baseline written to {NAME}"])
    assert list(baseline(project)["benchmarks"]) == [BENCH]
    result = project.run("--update-baseline", *QUICK)
    result.stdout.fnmatch_lines([f"benchmark [fs][al][so]*: {BENCH} * -> * (*x)"])
    _, report = project.gate("alpha", *QUICK)
    assert criterion(report, "benchmarks")["status"] == "met"
    _, report = project.gate("alpha", "--benchmark-skip")
    skipped = criterion(report, "benchmarks")
    assert (skipped["status"], skipped["details"][0]) == (
        "unmet",
        "--benchmark-skip skipped the benchmarks: drop it",
    )


def test_benchmark_only_records_the_benchmarks_and_keeps_the_coverage(project: Project) -> None:
    setup(project, "")
    project.write("tests/test_bench.py", BENCH_TEST)
    coverage = {"files": {"tests/test_bench.py": 100.0}, "kind": "lines", "precision": 0}
    recorded = {"schema_version": 1, "coverage": {**coverage, "total": 100.0}}
    (project.path / NAME).write_text(json.dumps(recorded), encoding="utf-8")
    # in process, so nothing measures coverage here: the option alone must decide
    result = project.run("--update-baseline", "--benchmark-only", *QUICK)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            f"benchmark new: {BENCH} *",
            "coverage: not measured in this run (--benchmark-only skipped the other tests): "
            "the recorded values are kept",
        ]
    )
    written = baseline(project)
    assert (written["coverage"], list(written["benchmarks"])) == (recorded["coverage"], [BENCH])


def test_compared_runs_of_benchmark_compare_are_not_this_runs_results(project: Project) -> None:
    setup(project, "benchmark_regression = 1000")
    project.write("tests/test_bench.py", BENCH_TEST)
    assert project.run("--benchmark-autosave", *QUICK).ret == 0  # a saved run to compare
    assert project.run("--update-baseline", "--benchmark-compare", *QUICK).ret == 0
    # one benchmark, once: the saved run pytest-benchmark compared with is not recorded
    assert list(baseline(project)["benchmarks"]) == [BENCH]
    _, report = project.gate("alpha", "--benchmark-compare", *QUICK)
    found = criterion(report, "benchmarks")
    assert found["status"] == "met"
    assert len(found["details"]) == 1 or "machine info" in found["details"][-1]


def test_a_benchmark_five_times_slower_than_its_baseline_is_unmet(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(project, "benchmark_regression = 400")
    project.write("tests/test_bench.py", BENCH_TEST)
    monkeypatch.setenv("BENCH_LOOPS", "2000")
    result = run(project, "--update-baseline", *QUICK)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*= graduation: baseline =*",
            f"benchmark new: {BENCH} *s",
            "coverage: not recorded (not measured: pytest-cov is not active*",
            f"baseline written to {NAME}",
        ]
    )
    recorded = baseline(project)
    assert list(recorded["benchmarks"]) == [BENCH]  # the plain test is no benchmark
    stats = recorded["benchmarks"][BENCH]
    assert sorted(stats) == ["mean", "median", "min", "rounds", "stddev"]
    assert stats["rounds"] >= 5 and 0 < stats["min"] <= stats["median"]
    assert recorded["machine_info"]["python_version"]  # pytest-benchmark's own
    assert "coverage" not in recorded

    _, report = gate(project, *QUICK)
    met = criterion(report, "benchmarks")
    assert (met["status"], met["measured"]) == ("met", "1/1 within +400%"), met

    monkeypatch.setenv("BENCH_LOOPS", "50000")  # 25 times the work
    result, report = gate(project, *QUICK)
    slower = criterion(report, "benchmarks")
    assert (slower["status"], slower["measured"]) == ("unmet", "0/1 within +400%")
    (detail,) = slower["details"]
    assert detail.startswith(f"{BENCH}: ") and detail.endswith("more than the 5.00x allowed")
    assert result.ret == 1


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("--benchmark-disable",), "pytest-benchmark is disabled (--benchmark-disable)"),
        (("--benchmark-skip",), "--benchmark-skip skipped the benchmarks"),
        (("-n", "2"), "pytest-benchmark switches itself off under pytest-xdist"),
        (("-p", "no:benchmark"), "pytest-benchmark is disabled (-p no:benchmark)"),
    ],
)
def test_benchmarks_that_cannot_run_are_unmet_with_the_hint(
    project: Project, args: tuple[str, ...], why: str
) -> None:
    setup(project, "benchmark_regression = 1000")
    stats = {"min": 1.0, "median": 1.0, "mean": 1.0, "stddev": 0.0, "rounds": 1}
    project.write(NAME, json.dumps({"schema_version": 1, "benchmarks": {BENCH: stats}}))
    if "no:benchmark" in args:  # no benchmark fixture then: a test that needs none
        project.write("tests/test_bench.py", "def test_work():\n    pass\n")
    else:
        project.write("tests/test_bench.py", BENCH_TEST)
    result, report = gate(project, *QUICK[:1] if "no:benchmark" not in args else (), *args)
    found = criterion(report, "benchmarks")
    assert found["status"] == "unmet"
    assert found["details"][0].startswith(why), found["details"]
    assert found["details"][-1] == "1 recorded benchmark(s) did not run"
    assert result.ret == 1


def test_merge_judges_the_benchmarks_of_the_shard_that_ran_them(project: Project) -> None:
    setup(project, "benchmark_regression = 1000")
    project.write("tests/test_bench.py", BENCH_TEST)
    assert run(project, "--update-baseline", *QUICK).ret == 0
    serial, spread = project.path / "serial.json", project.path / "spread.json"
    # the benchmark shard runs serially; the other shard runs everything under xdist,
    # where pytest-benchmark is off
    run(project, "--graduation=alpha", f"--graduation-report={serial}", BENCH, *QUICK)
    run(project, "--graduation=alpha", f"--graduation-report={spread}", "-n", "2")
    settings = load(project.path, None)
    both = merge("alpha", [serial, spread], settings, project.path).to_dict()
    found = criterion(both, "benchmarks")
    assert (found["status"], found["measured"]) == ("met", "1/1 within +1000%"), found
    assert found["details"][0].startswith(f"{BENCH}: ")
    alone = merge("alpha", [spread], settings, project.path).to_dict()
    off = criterion(alone, "benchmarks")
    assert off["status"] == "unmet"
    assert off["details"][0].startswith("pytest-benchmark switches itself off under pytest-xdist")
