"""--update-goldens, obsolete goldens and their criterion, serial and under xdist."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, serial_only

MODULE_A = """
    import pytest

    def test_one(golden):
        golden.check("one")

    @pytest.mark.parametrize("n", [1, 2, 3])
    def test_many(golden, n):
        golden.check({"n": n})
"""

MODULE_B = """
    def test_two(golden):
        golden.check("two")
        golden.check([2], name="list")
"""


def goldens(project: Project) -> list[str]:
    root = project.path / "tests"
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "golden" in p.relative_to(root).parts
    )


def suite(project: Project, toml: str = "") -> None:
    project.config("[tool.graduation.criteria.alpha]\nmax_obsolete_goldens = 0\n" + toml)
    project.write("tests/test_a.py", MODULE_A)
    project.write("tests/test_b.py", MODULE_B)


def stray(project: Project, rel: str, text: str = "old\n") -> Path:
    path = project.path / "tests" / "golden" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def obsolete(report: dict[str, Any], criterion_of: Any) -> dict[str, Any]:
    entry: dict[str, Any] = criterion_of(report, "obsolete_goldens")
    return entry


ALL = [
    "golden/test_a/test_many[1].json",
    "golden/test_a/test_many[2].json",
    "golden/test_a/test_many[3].json",
    "golden/test_a/test_one.txt",
    "golden/test_b/test_two.list.json",
    "golden/test_b/test_two.txt",
]


@serial_only
def test_update_creates_then_changes_nothing(project: Project, dist: list[str]) -> None:
    suite(project)
    result = project.run("--update-goldens", *dist)
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["golden files: 6 created, 0 updated, 0 deleted, 0 frozen"])
    assert goldens(project) == ALL
    again = project.run("--update-goldens", *dist)
    again.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 0 deleted, 0 frozen"])
    assert not list(project.path.rglob(".*.tmp"))


def test_update_rewrites_changed_and_corrupt_goldens(project: Project, dist: list[str]) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_one.txt", "changed")
    stray(project, "test_a/test_many[2].json", "{not json")
    (project.path / "tests/golden/test_b/test_two.txt").write_bytes(b"\xff\xfe")
    failed = project.run()
    failed.assert_outcomes(passed=2, failed=3)
    failed.stdout.fnmatch_lines(
        [
            "*golden file corrupt: tests/golden/test_a/test_many?2?.json: invalid JSON: *"
            "— run pytest --update-goldens to rewrite it",
        ]
    )
    failed.stdout.fnmatch_lines(
        ["*golden file corrupt: tests/golden/test_b/test_two.txt: not UTF-8 text*"]
    )
    result = project.run("--update-goldens", *dist)
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["golden files: 0 created, 3 updated, 0 deleted, 0 frozen"])
    assert (project.path / "tests/golden/test_a/test_one.txt").read_text() == "one"
    project.run().assert_outcomes(passed=5)


@serial_only
def test_update_deletes_obsolete_goldens_and_folders_of_deleted_modules(
    project: Project, dist: list[str]
) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    stray(project, "test_a/.gitkeep")  # dotfiles are never judged
    stray(project, "test_gone/test_x.txt")
    stray(project, "test_gone/test_y.json")
    result = project.run("--update-goldens", *dist)
    result.stdout.fnmatch_lines(
        [
            "golden files: 0 created, 0 updated, 3 deleted, 0 frozen",
            "  deleted: tests/golden/test_a/test_removed.txt",
            "  deleted: tests/golden/test_gone/test_x.txt",
            "  deleted: tests/golden/test_gone/test_y.json",
        ]
    )
    assert goldens(project) == sorted([*ALL, "golden/test_a/.gitkeep"])
    assert not (project.path / "tests/golden/test_gone").exists()


def test_partial_runs_never_judge_modules_that_did_not_run_in_full(
    project: Project, dist: list[str], criterion_of: Any
) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    stray(project, "test_b/test_removed.txt")
    stray(project, "test_gone/test_x.txt")
    # -k runs, node-id selections and single files leave test_a's folder alone
    selections = [["-k", "test_two or test_one"], ["tests/test_a.py::test_many"]]
    selections += [["tests/test_b.py"]]
    for args in selections[:1] if dist else selections:  # xdist: -k is what matters
        result = project.run("--update-goldens", *dist, *args)
        assert "tests/golden/test_a/test_removed.txt" not in result.stdout.str()
    assert (project.path / "tests/golden/test_a/test_removed.txt").exists()
    assert not (project.path / "tests/golden/test_b/test_removed.txt").exists()
    assert not (project.path / "tests/golden/test_gone").exists()  # its module is gone
    result, report = project.gate("alpha", *dist, "-k", "test_two")
    entry = obsolete(report, criterion_of)
    assert entry["status"] == "met"
    assert any("not judged" in line and "tests/test_a.py" in line for line in entry["details"])


@serial_only
def test_obsolete_criterion_lists_the_files(
    project: Project, dist: list[str], criterion_of: Any
) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    stray(project, "test_gone/test_x.txt")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    entry = obsolete(report, criterion_of)
    assert entry["status"] == "unmet"
    assert entry["measured"] == 2
    assert entry["details"][:2] == [
        "obsolete golden: tests/golden/test_a/test_removed.txt",
        "obsolete golden: tests/golden/test_gone/test_x.txt",
    ]
    result.stdout.fnmatch_lines(["*obsolete golden: tests/golden/test_a/test_removed.txt"])
    project.run("--update-goldens", *dist)
    result, report = project.gate("alpha")
    assert obsolete(report, criterion_of)["status"] == "met"
    assert report["verdict"] == "ready"


def test_a_limit_allows_some_obsolete_goldens(project: Project, criterion_of: Any) -> None:
    project.config("[tool.graduation.criteria.alpha]\nmax_obsolete_goldens = 1\n")
    project.write("tests/test_b.py", MODULE_B)
    project.run("--update-goldens").assert_outcomes(passed=1)
    stray(project, "test_b/test_old.txt")
    _, report = project.gate("alpha")
    assert obsolete(report, criterion_of)["status"] == "met"
    assert obsolete(report, criterion_of)["measured"] == 1


def test_goldens_of_failing_or_skipped_tests_are_kept(
    project: Project, dist: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(
        "tests/test_a.py",
        """
        import os
        import pytest

        def test_fails_early(golden):
            if os.environ.get("BREAK"):
                raise RuntimeError("broken before its checks")
            golden.check("a")
            golden.check("b", name="second")

        @pytest.mark.skipif(bool(os.environ.get("BREAK")), reason="platform")
        def test_skipped(golden):
            golden.check("c")

        def test_fine(golden):
            golden.check("d")
        """,
    )
    project.run("--update-goldens").assert_outcomes(passed=3)
    stray(project, "test_a/test_fine.old.txt")
    monkeypatch.setenv("BREAK", "1")
    result = project.run("--update-goldens", *dist)
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 1 deleted, 0 frozen"])
    assert sorted(p.name for p in (project.path / "tests/golden/test_a").iterdir()) == [
        "test_fails_early.second.txt",
        "test_fails_early.txt",
        "test_fine.txt",
        "test_skipped.txt",
    ]


def test_interrupted_or_collect_only_runs_delete_nothing(project: Project) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    project.run("--update-goldens", "--collect-only")
    project.run("--update-goldens", "-x", "-k", "test_one or test_two")
    assert (project.path / "tests/golden/test_a/test_removed.txt").exists()


def test_collection_errors_delete_nothing(project: Project) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_b/test_removed.txt")
    project.write("tests/test_c.py", "import not_a_module\n")
    result = project.run("--update-goldens")
    assert result.ret != 0
    assert (project.path / "tests/golden/test_b/test_removed.txt").exists()


def test_merged_shards_judge_modules_over_all_shards(project: Project, criterion_of: Any) -> None:
    import io
    import json

    from pytest_graduation.merge import main

    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    reports = []
    for index, selection in enumerate(["test_one or test_two", "test_many"]):
        report = project.path / f"shard{index}.json"
        project.run("--graduation=alpha", f"--graduation-report={report}", "-k", selection)
        shard = json.loads(report.read_text(encoding="utf-8"))
        # alone, a shard never flags test_a's files: not all of test_a ran there
        assert criterion_of(shard, "obsolete_goldens")["status"] == "met"
        reports.append(str(report))
    merged = project.path / "merged.json"
    argv = ["merge", "--level", "alpha", *reports, "--rootdir", str(project.path)]
    code = main([*argv, "--graduation-report", str(merged)], io.StringIO())
    entry = criterion_of(json.loads(merged.read_text(encoding="utf-8")), "obsolete_goldens")
    assert code == 1
    assert entry["status"] == "unmet"
    assert entry["details"][0] == "obsolete golden: tests/golden/test_a/test_removed.txt"


# --- writes stay home: symlinked golden folders (SPEC 12) ------------------------------------

needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks"
)


@serial_only
@needs_symlinks
def test_obsolete_files_in_a_golden_folder_outside_the_rootdir_are_listed_never_deleted(
    project: Project, dist: list[str], criterion_of: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "test_b").mkdir()
    (outside / "test_b" / "important.csv").write_text("keep", encoding="utf-8")
    (outside / "other").mkdir()  # no module of that name: an orphan folder
    (outside / "other" / "notes.txt").write_text("keep too", encoding="utf-8")
    project.config("[tool.graduation.criteria.alpha]\nmax_obsolete_goldens = 0\n")
    project.write("tests/test_b.py", MODULE_B)
    os.symlink(outside, project.path / "tests/golden")
    for created in (2, 0):
        result = project.run("--update-goldens", *dist)
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(
            [
                f"golden files: {created} created, 0 updated, 0 deleted, 0 frozen",
                "golden files: 2 obsolete file(s) not deleted; remove them by hand*",
                "  obsolete, not deleted: tests/golden/other/notes.txt (its golden folder "
                f"resolves to {outside}, outside the rootdir)",
                "  obsolete, not deleted: tests/golden/test_b/important.csv (*outside the rootdir)",
            ]
        )
    assert (outside / "test_b" / "important.csv").read_text(encoding="utf-8") == "keep"
    assert (outside / "other" / "notes.txt").read_text(encoding="utf-8") == "keep too"
    assert (outside / "test_b" / "test_two.txt").read_text(encoding="utf-8") == "two"
    result, report = project.gate("alpha", *dist)
    entry = obsolete(report, criterion_of)
    assert (entry["status"], entry["measured"]) == ("unmet", 2)
    assert entry["details"][1] == (
        "obsolete golden: tests/golden/test_b/important.csv (--update-goldens will not "
        f"delete it: its golden folder resolves to {outside}, outside the rootdir)"
    )
    assert "2 obsolete golden(s) must be removed by hand" in entry["details"]
    assert report["verdict"] == "not-ready"


@needs_symlinks
def test_golden_folders_linked_to_one_target_keep_every_golden_used(
    project: Project, dist: list[str], criterion_of: Any
) -> None:
    shared = project.path / "shared"
    shared.mkdir()
    project.config("[tool.graduation.criteria.alpha]\nmax_obsolete_goldens = 0\n")
    project.write("tests/a/test_a.py", MODULE_A)
    project.write("tests/b/test_b.py", MODULE_B)
    for name in "ab":
        os.symlink(shared, project.path / f"tests/{name}/golden")
    result = project.run("--update-goldens", *dist)
    result.stdout.fnmatch_lines(["golden files: 6 created, 0 updated, 0 deleted, 0 frozen"])
    project.run(*dist).assert_outcomes(passed=5)  # nothing it created went missing
    (shared / "test_a" / "test_removed.txt").write_text("old", encoding="utf-8")
    result = project.run("--update-goldens", *dist)  # inside the rootdir: really obsolete
    result.stdout.fnmatch_lines(
        [
            "golden files: 0 created, 0 updated, 1 deleted, 0 frozen",
            "  deleted: tests/a/golden/test_a/test_removed.txt",
        ]
    )
    _, report = project.gate("alpha", *dist)
    assert obsolete(report, criterion_of)["status"] == "met"
    # tests/a alone sees test_b's folder as an orphan: it may belong elsewhere, so it stays
    result = project.run("--update-goldens", *dist, "tests/a")
    result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 0 deleted, 0 frozen"])
    project.run(*dist).assert_outcomes(passed=5)


@serial_only
@needs_symlinks
def test_module_folders_linked_to_one_folder_are_judged_together(
    project: Project, dist: list[str]
) -> None:
    suite(project)
    (project.path / "tests/golden/test_a").mkdir(parents=True)
    os.symlink("test_a", project.path / "tests/golden/test_b")
    result = project.run("--update-goldens", *dist)
    result.stdout.fnmatch_lines(["golden files: 6 created, 0 updated, 0 deleted, 0 frozen"])
    project.run(*dist).assert_outcomes(passed=5)
    stray(project, "test_a/test_removed.txt")
    for args in (["tests/test_a.py"], ["-k", "test_two"]):  # test_b's goldens share the folder
        result = project.run("--update-goldens", *dist, *args)
        result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 0 deleted, 0 frozen"])
    project.run(*dist).assert_outcomes(passed=5)
    result = project.run("--update-goldens", *dist)
    result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 1 deleted, 0 frozen"])
    names = sorted(p.name for p in (project.path / "tests/golden/test_a").iterdir())
    assert names == sorted(Path(p).name for p in ALL)


@needs_symlinks
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_only_regular_files_are_deleted(project: Project, criterion_of: Any) -> None:
    suite(project)
    project.run("--update-goldens").assert_outcomes(passed=5)
    folder = project.path / "tests/golden/test_b"
    os.mkfifo(folder / "test_pipe.txt")
    os.symlink(project.path / "pyproject.toml", folder / "test_link.txt")
    stray(project, "test_b/test_removed.txt")
    result = project.run("--update-goldens")
    result.stdout.fnmatch_lines(
        [
            "golden files: 0 created, 0 updated, 1 deleted, 0 frozen",
            "  deleted: tests/golden/test_b/test_removed.txt",
            "  obsolete, not deleted: tests/golden/test_b/test_link.txt (it is a symlink, "
            "not a regular file)",
            "  obsolete, not deleted: tests/golden/test_b/test_pipe.txt (it is a FIFO, "
            "not a regular file)",
        ]
    )
    assert (folder / "test_pipe.txt").is_fifo()
    assert (project.path / "pyproject.toml").exists()
    assert (folder / "test_link.txt").is_symlink()
    _, report = project.gate("alpha")
    assert obsolete(report, criterion_of)["measured"] == 2
