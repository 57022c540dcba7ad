"""--freeze-goldens, goldens.lock and the frozen_goldens criterion."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, serial_only

TESTS = """
    def test_one(golden):
        golden.check("one")

    def test_two(golden):
        golden.check({"two": 2})
"""

ONE = "tests/golden/test_a/test_one.txt"
TWO = "tests/golden/test_a/test_two.json"


def setup(project: Project) -> None:
    project.config("[tool.graduation.criteria.alpha]\nfrozen_goldens = true\n")
    project.write("tests/test_a.py", TESTS)
    project.run("--update-goldens").assert_outcomes(passed=2)


def lock(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.path / "goldens.lock").read_text(encoding="utf-8"))
    return data


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_freeze_records_sha256_of_used_goldens_sorted_and_merged(
    project: Project, dist: list[str]
) -> None:
    setup(project)
    result = project.run("--freeze-goldens", *dist, "-k", "test_two")
    result.stdout.fnmatch_lines(["goldens.lock: 1 golden file(s) frozen"])
    assert lock(project) == {"goldens": {TWO: sha(project.path / TWO)}, "version": 1}
    project.run("--freeze-goldens", *dist, "-k", "test_one")
    text = (project.path / "goldens.lock").read_text(encoding="utf-8")
    assert list(json.loads(text)["goldens"]) == [ONE, TWO]  # merged, sorted
    assert text.endswith("}\n") and '\n  "goldens": {\n' in text
    assert json.loads(text)["goldens"][ONE] == sha(project.path / ONE)


@serial_only
def test_update_never_touches_frozen_goldens(project: Project, dist: list[str]) -> None:
    setup(project)
    project.run("--freeze-goldens").assert_outcomes(passed=2)
    project.write("tests/test_a.py", TESTS.replace('"one"', '"ONE"'))
    old = "tests/golden/test_a/test_old.txt"
    (project.path / old).write_text("x", encoding="utf-8")
    entries = lock(project)["goldens"]
    entries[old] = sha(project.path / old)
    (project.path / "goldens.lock").write_text(
        json.dumps({"goldens": entries, "version": 1}), encoding="utf-8"
    )
    result = project.run("--update-goldens", *dist)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*golden file mismatch: tests/golden/test_a/test_one.txt",
            "*tests/golden/test_a/test_one.txt is frozen in goldens.lock, so --update-goldens "
            "leaves it alone*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "golden files: 0 created, 0 updated, 0 deleted, 2 frozen",
            "  frozen (left alone): tests/golden/test_a/test_old.txt",
            "  frozen (left alone): tests/golden/test_a/test_one.txt",
        ]
    )
    assert (project.path / ONE).read_text(encoding="utf-8") == "one"
    assert (project.path / "tests/golden/test_a/test_old.txt").exists()


def test_frozen_criterion_lists_changed_and_missing_files(
    project: Project, criterion_of: Any
) -> None:
    setup(project)
    project.run("--freeze-goldens").assert_outcomes(passed=2)
    _, report = project.gate("alpha")
    assert criterion_of(report, "frozen_goldens")["status"] == "met"
    assert criterion_of(report, "frozen_goldens")["measured"] == "0 of 2 changed"
    (project.path / ONE).write_text("edited by hand", encoding="utf-8")
    (project.path / TWO).unlink()
    _, report = project.gate("alpha")
    entry = criterion_of(report, "frozen_goldens")
    assert entry["status"] == "unmet"
    assert entry["details"][0].startswith(f"frozen golden changed: {ONE} (sha256 ")
    assert entry["details"][1] == f"frozen golden missing: {TWO}"
    assert report["verdict"] == "not-ready"


def test_frozen_criterion_without_a_lock_file_is_unmet_with_a_hint(
    project: Project, criterion_of: Any
) -> None:
    setup(project)
    _, report = project.gate("alpha")
    entry = criterion_of(report, "frozen_goldens")
    assert entry["status"] == "unmet"
    assert "run pytest --freeze-goldens" in entry["details"][0]


def test_a_corrupt_lock_file_is_a_usage_error(project: Project, criterion_of: Any) -> None:
    setup(project)
    (project.path / "goldens.lock").write_text("{nope", encoding="utf-8")
    for option in ("--update-goldens", "--freeze-goldens"):
        result = project.run(option)
        assert result.ret == 4
        assert "goldens.lock: invalid JSON" in result.stderr.str()
    _, report = project.gate("alpha")
    assert "invalid JSON" in criterion_of(report, "frozen_goldens")["details"][0]


def test_update_and_freeze_together_freeze_the_new_content(project: Project) -> None:
    project.write("tests/test_a.py", TESTS)
    result = project.run("--update-goldens", "--freeze-goldens")
    result.stdout.fnmatch_lines(
        ["golden files: 2 created, 0 updated, 0 deleted, 0 frozen", "*2 golden file(s) frozen"]
    )
    assert lock(project)["goldens"] == {
        ONE: sha(project.path / ONE),
        TWO: sha(project.path / TWO),
    }


def test_update_neither_recreates_nor_repairs_frozen_goldens(project: Project) -> None:
    setup(project)
    project.run("--freeze-goldens").assert_outcomes(passed=2)
    (project.path / ONE).unlink()
    (project.path / TWO).write_text("{broken", encoding="utf-8")
    result = project.run("--update-goldens")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            f"*golden file missing: {ONE}",
            f"*{ONE} is frozen in goldens.lock*",
        ]
    )
    result.stdout.fnmatch_lines([f"*golden file corrupt: {TWO}: invalid JSON*"])
    result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 0 deleted, 2 frozen"])
    assert not (project.path / ONE).exists()
    assert (project.path / TWO).read_text(encoding="utf-8") == "{broken"


# --- nothing frozen is not met; reads are bounded (SPEC 12) ---------------------------------

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks"
)
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")


def gate_in_subprocess(project: Project, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Gate at alpha in a child with a timeout: a read that hangs fails fast."""
    report = project.path / "graduation-report.json"
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--graduation=alpha",
        f"--graduation-report={report}", *args, timeout=60,
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, data


def write_lock_entries(project: Project, entries: dict[str, str]) -> None:
    text = json.dumps({"goldens": entries, "version": 1})
    (project.path / "goldens.lock").write_text(text, encoding="utf-8")


def test_an_empty_lock_freezes_nothing_and_is_unmet(project: Project, criterion_of: Any) -> None:
    setup(project)
    project.write("tests/test_a.py", "def test_plain():\n    pass\n")  # no golden used
    project.run("--freeze-goldens").assert_outcomes(passed=1)
    assert lock(project) == {"goldens": {}, "version": 1}
    _, report = project.gate("alpha")
    entry = criterion_of(report, "frozen_goldens")
    assert (entry["status"], entry["measured"]) == ("unmet", "nothing frozen")
    assert "nothing is frozen" in entry["details"][0]
    assert "run pytest --freeze-goldens" in entry["details"][0]
    assert report["verdict"] == "not-ready"
    (project.path / "goldens.lock").unlink()
    _, report = project.gate("alpha")
    assert "nothing is frozen" in criterion_of(report, "frozen_goldens")["details"][0]


@needs_fifo
@needs_dev_zero
def test_lock_entries_that_are_not_regular_files_are_unmet_not_a_hang(
    project: Project, criterion_of: Any
) -> None:
    setup(project)
    os.mkfifo(project.path / "pipe")
    (project.path / "folder").mkdir()
    entries = {name: "0" * 64 for name in ("/dev/zero", "pipe", "folder")}
    write_lock_entries(project, {ONE: sha(project.path / ONE), **entries})
    result, report = gate_in_subprocess(project)
    entry = criterion_of(report, "frozen_goldens")
    assert (entry["status"], entry["measured"]) == ("unmet", "3 of 4 changed")
    assert entry["details"] == [
        "frozen golden unreadable: /dev/zero: a character device, not a regular file",
        "frozen golden unreadable: folder: a directory, not a regular file",
        "frozen golden unreadable: pipe: a FIFO, not a regular file",
    ]
    assert result.ret == 1


@needs_fifo
@needs_dev_zero
@needs_symlinks
def test_a_lock_file_that_is_a_device_or_fifo_is_an_error_not_a_hang(
    project: Project, criterion_of: Any
) -> None:
    setup(project)
    target = project.path / "goldens.lock"
    makers: tuple[tuple[str, Callable[[], None]], ...] = (
        ("character device", lambda: os.symlink("/dev/zero", target)),
        ("FIFO", lambda: os.mkfifo(target)),
    )
    for kind, make in makers:
        make()
        _, report = gate_in_subprocess(project)
        entry = criterion_of(report, "frozen_goldens")
        assert entry["status"] == "unmet"
        assert entry["details"] == [f"{target}: is a {kind}, not a regular file"]
        child = project.pytester.runpytest_subprocess("--freeze-goldens", timeout=60)
        assert child.ret == 4
        assert f"is a {kind}, not a regular file" in child.stderr.str()
        target.unlink()


def test_an_oversized_lock_file_is_refused(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_graduation.goldens import lockfile

    write_lock_entries(project, {"a.txt": "0" * 64})
    monkeypatch.setattr(lockfile, "MAX_LOCK_BYTES", 10)
    with pytest.raises(lockfile.LockError, match="larger than the 10 byte limit"):
        lockfile.read_lock(project.path)


@needs_symlinks
def test_lock_entries_resolving_outside_the_rootdir_are_read_and_never_written(
    project: Project, criterion_of: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    setup(project)
    outside = tmp_path_factory.mktemp("outside")
    (outside / "shared.txt").write_text("shared", encoding="utf-8")
    os.symlink(outside / "shared.txt", project.path / "tests/golden/test_a/linked.txt")
    old_lock = outside / "old.lock"
    old_lock.write_text("keep", encoding="utf-8")
    write_lock_entries(project, {"tests/golden/test_a/linked.txt": sha(outside / "shared.txt")})
    _, report = project.gate("alpha")
    assert criterion_of(report, "frozen_goldens")["status"] == "met"  # read: a regular file
    (project.path / "goldens.lock").unlink()
    os.symlink(old_lock, project.path / "goldens.lock")
    assert project.run("--freeze-goldens").ret == 4  # "keep" is no lock: a usage error
    assert old_lock.read_text(encoding="utf-8") == "keep"
    old_lock.write_text(json.dumps({"goldens": {}, "version": 1}), encoding="utf-8")
    project.run("--freeze-goldens").assert_outcomes(passed=2)
    assert old_lock.read_text(encoding="utf-8") == '{"goldens": {}, "version": 1}'
    assert not (project.path / "goldens.lock").is_symlink()
    assert sorted(lock(project)["goldens"]) == [ONE, TWO]
