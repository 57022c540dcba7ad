"""Runs in fresh interpreters: hash-seed dependence, flips, timeouts, crashes, and that
children leave nothing behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from conftest import Project, python_cache, serial_only
from pytest_graduation.determinism.criterion import NONE_NOTE
from pytest_graduation.determinism.processes import SEED_ENV, TIMEOUT_ENV

WORDS = """
import os
import pytest

WORDS = [f"word{i}" for i in range(30)]

@pytest.mark.deterministic
def test_set_order(observe):
    observe(list(set(WORDS)))

@pytest.mark.deterministic
def test_sorted(observe):
    observe(sorted(set(WORDS)))

@pytest.mark.deterministic
def test_fails_only_in_fresh_interpreters():
    assert not os.environ.get("SEED"), "in a fresh interpreter"
""".replace("SEED", SEED_ENV)


def config(processes: int | None) -> str:
    text = "[tool.graduation.criteria.alpha]\ndeterminism_runs = 3\nmax_flaky = 5\n"
    if processes is not None:
        text += f"determinism_processes = {processes}\n"
    return text


def criterion(report: dict[str, object], name: str) -> dict[str, object]:
    criteria = report["criteria"]
    assert isinstance(criteria, list)
    return next(c for c in criteria if c["name"] == name)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder the gating session uses for its children's work."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@serial_only
def test_in_process_runs_miss_set_order_dependence(project: Project, dist: list[str]) -> None:
    project.config(config(None))
    project.write("test_det_words.py", WORDS)
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(passed=3)
    assert criterion(report, "determinism")["status"] == "met"


def test_hash_seed_runs_catch_set_order_dependence_and_sorted_output_passes(
    project: Project, dist: list[str], private_tmp: Path
) -> None:
    project.config(config(2))
    project.write("test_det_words.py", WORDS)
    result, report = project.gate("alpha", "-v", *dist)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*not deterministic: run 4 differs from run 1 (run 4: fresh interpreter with "
            "PYTHONHASHSEED=*): first differing value: observe:#1 (value 1)",
        ]
    )
    assert any(
        "test_sorted" in line and "PASSED (3 runs + 2 processes)" in line
        for line in result.stdout.lines
    )
    determinism = criterion(report, "determinism")
    assert determinism["status"] == "unmet"
    assert determinism["measured"] == "1/3 identical"
    assert determinism["required"] == "identical in 3 run(s) + 2 fresh interpreter(s)"
    details = determinism["details"]
    assert isinstance(details, list)
    assert [d.split(": ")[1] for d in details] == ["not deterministic", "not deterministic"]
    flaky = criterion(report, "flaky")
    assert flaky["details"] == [
        "test_det_words.py::test_fails_only_in_fresh_interpreters: "
        "outcome flipped across determinism runs"
    ]
    assert list(private_tmp.iterdir()) == []  # the children's work folder is gone


@serial_only
def test_children_write_no_report_no_junit_and_no_cache(
    project: Project, dist: list[str], private_tmp: Path
) -> None:
    project.config(config(1))
    project.write(
        "test_det_quiet.py",
        """
        import pytest

        @pytest.mark.deterministic
        def test_stable(observe, golden):
            observe(sorted({"x", "y"}))
        """,
    )
    result, report = project.gate("alpha", "--junitxml=junit.xml", "-p", "cacheprovider", *dist)
    result.assert_outcomes(passed=1)
    assert report["verdict"] == "ready"
    # pytest-benchmark, when installed, makes its (empty) storage folder in any session
    storage = project.path / ".benchmarks"
    assert not storage.exists() or list(storage.iterdir()) == []
    names = sorted(p.name for p in project.path.iterdir() if p != storage and not python_cache(p))
    assert names == [
        ".pytest_cache",
        "graduation-report.json",
        "junit.xml",
        "pyproject.toml",
        "test_det_quiet.py",
    ]
    junit = (project.path / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testcase") == 1
    assert 'name="determinism_processes" value="1"' in junit
    assert list(private_tmp.iterdir()) == []


@serial_only
def test_no_deterministic_test_is_unmet_nothing_measured(
    project: Project, dist: list[str], private_tmp: Path
) -> None:
    project.config(config(1))
    project.write("test_det_plain.py", "def test_plain(observe):\n    observe(1)\n")
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(passed=1)
    assert result.ret == 1
    determinism = criterion(report, "determinism")
    assert determinism["status"] == "unmet"
    assert determinism["measured"] == "0 deterministic tests"
    assert determinism["details"] == [NONE_NOTE]
    assert list(private_tmp.iterdir()) == []


def test_a_child_that_hangs_is_stopped_with_a_clear_message(
    project: Project, monkeypatch: pytest.MonkeyPatch, private_tmp: Path
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "1")
    project.config(config(1))
    project.write(
        "conftest.py",
        f"""
        import os, threading
        if os.environ.get("{SEED_ENV}"):
            threading.Event().wait(60)  # a fresh interpreter that never finishes
        """,
    )
    project.write(
        "test_det_slow.py",
        """
        import pytest

        @pytest.mark.deterministic
        def test_stable(observe):
            observe(1)
        """,
    )
    result, report = project.gate("alpha")
    result.assert_outcomes(passed=1)
    determinism = criterion(report, "determinism")
    assert determinism["status"] == "unmet"
    assert determinism["details"] == [
        "test_det_slow.py::test_stable: not verified in a fresh interpreter: fresh interpreter "
        f"with PYTHONHASHSEED=1: timed out after 1 s and was stopped (set {TIMEOUT_ENV} "
        "to allow more)"
    ]
    assert list(private_tmp.iterdir()) == []


@serial_only
def test_a_child_that_crashes_leaves_the_criterion_unmet_with_its_output(
    project: Project, dist: list[str], private_tmp: Path
) -> None:
    project.config(config(1))
    project.write(
        "conftest.py",
        f"""
        import os
        if os.environ.get("{SEED_ENV}"):
            raise SystemExit("cannot start here")
        """,
    )
    project.write(
        "test_det_crash.py",
        """
        import pytest

        @pytest.mark.deterministic
        def test_stable(observe):
            observe(1)
        """,
    )
    result, report = project.gate("alpha", *dist)
    result.assert_outcomes(passed=1)
    determinism = criterion(report, "determinism")
    assert determinism["status"] == "unmet"
    details = determinism["details"]
    assert isinstance(details, list) and len(details) == 1
    assert details[0].startswith(
        "test_det_crash.py::test_stable: not verified in a fresh interpreter: fresh interpreter "
        "with PYTHONHASHSEED=1: exited with code "
    )
    assert "without observations; its output ends:" in details[0]
