"""The repository criteria's building blocks, without a pytest session around them."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import make_run
from pytest_graduation.config import GraduationConfig, parse
from pytest_graduation.listing import capped
from pytest_graduation.model import GateRun, Status, TestRecord
from pytest_graduation.repository import criteria_from
from pytest_graduation.repository.compile_check import CompileCriterion, compile_error
from pytest_graduation.repository.examples import (
    EXAMPLE_MARKER,
    EXAMPLES_STREAM,
    ExamplesCriterion,
    run_script,
)
from pytest_graduation.repository.line_limit import LineLimitCriterion
from pytest_graduation.repository.settings import SourceRule
from pytest_graduation.repository.source_rules import SourceRulesCriterion
from pytest_graduation.repository.walk import RepoTree, Source, decode, walk


def _run(root: Path, tests: tuple[TestRecord, ...] = (), **facts: list[object]) -> GateRun:
    settings = GraduationConfig()
    return make_run(
        level="alpha",
        tests=tests,
        rootdir=root,
        settings=settings,
        facts=facts,
    )


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\n\n", ["a", ""]),
        ("a\r\nb\rc\n", ["a", "b", "c"]),
        ("a\x0cb\u2028c", ["a\x0cb\u2028c"]),  # only \n, \r\n and \r end a line
    ],
)
def test_lines_are_text_file_lines(text: str, lines: list[str]) -> None:
    source = Source(text=text)
    assert source.lines() == lines
    assert source.line_count() == len(lines)


def test_decode_reports_the_line_of_the_first_bad_byte() -> None:
    assert decode("a.txt", b"\xef\xbb\xbfok\n") == Source(text="ok\n")
    bad = decode("a.txt", b"one\ntwo \xff\n")
    assert bad.problem == "cannot decode as utf-8: invalid start byte at byte 8"
    assert bad.line == 2
    assert decode("a.py", b"# coding: nope\n").problem == "cannot decode: unknown encoding: nope"
    assert decode("a.py", b"# coding: latin-1\nx = '\xe9'\n").text.endswith("'\xe9'\n")


def test_walk_lists_sorted_posix_paths_and_skips_exclusions(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "b.py": "",
            "a/z.py": "",
            "a/.github/w.yml": "",
            ".git/config": "",
            "x.egg-info/PKG-INFO": "",
            "venv/pyvenv.cfg": "",
            "venv/lib/site.py": "",
            "node_modules/m.js": "",
        },
    )
    assert walk(tmp_path) == ("a/.github/w.yml", "a/z.py", "b.py")


def test_walk_never_leaves_the_root_through_symlinks(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    _write(outside, {"far.py": ""})
    _write(tmp_path, {"pkg/near.py": ""})
    try:
        (tmp_path / "far.py").symlink_to(outside / "far.py")
        (tmp_path / "near.py").symlink_to(tmp_path / "pkg/near.py")
        (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
        (tmp_path / "out").symlink_to(outside, target_is_directory=True)
        (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    except OSError:  # pragma: no cover
        pytest.skip("symlinks are not available")
    assert walk(tmp_path) == ("near.py", "pkg/near.py")


def test_tree_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"src/a.py": "print(1)\n", "src/b.txt": "x\n"})
    tree = RepoTree(tmp_path)
    reads: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    rules = (
        SourceRule("one", "src/**", re.compile("print"), "m1"),
        SourceRule("two", "src/*.py", re.compile("1"), "m2"),
    )
    for _ in range(2):
        assert tree.below("src") == ["src/a.py", "src/b.txt"]
        assert tree.below(".") == list(tree.files)
        for rel, _source in tree.sources(tree.matching("src/**")):
            assert tree.source(rel) is _source
    monkeypatch.setattr("pytest_graduation.repository.source_rules.tree_for", lambda run: tree)
    result = SourceRulesCriterion(rules).evaluate(_run(tmp_path))
    assert result.details == ("checked 2 files", "src/a.py:1: one: m1", "src/a.py:1: two: m2")
    assert sorted(reads) == [tmp_path / "src/a.py", tmp_path / "src/b.txt"]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, {"a.txt": "x\n"})
    tree = RepoTree(tmp_path)
    assert tree.files == ("a.txt",)
    (tmp_path / "a.txt").unlink()
    assert tree.source("a.txt").problem.startswith("cannot read: ")


def test_capped() -> None:
    assert capped(["a", "b"], 2) == ["a", "b"]
    assert capped(["a", "b", "c"], 2) == ["a", "b", "... and 1 more"]


def test_compile_error_messages() -> None:
    assert compile_error("a.py", "x = 1\n") is None
    assert compile_error("a.py", "x = 1\nreturn 2\n") == "a.py:2: 'return' outside function"
    assert compile_error("a.py", "x = 1\ny = '\0'\n") in (
        "a.py:2: source code string cannot contain null bytes",
        "a.py:2: source code cannot contain null bytes",
    )
    deep = "x = " + "(" * 5000 + ")" * 5000 + "\n"
    error = compile_error("a.py", deep)
    assert error is not None and error.startswith("a.py:1: ")
    # too deep for the compiler itself: reported, not raised
    chain = "x = " + "+".join(["a"] * 200_000) + "\n"
    assert compile_error("a.py", chain) == (
        "a.py:1: RecursionError: maximum recursion depth exceeded during compilation"
    )


def test_empty_configuration_measures_nothing_and_is_unmet(tmp_path: Path) -> None:
    _write(tmp_path, {"src/a.py": "x = 1\n"})
    run = _run(tmp_path)
    results = {
        "line_limit": LineLimitCriterion({}).evaluate(run),
        "compile": CompileCriterion([]).evaluate(run),
        "source_rules": SourceRulesCriterion([]).evaluate(run),
        "examples": ExamplesCriterion([]).evaluate(run),
    }
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(results, Status.UNMET)
    assert {name: r.details for name, r in results.items()} == {
        "line_limit": ("checked 0 files", "nothing to check: no glob in line_limit"),
        "compile": ("checked 0 files", "nothing to compile: compile = []"),
        "source_rules": ("checked 0 files", "nothing to check: no rule in source_rules"),
        "examples": ("checked 0 files", "nothing to check: examples = []"),
    }


TREE: dict[str, str | bytes] = {
    "build/gen.py": "",
    "dist/pkg.whl.py": "",
    "src/pkg/build/__init__.py": "",
    "src/pkg/dist/x.py": "",
    "src/pkg/__pycache__/m.pyc": "",
    "src/pkg.egg-info/PKG-INFO": "",
    "src/notes.txt": "",
    ".venv/lib/site.py": "",
    "deep/env/pyvenv.cfg": "",
    "deep/env/lib/site.py": "",
    ".pytest_cache/README.md": "",
}


@pytest.mark.parametrize(
    ("exclude", "expected"),
    [
        (  # the default: build/** and dist/** are the rootdir's folders only
            None,
            [
                ".pytest_cache/README.md",
                "src/notes.txt",
                "src/pkg/build/__init__.py",
                "src/pkg/dist/x.py",
            ],
        ),
        (  # nothing excluded, but a virtualenv is never walked
            [],
            [
                ".pytest_cache/README.md",
                ".venv/lib/site.py",
                "build/gen.py",
                "dist/pkg.whl.py",
                "src/notes.txt",
                "src/pkg.egg-info/PKG-INFO",
                "src/pkg/__pycache__/m.pyc",
                "src/pkg/build/__init__.py",
                "src/pkg/dist/x.py",
            ],
        ),
        (
            ["**/build/**", "src/*.txt", ".*/**", "**/*.egg-info/**", "**/__pycache__/**"],
            ["dist/pkg.whl.py", "src/pkg/dist/x.py"],
        ),
        (["**"], []),
        (  # globs of files, not folders: every file is tested, nothing is pruned
            ["src/**/*.py", "*/*.*"],
            [".venv/lib/site.py", "src/pkg.egg-info/PKG-INFO", "src/pkg/__pycache__/m.pyc"],
        ),
    ],
)
def test_walk_skips_what_exclude_lists(
    tmp_path: Path, exclude: list[str] | None, expected: list[str]
) -> None:
    _write(tmp_path, TREE)
    tree = RepoTree(tmp_path) if exclude is None else RepoTree(tmp_path, exclude)
    assert list(tree.files) == expected


def test_walk_prunes_excluded_folders_unseen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {**TREE, "src/gen/a/b.py": "", "src/gen.py": ""})
    scanned: list[str] = []
    real_scandir = os.scandir

    def recording(path: str) -> object:
        scanned.append(Path(path).relative_to(tmp_path).as_posix())
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", recording)
    files = walk(tmp_path, ["build/**", "src/*/**", ".*/**"])
    assert files == ("dist/pkg.whl.py", "src/gen.py", "src/notes.txt")
    assert sorted(scanned) == [".", "deep", "dist", "src"]


def test_criteria_only_for_configured_keys() -> None:
    assert list(criteria_from(GraduationConfig().criteria_for("alpha"), GraduationConfig())) == []


def _record(
    nodeid: str, outcome: str, *, deselected: bool = False, marked: bool = True
) -> TestRecord:
    markers = frozenset({EXAMPLE_MARKER} if marked else ())
    return TestRecord(nodeid, outcome, "alpha", markers, deselected=deselected, longrepr="why")


def test_examples_criterion_judges_every_marked_record(tmp_path: Path) -> None:
    _write(tmp_path, {"ex/a.py": "", "ex/b.py": "", "ex/c.py": "", "ex/d.py": ""})
    tests = (
        _record("ex/a.py::example", "passed"),
        _record("ex/b.py::example", "failed"),
        _record("ex/c.py::example", "not-run"),
        _record("elsewhere.py::example", "failed"),  # marked outside the globs: still judged
        _record("ex/a.py::test_other", "failed", marked=False),  # not an example
    )
    facts: list[object] = [{"nodeid": "ex/b.py::example", "summary": "exit code 2: boom"}]
    result = ExamplesCriterion(["ex/*.py"]).evaluate(
        _run(tmp_path, tests, **{EXAMPLES_STREAM: facts})
    )
    assert result.status is Status.UNMET
    assert result.measured == "1/5 passed"
    assert result.details == (
        "checked 5 files",
        "elsewhere.py: failed: why",
        "ex/b.py: exit code 2: boom",
        "ex/c.py: did not run",
        "ex/d.py: did not run",
    )


def test_examples_criterion_is_inconclusive_when_deselected(tmp_path: Path) -> None:
    _write(tmp_path, {"ex/a.py": "", "ex/b.py": ""})
    tests = (
        _record("ex/a.py::example", "passed"),
        _record("ex/b.py::example", "not-run", deselected=True),
    )
    result = ExamplesCriterion(["ex/*.py"]).evaluate(_run(tmp_path, tests))
    assert result.status is Status.INCONCLUSIVE
    assert result.details[:2] == ("checked 2 files", "ex/b.py: deselected")


def test_run_script_reports_exit_code_and_stderr(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import os, sys\nprint(os.getcwd())\nsys.exit('bye')\n", encoding="utf-8")
    done = run_script(script, timeout=30)
    assert (done.returncode, done.timed_out) == (1, False)
    assert done.stdout.strip() == str(tmp_path)
    assert done.summary(30) == "exit code 1: bye"
    assert done.tail() == ["bye"]


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie not yet reaped by init counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return not Path("/proc/self").exists()  # pragma: no cover - without /proc
    return state in ("Z", "X")


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_run_script_kills_the_group_on_timeout(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        "import subprocess, sys, threading\n"
        "block = 'import threading; threading.Event().wait()'\n"
        "child = subprocess.Popen([sys.executable, '-c', block])\n"
        "print(child.pid, flush=True)\n"
        "threading.Event().wait()\n",
        encoding="utf-8",
    )
    done = run_script(script, timeout=2.0)
    assert done.timed_out
    assert done.summary(2.0) == "timed out after 2 s (process tree killed)"
    grandchild = int(done.stdout.split()[0])
    # SIGKILL went to the whole group; the grandchild's exit itself is asynchronous
    deadline = time.monotonic() + 10
    while not _gone(grandchild) and time.monotonic() < deadline:
        os.sched_yield()
    assert _gone(grandchild)


def test_compile_reports_undecodable_sources(tmp_path: Path) -> None:
    _write(tmp_path, {"src/ok.py": "x = 1\n", "src/bad.py": b"x = 1\ny = '\xff'\n"})
    result = CompileCriterion(["src"]).evaluate(_run(tmp_path))
    assert result.status is Status.UNMET
    assert result.measured == "1/2 compile"
    assert result.details == (
        "checked 2 files",
        "src/bad.py:2: cannot decode as utf-8: invalid start byte at byte 11",
    )


def test_judging_without_a_session_honours_exclude(tmp_path: Path) -> None:
    # as `merge` judges: no live config, the tree comes from the run's settings
    _write(tmp_path, {"src/ok.py": "x = 1\n", "src/gen/big.py": "x = 1\n" * 9})
    settings = parse({"exclude": ["src/gen/**"]}, source=None, prefix="")
    run = dataclasses.replace(_run(tmp_path), settings=settings)
    result = LineLimitCriterion({"src/**/*.py": 1}).evaluate(run)
    assert (result.status, result.details) == (Status.MET, ("checked 1 file",))
    assert LineLimitCriterion({"src/**/*.py": 1}).evaluate(_run(tmp_path)).status is Status.UNMET
