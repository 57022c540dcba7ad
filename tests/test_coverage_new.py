"""``coverage_new``'s changed lines (SPEC section 16), read from real git repositories
built in ``tmp_path``: committed, staged, unstaged and untracked changes, renames,
deletions, awkward paths, and every way git can fail to answer. The diff parser and
the range formatter are checked with Hypothesis as well."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_graduation.coverage import changed
from pytest_graduation.coverage.changed import (
    GitProblem,
    Hunk,
    base_problem,
    changed_lines,
    fetch_command,
    parse_diff,
    parse_hunk_header,
    unquote_path,
)
from pytest_graduation.coverage.new_code import format_ranges, parse_ranges


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every git here, the tests' and the product's, ignores the machine's config and
    never walks up out of ``tmp_path``."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.com")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def write(root: Path, relpath: str, text: str, newline: str = "\n") -> None:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.replace("\n", newline).encode("utf-8"))


def numbered(prefix: str, count: int, **changes: str) -> str:
    """``A1 = 1`` ... one assignment a line; ``changes`` replaces lines by name."""
    lines = [f"{prefix}{n} = {n}" for n in range(1, count + 1)]
    for key, text in changes.items():
        lines[int(key[1:]) - 1] = text
    return "\n".join(lines) + "\n"


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def new_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for relpath, text in files.items():
        write(root, relpath, text)
    commit(root, "base")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A branch ``feat`` off ``main`` with every kind of change; ``main`` moved on
    after the branch was made."""
    root = new_repo(
        tmp_path / "repo",
        {
            ".gitignore": "ignored_*.py\n",
            "pkg/__init__.py": "",
            "pkg/a.py": numbered("A", 10),
            "pkg/b.py": numbered("B", 6),
            "pkg/same.py": numbered("S", 3),
            "pkg/gone.py": "G = 1\n",
            "pkg/trim.py": numbered("T", 4),
            "README.md": "readme\n",
        },
    )
    git(root, "checkout", "-q", "-b", "feat")
    git(root, "checkout", "-q", "main")
    write(root, "pkg/a.py", numbered("A", 10, a10="A10 = 100"))
    write(root, "pkg/main_only.py", "M = 1\n")
    commit(root, "main moves on: not a change of feat")
    git(root, "checkout", "-q", "feat")
    write(root, "pkg/a.py", numbered("A", 10, a2="A2 = 20"))
    commit(root, "committed change")
    git(root, "rm", "-q", "pkg/gone.py")
    git(root, "mv", "pkg/b.py", "pkg/c.py")
    write(root, "pkg/c.py", numbered("B", 6, b3="B3 = 30"))
    git(root, "mv", "pkg/same.py", "pkg/moved.py")
    write(root, "pkg/trim.py", "T1 = 1\nT3 = 3\nT4 = 4\n")  # only a deletion
    write(root, "README.md", "changed, not Python\n")
    commit(root, "delete, rename with a change, pure rename, deletion only")
    write(root, "pkg/a.py", numbered("A", 10, a2="A2 = 20", a5="A5 = 50"))
    git(root, "add", "pkg/a.py")  # staged
    write(root, "pkg/a.py", numbered("A", 10, a2="A2 = 20", a5="A5 = 50", a8="A8 = 80"))
    write(root, "pkg/new.py", "N1 = 1\nN2 = 2\nN3 = 3")  # untracked, no final newline
    write(root, "pkg/ignored_x.py", "I = 1\n")
    write(root, "notes.txt", "untracked, not Python\n")
    return root


EXPECTED = {"pkg/a.py": {2, 5, 8}, "pkg/c.py": {3}, "pkg/new.py": {1, 2, 3}}


def test_committed_staged_unstaged_and_untracked_changes_since_the_merge_base(
    repo: Path,
) -> None:
    found = changed_lines(repo, "main")
    assert {path: set(lines) for path, lines in found.items()} == EXPECTED
    assert all(isinstance(lines, frozenset) for lines in found.values())


def test_a_commit_or_a_full_ref_names_the_same_base(repo: Path) -> None:
    sha = git(repo, "rev-parse", "main").strip()
    assert changed_lines(repo, sha) == changed_lines(repo, "refs/heads/main")
    assert changed_lines(repo, sha) == changed_lines(repo, "main")


def test_keep_skips_files_early(repo: Path) -> None:
    found = changed_lines(repo, "main", keep=lambda path: path != "pkg/new.py")
    assert set(found) == {"pkg/a.py", "pkg/c.py"}


def test_nothing_changed_when_the_base_is_head(repo: Path) -> None:
    git(repo, "add", "-A")
    commit(repo, "everything in")
    assert changed_lines(repo, "HEAD") == {}
    assert set(changed_lines(repo, "HEAD~1")) == {"pkg/a.py", "pkg/new.py"}


def test_awkward_paths_and_line_endings(tmp_path: Path) -> None:
    spaced = 'pkg/sp ace/é "q".py'
    tabbed = "pkg/tab\there\\.py"
    root = new_repo(
        tmp_path / "r",
        {spaced: numbered("A", 3), tabbed: numbered("B", 3), "pkg/crlf.py": numbered("C", 3)},
    )
    write(root, "pkg/crlf.py", numbered("C", 3), newline="\r\n")
    commit(root, "crlf")
    git(root, "checkout", "-q", "-b", "feat")
    write(root, spaced, numbered("A", 3, a2="A2 = 'x'"))
    write(root, tabbed, numbered("B", 3, b3="B3 = 'y'"))
    write(root, "pkg/crlf.py", numbered("C", 3, c1="C1 = 'z'"), newline="\r\n")
    write(root, "pkg/ünï code.py", "U = 1\r\nV = 2\r\n")
    found = changed_lines(root, "main")
    assert found == {
        spaced: {2},
        tabbed: {3},
        "pkg/crlf.py": {1},
        "pkg/ünï code.py": {1, 2},
    }


def test_content_that_looks_like_diff_headers_is_content(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "r", {"pkg/x.py": "x = 1\n-- a/old.py\n"})
    git(root, "checkout", "-q", "-b", "feat")
    write(root, "pkg/x.py", "x = 1\n++ b/evil.py\n@@ -1 +1,9 @@\ndiff --git a/q b/q\n")
    assert changed_lines(root, "main") == {"pkg/x.py": {2, 3, 4}}


def test_paths_are_relative_to_a_rootdir_below_the_top(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "r", {"proj/pkg/x.py": "x = 1\n", "other/y.py": "y = 1\n"})
    git(root, "checkout", "-q", "-b", "feat")
    write(root, "proj/pkg/x.py", "x = 2\n")
    write(root, "other/y.py", "y = 2\n")
    write(root, "other/untracked.py", "z = 1\n")
    found = changed_lines(root / "proj", "main")
    outside = (root / "other").resolve()
    assert found == {
        (outside / "untracked.py").as_posix(): {1},
        (outside / "y.py").as_posix(): {1},
        "pkg/x.py": {1},
    }


def test_variables_that_would_point_git_elsewhere_are_ignored(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = new_repo(tmp_path / "other", {"pkg/a.py": "unrelated = 1\n"})
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/does-not-exist")  # as in a git hook
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=5")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "false")
    found = changed_lines(repo, "main")
    assert {path: set(lines) for path, lines in found.items()} == EXPECTED


def test_repository_config_cannot_change_the_diff(repo: Path) -> None:
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.external", "false"),
        ("color.ui", "always"),
        ("core.quotepath", "on"),
        ("diff.relative", "true"),
    ]:
        git(repo, "config", key, value)
    write(repo, ".gitattributes", "*.py diff=fake binary\n")
    git(repo, "config", "diff.fake.textconv", "false")
    found = changed_lines(repo / "pkg", "main")  # a subfolder, with diff.relative on
    assert {path: set(lines) for path, lines in found.items()} == {
        "a.py": {2, 5, 8},
        "c.py": {3},
        "new.py": {1, 2, 3},
    }


# --- when git cannot answer -------------------------------------------------------


def hint(root: Path, base: str) -> str:
    with pytest.raises(GitProblem) as caught:
        changed_lines(root, base)
    assert str(caught.value) == caught.value.hint
    return caught.value.hint


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    message = hint(tmp_path / "plain", "main")
    assert message.startswith("not measured: ")
    assert "is not in a git repository" in message
    assert "run the gate in a git checkout" in message


def test_git_not_installed(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert hint(repo, "main") == (
        "not measured: git is not installed (no git on PATH); coverage_new needs git to "
        "find the lines changed since the base"
    )


def test_a_rootdir_that_is_gone(tmp_path: Path) -> None:
    assert "is not a folder" in hint(tmp_path / "nowhere", "main")


def test_git_refusing_the_repository_is_shown(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    script = fake / "git"
    script.write_text(
        "#!/bin/sh\necho \"fatal: detected dubious ownership in repository at '/x'\" >&2\n"
        "exit 128\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    assert hint(repo, "main") == (
        "not measured: git cannot read the repository: "
        "fatal: detected dubious ownership in repository at '/x'"
    )


def test_git_that_hangs_times_out(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(command: list[str], **kwargs: object) -> None:
        assert kwargs["timeout"] == changed.GIT_TIMEOUT
        assert "shell" not in kwargs
        raise subprocess.TimeoutExpired(command, changed.GIT_TIMEOUT)

    monkeypatch.setattr("pytest_graduation.coverage.changed.subprocess.run", hang)
    assert hint(repo, "main") == (
        "not measured: git did not answer within 60 s (git rev-parse --show-toplevel)"
    )


def test_an_unknown_ref(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "file:///nowhere")
    assert hint(repo, "origin/release") == (
        "not measured: the base 'origin/release' is unknown to git here (a typo, or not "
        "fetched?); fetch the base: git fetch origin release"
    )
    assert hint(repo, "mian").endswith("fetch the base: git fetch origin mian:mian")


@pytest.mark.parametrize("base", ["-M", "--output=/tmp/x", "", " ", "main\n", "a\0b"])
def test_a_base_that_is_no_revision_never_reaches_git_as_an_option(repo: Path, base: str) -> None:
    assert base_problem(base) is not None
    assert hint(repo, base).startswith(f"not measured: the base {base!r} is not a revision: ")


def test_a_shallow_clone_without_the_base(repo: Path, tmp_path: Path) -> None:
    git(repo, "add", "-A")
    commit(repo, "everything in")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feat", repo.as_uri(), str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert hint(clone, "origin/main") == (
        "not measured: the base 'origin/main' is not in this shallow clone; fetch the "
        "base: git fetch origin main (in GitHub Actions: actions/checkout with "
        "fetch-depth: 0)"
    )


def test_a_shallow_clone_with_the_base_but_not_the_merge_base(repo: Path, tmp_path: Path) -> None:
    git(repo, "add", "-A")
    commit(repo, "everything in")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", repo.as_uri(), str(clone))
    git(clone, "checkout", "-q", "feat")
    message = hint(clone, "origin/main")
    assert "have no common commit in this shallow clone" in message
    assert "fetch the base: git fetch origin main --unshallow" in message
    assert "fetch-depth: 0" in message
    git(clone, "fetch", "-q", "--unshallow", "origin")  # what the hint says: then it works
    assert set(changed_lines(clone, "origin/main")) == {"pkg/a.py", "pkg/c.py", "pkg/new.py"}


def test_unrelated_histories_and_an_unborn_head(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "r", {"a.py": "a = 1\n"})
    git(root, "checkout", "-q", "--orphan", "lonely")
    commit(root, "no common history")
    assert "have no common history" in hint(root, "main")
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert hint(empty, "main") == "not measured: HEAD has no commit yet: commit before gating"


def test_fetch_commands_name_the_remote_and_branch() -> None:
    assert fetch_command("origin/main", []) == "git fetch origin main"
    assert fetch_command("upstream/rel/2.x", ["origin", "upstream"]) == (
        "git fetch upstream rel/2.x"
    )
    assert fetch_command("refs/remotes/up/main", ["up"]) == "git fetch up main"
    assert fetch_command("main", ["origin"]) == "git fetch origin main:main"
    assert fetch_command("refs/heads/dev", ["fork"]) == "git fetch fork dev:dev"
    assert fetch_command("0123abcd", []) == "git fetch origin 0123abcd"


# --- the diff parser ----------------------------------------------------------------

DIFF = b"""\
diff --git a/m.py b/m.py
index 223ca50..7884034 100644
--- a/m.py
+++ b/m.py
@@ -2 +2,2 @@ def f():
-b = 2
+b = 3
+c = 4
@@ -9,2 +10,0 @@
-x
-y
\\ No newline at end of file
diff --git a/ctx.py b/ctx.py
--- a/ctx.py
+++ b/ctx.py
@@ -1,3 +1,3 @@
 keep
-old
+new
 keep
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
diff --git "a/q\\"\\303\\251\\t.py" "b/q\\"\\303\\251\\t.py"
--- /dev/null
+++ "b/q\\"\\303\\251\\t.py"
@@ -0,0 +1 @@
+++ b/not-a-header.py
"""


def test_parse_diff_reads_hunks_context_deletions_and_quoted_paths() -> None:
    assert parse_diff(DIFF) == {"m.py": {2, 3}, "ctx.py": {2}, 'q"é\t.py': {1}}


@pytest.mark.parametrize(
    "broken",
    [
        b"+++ b/x.py\n@@ -1 +1,2 @@\n+only one\n",  # ends inside a hunk
        b"+++ b/x.py\n@@ -1 +1 @@\n+a\n+b\n",  # more added lines than announced
        b"+++ b/x.py\n@@ -1 +1 @@\n?a\n",
        b"+++ b/x.py\n@@ nonsense @@\n",
        b'+++ "b/unterminated\n',
        b'+++ "b/bad\\q"\n',
        b'+++ "b/bad\\400"\n',
        b"+++ x.py\n",  # no b/ prefix
        b"+++ /dev/null\n@@ -0,0 +1 @@\n+line of no file\n",
    ],
)
def test_malformed_diffs_are_a_value_error(broken: bytes) -> None:
    with pytest.raises(ValueError):
        parse_diff(broken)


@given(
    st.integers(0, 10**9),
    st.one_of(st.none(), st.integers(0, 10**6)),
    st.integers(0, 10**9),
    st.one_of(st.none(), st.integers(0, 10**6)),
    st.text(max_size=20).map(lambda s: s.replace("\n", "")),
)
def test_every_hunk_header_git_can_write_parses(
    old: int, old_n: int | None, new: int, new_n: int | None, section: str
) -> None:
    def part(start: int, count: int | None) -> str:
        return str(start) if count is None else f"{start},{count}"

    line = f"@@ -{part(old, old_n)} +{part(new, new_n)} @@ {section}".encode()
    assert parse_hunk_header(line) == Hunk(
        old, 1 if old_n is None else old_n, new, 1 if new_n is None else new_n
    )


NAME_CHARS = st.characters(codec="utf-8", exclude_characters="\n\r\0/")
NAMES = st.text(NAME_CHARS, min_size=1, max_size=12).filter(lambda n: n not in (".", ".."))


def quote(path: str) -> str:
    """The name as git's ``quote_c_style`` writes it with ``core.quotepath=off``."""
    raw = path.encode()
    special = {0x22: b'\\"', 0x5C: b"\\\\", 0x09: b"\\t", 0x07: b"\\a", 0x08: b"\\b"}
    special.update({0x0B: b"\\v", 0x0C: b"\\f"})
    if not any(b < 0x20 or b in special or b == 0x7F for b in raw):
        return path + ("\t" if " " in path else "")
    body = b"".join(
        special.get(b, b"\\%03o" % b if b < 0x20 or b == 0x7F else bytes([b])) for b in raw
    )
    return f'"{body.decode()}"' + ("\t" if " " in path else "")


HUNKS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 3)), max_size=5)


@given(st.dictionaries(NAMES, HUNKS, max_size=4))
def test_generated_diffs_give_back_their_added_lines(
    files: dict[str, list[tuple[int, ...]]],
) -> None:
    text, expected = [], {}
    for name, hunks in files.items():
        text += [
            f"diff --git {quote('a/' + name)} {quote('b/' + name)}",
            f"--- {quote('a/' + name)}",
        ]
        text.append(f"+++ {quote('b/' + name)}")
        added: set[int] = set()
        old = new = 1
        for gap, deleted, count in hunks:
            old, new = old + gap, new + gap
            text.append(f"@@ -{old - (not deleted)},{deleted} +{new - (not count)},{count} @@")
            text += ["-gone"] * deleted + ["++ b/fake.py"] * count
            added.update(range(new, new + count))
            old, new = old + deleted, new + count
        expected[name] = added
    assert parse_diff("\n".join(text).encode()) == expected


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_raise_a_value_error(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_diff(data)


@given(
    st.lists(
        st.sampled_from([b"+++ b/x.py", b"+++ /dev/null", b"@@ -1 +1 @@", b"@@ -0,0 +1,2 @@"])
        | st.sampled_from([b"+a", b"-b", b" c", b"\\ No newline", b"diff --git a/x b/x"])
        | st.binary(max_size=10),
        max_size=12,
    )
)
def test_diff_like_garbage_parses_or_raises_a_value_error(lines: list[bytes]) -> None:
    try:
        found = parse_diff(b"\n".join(lines))
    except ValueError:
        return
    assert all(n >= 0 for numbers in found.values() for n in numbers)


@given(st.binary(max_size=40))
def test_unquote_reads_or_raises_a_value_error(raw: bytes) -> None:
    with contextlib.suppress(ValueError):
        unquote_path(b'"' + raw + b'"')


# --- line ranges ---------------------------------------------------------------------


def test_ranges_are_written_like_coverage_missing_lines() -> None:
    assert format_ranges([20, 12, 13, 14]) == "12-14, 20"
    assert format_ranges([]) == ""
    assert parse_ranges("12-14, 20") == {12, 13, 14, 20}
    with pytest.raises(ValueError):
        parse_ranges("3-1")
    with pytest.raises(ValueError):
        parse_ranges("x")


@given(st.frozensets(st.integers(1, 400), max_size=60))
def test_ranges_round_trip(lines: frozenset[int]) -> None:
    text = format_ranges(lines)
    assert parse_ranges(text) == lines
    assert format_ranges(parse_ranges(text)) == text
    assert text.count(",") == max(0, len(text.split(", ")) - 1)
