"""--freeze-goldens, goldens.lock and the frozen_goldens criterion."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from conftest import Project

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
