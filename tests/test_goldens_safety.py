"""Bad names, symlinks out of the golden folder, collisions, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Project, serial_only

needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks"
)


def test_bad_names_fail_only_their_test(project: Project) -> None:
    project.write(
        "test_names.py",
        """
        import pytest

        @pytest.mark.parametrize(
            "name", ["", "..", "../escape", "a/b", "a\\\\b", "a..b", "sp ace", "x" * 101]
        )
        def test_bad(golden, name):
            golden.check("value", name=name)

        def test_not_a_str(golden):
            golden.check("value", name=3)

        def test_good(golden):
            golden.check("value", name="Good_name-1.2")
        """,
    )
    result = project.run("--update-goldens")
    result.assert_outcomes(passed=1, failed=9)
    out = result.stdout.str()
    for reason in (
        "it is empty",
        "it contains '..'",
        "it contains a path separator",
        "only letters, digits, '_', '-' and '.' are allowed",
        "it is longer than 100 characters",
        "golden name must be a str, got int",
    ):
        assert reason in out
    created = sorted(p.name for p in (project.path / "golden").rglob("*") if p.is_file())
    assert created == ["test_good.Good_name-1.2.txt"]
    assert not (project.path / "escape.txt").exists()


def test_two_checks_with_one_name_are_an_error(project: Project) -> None:
    project.write(
        "test_names.py",
        """
        def test_twice(golden):
            golden.check("a", name="same")
            golden.check("b", name="same")

        def test_case_only(golden):
            golden.check("a", name="Same")
            golden.check("b", name="same")
        """,
    )
    result = project.run("--update-goldens")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*two golden checks in this test use the file*"])


@needs_symlinks
def test_a_symlinked_module_folder_pointing_outside_is_refused(project: Project) -> None:
    outside = project.path / "outside"
    outside.mkdir()
    (project.path / "golden").mkdir()
    os.symlink(outside, project.path / "golden" / "test_link")
    project.write("test_link.py", "def test_x(golden):\n    golden.check('x')\n")
    for args in ([], ["--update-goldens"]):
        result = project.run(*args)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*outside the golden folder*refusing to read or write it*"])
    assert list(outside.iterdir()) == []


@needs_symlinks
def test_a_symlinked_golden_file_pointing_outside_is_refused(project: Project) -> None:
    secret = project.path / "secret.txt"
    secret.write_text("keep me", encoding="utf-8")
    folder = project.path / "golden" / "test_link"
    folder.mkdir(parents=True)
    os.symlink(secret, folder / "test_x.txt")
    project.write("test_link.py", "def test_x(golden):\n    golden.check('x')\n")
    project.run("--update-goldens").assert_outcomes(failed=1)
    assert secret.read_text(encoding="utf-8") == "keep me"


@needs_symlinks
def test_a_symlink_inside_the_folder_is_replaced_not_written_through(project: Project) -> None:
    folder = project.path / "golden" / "test_link"
    folder.mkdir(parents=True)
    (folder / "target.txt").write_text("target", encoding="utf-8")
    os.symlink(folder / "target.txt", folder / "test_x.txt")
    project.write(
        "test_link.py",
        "def test_x(golden):\n    golden.check('new')\n\ndef test_other():\n    pass\n",
    )
    # -k: the module is not judged, so target.txt is not deleted as obsolete
    project.run("--update-goldens", "-k", "test_x").assert_outcomes(passed=1)
    assert not (folder / "test_x.txt").is_symlink()
    assert (folder / "test_x.txt").read_text(encoding="utf-8") == "new"
    assert (folder / "target.txt").read_text(encoding="utf-8") == "target"


def test_a_failed_write_leaves_the_old_golden_and_no_temp_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_graduation.goldens import storage

    target = project.path / "golden" / "g.txt"
    storage.write_atomic(target, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        storage.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["g.txt"]


def test_golden_files_are_never_collected_as_tests(project: Project) -> None:
    project.write("test_docs.py", "def test_doc(golden):\n    golden.check('>>> 1 + 1\\n3\\n')\n")
    project.run("--update-goldens").assert_outcomes(passed=1)
    # pytest would run golden/test_docs/test_doc.txt as a doctest file
    project.run().assert_outcomes(passed=1)
    project.run("--doctest-glob=*.txt").assert_outcomes(passed=1)


def test_a_test_package_named_like_the_golden_folder_is_still_collected(
    project: Project,
) -> None:
    project.write("golden/test_inner.py", "def test_inner():\n    pass\n")
    project.write("golden/sub/deeper/test_deeper.py", "def test_deeper():\n    pass\n")
    project.run().assert_outcomes(passed=2)


def test_unencodable_text_is_a_clear_error(project: Project) -> None:
    project.write("test_text.py", "def test_x(golden):\n    golden.check('\\ud800')\n")
    result = project.run("--update-goldens")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot be stored as UTF-8*"])
    assert not list(Path(project.path).rglob("*.tmp"))


def test_goldens_differing_only_in_case_are_warned_about(project: Project) -> None:
    project.write(
        "test_case.py",
        """
        import pytest

        @pytest.mark.parametrize("x", ["A", "a"])
        def test_x(golden, x):
            golden.check(x)
        """,
    )
    result = project.run("--update-goldens")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "warning: golden files differ only in case and collide on macOS and Windows: "
            "golden/test_case/test_x?A?.txt, golden/test_case/test_x?a?.txt"
        ]
    )


# --- reads are bounded; a file in the way of a folder (SPEC 12) ------------------------------

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")

TWO_MODULES = {
    "tests/a/test_m.py": "def test_x(golden):\n    golden.check('x')\n",
    "tests/b/test_ok.py": "def test_ok(golden):\n    golden.check('ok')\n",
}


def run_in_subprocess(project: Project, *args: str) -> pytest.RunResult:
    """A child with a timeout: a read that hangs fails fast instead of hanging the suite."""
    return project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", *args, timeout=60
    )


@needs_fifo
@pytest.mark.parametrize("kind", ["FIFO", "directory"])
def test_a_fifo_or_folder_where_a_golden_belongs_fails_that_test_not_a_hang(
    project: Project, kind: str
) -> None:
    for path, text in TWO_MODULES.items():
        project.write(path, text)
    run_in_subprocess(project, "--update-goldens").assert_outcomes(passed=2)
    golden = project.path / "tests/a/golden/test_m/test_x.txt"
    golden.unlink()
    os.mkfifo(golden) if kind == "FIFO" else golden.mkdir()
    runs = [[], ["--update-goldens"]]
    if kind == "FIFO":  # workers open goldens too: none of them may block on it
        runs.append(["-n", "2", "--update-goldens"])
    for args in runs:
        result = run_in_subprocess(project, *args)
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            [f"*golden path tests/a/golden/test_m/test_x.txt is a {kind}, not a file*"]
        )
    assert golden.is_fifo() if kind == "FIFO" else golden.is_dir()  # never replaced


@serial_only
@pytest.mark.parametrize("in_the_way", ["tests/a/golden", "tests/a/golden/test_m"])
def test_a_file_where_a_golden_folder_belongs_fails_only_that_test(
    project: Project, dist: list[str], in_the_way: str
) -> None:
    for path, text in TWO_MODULES.items():
        project.write(path, text)
    project.write(in_the_way, "not a folder\n")
    for args in (["--update-goldens"], []):  # the first run creates test_ok's golden
        result = project.run(*dist, *args)
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            [
                f"*golden folder {in_the_way} is a file, not a folder, so the golden "
                "tests/a/golden/test_m/test_x.txt cannot be read or written*"
            ]
        )
        assert "NotADirectoryError" not in result.stdout.str()
        assert result.ret == 1
    assert (project.path / in_the_way).read_text(encoding="utf-8") == "not a folder\n"
    assert (project.path / "tests/b/golden/test_ok/test_ok.txt").read_text() == "ok"
