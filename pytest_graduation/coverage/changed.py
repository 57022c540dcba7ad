"""The lines changed since a base revision, read from git (SPEC section 16).

:func:`changed_lines` answers: which lines of which ``.py`` files differ between
the merge-base of ``base`` and ``HEAD`` and the working tree (committed, staged
and unstaged changes alike), plus every line of untracked files. Deleted lines
are not lines of the working tree, so they are not counted; a renamed file is
named by its new path.

git runs as a subprocess, never through a shell, with a timeout, from the
repository's top folder, with the environment variables that would point it at
another repository (``GIT_DIR`` and friends, set e.g. inside git hooks) removed.
Every way this can fail is a :class:`GitProblem` whose ``hint`` says what to do.
The unified diff is parsed here (:func:`parse_diff`); see ``docs/coverage.md``
for why not with ``unidiff``.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

from pytest_graduation.coverage.measure import relative

#: seconds any one git command may take
GIT_TIMEOUT: Final = 60.0
#: variables that would make git look at another repository, index or object store
#: than the rootdir's (git hooks export GIT_DIR and GIT_INDEX_FILE, often relative),
#: or change the diff's format
GIT_REDIRECTS: Final = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
        "GIT_DIFF_OPTS",
        "GIT_EXTERNAL_DIFF",
        "GIT_PAGER",
    }
)
#: the repository configuration that could change what the diff says or how paths
#: are written, pinned for every command (command-line ``-c`` beats any config file)
GIT_CONFIG: Final = (
    ("core.quotepath", "off"),
    ("diff.relative", "false"),
    ("diff.noprefix", "false"),
    ("diff.mnemonicPrefix", "false"),
    ("color.ui", "never"),
)
HUNK: Final = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES: Final = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): 34,
    ord("\\"): 92,
}


@final
class GitProblem(Exception):
    """The changed lines cannot be known; ``hint`` says why and what to do."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


@final
@dataclass(frozen=True)
class Hunk:
    """``@@ -old_start,old_count +new_start,new_count @@`` (a missing count is 1)."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int


def base_problem(base: str) -> str | None:
    """Why ``base`` can never name a revision (for validating the option and the
    configuration key), or ``None``. A leading ``-`` would be read as a git option."""
    if not base.strip():
        return "an empty revision"
    if base.startswith("-"):
        return "a revision cannot start with '-'"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in base):
        return "a revision cannot contain control characters"
    return None


def parse_hunk_header(line: bytes) -> Hunk:
    """The numbers of a hunk header; ``ValueError`` when ``line`` is not one."""
    match = HUNK.match(line)
    if match is None:
        raise ValueError(f"not a hunk header: {line[:80]!r}")
    old, old_n, new, new_n = match.groups()
    return Hunk(
        int(old), 1 if old_n is None else int(old_n), int(new), 1 if new_n is None else int(new_n)
    )


def unquote_path(raw: bytes) -> bytes:
    """A path as git wrote it in a ``+++`` line: C-quoted (``"b/a\\tb.py"``, octal
    escapes for bytes git will not print raw) or plain; ``ValueError`` when broken."""
    if raw.endswith(b"\t"):  # git ends a name holding a space with a tab, for patch(1);
        raw = raw[:-1]  # a tab in a name is always quoted (\t), so this one is git's
    if not raw.startswith(b'"'):
        return raw
    if len(raw) < 2 or not raw.endswith(b'"'):
        raise ValueError(f"unterminated quoted path: {raw[:80]!r}")
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        byte = body[i]
        if byte != ord("\\"):
            out.append(byte)
            i += 1
            continue
        code = body[i + 1 : i + 2]
        if code and code in b"01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(d in b"01234567" for d in digits) or digits > b"377":
                raise ValueError(f"bad octal escape in path: {raw[:80]!r}")
            out.append(int(digits, 8))
            i += 4
        elif code and code[0] in _ESCAPES:
            out.append(_ESCAPES[code[0]])
            i += 2
        else:
            raise ValueError(f"bad escape in path: {raw[:80]!r}")
    return bytes(out)


def _new_path(line: bytes) -> str | None:
    """The working-tree path of a ``+++`` line (``None`` for a deleted file)."""
    raw = unquote_path(line[4:])
    if raw == b"/dev/null":
        return None
    if not raw.startswith(b"b/"):
        raise ValueError(f"unexpected path in diff: {line[:80]!r}")
    return os.fsdecode(raw[2:])


def _hunk_lines(lines: Iterator[bytes], hunk: Hunk) -> Iterator[int]:
    """The new-side numbers of the added lines of one hunk body, checking that the
    body holds exactly the lines its header announces."""
    old_left, new_left, number = hunk.old_count, hunk.new_count, hunk.new_start
    while old_left or new_left:
        line = next(lines, None)
        if line is None:
            raise ValueError(f"diff ends inside a hunk: {hunk}")
        kind = line[:1]
        if kind == b"\\":  # "\ No newline at end of file"
            continue
        if kind == b"-" and old_left:
            old_left -= 1
        elif kind == b"+" and new_left:
            new_left -= 1
            yield number
            number += 1
        elif kind == b" " and old_left and new_left:  # context (none with -U0)
            old_left, new_left, number = old_left - 1, new_left - 1, number + 1
        else:
            raise ValueError(f"unexpected line in hunk {hunk}: {line[:80]!r}")


def parse_diff(diff: bytes) -> dict[str, frozenset[int]]:
    """Added or changed line numbers (of the new side) per path, from the output of
    ``git diff`` (any context size, ``b/`` destination prefix). Files whose hunks
    only delete lines map to an empty set; deleted files are left out. Raises
    ``ValueError`` (never anything else) when the text is not such a diff."""
    changed: dict[str, set[int]] = {}
    lines = iter(diff.split(b"\n"))
    path: str | None = None
    for line in lines:
        if line.startswith(b"diff --git "):
            path = None  # each file names its new path in "+++" before its hunks
        elif line.startswith(b"+++ "):
            path = _new_path(line)
            if path is not None:
                changed.setdefault(path, set())
        elif line.startswith(b"@@ "):
            hunk = parse_hunk_header(line)
            added = set(_hunk_lines(lines, hunk))
            if path is None:
                if added:
                    raise ValueError(f"hunk {hunk} adds lines to no file")
                continue
            changed[path] |= added
    return {name: frozenset(numbers) for name, numbers in changed.items()}


def count_lines(data: bytes) -> int:
    """Lines as Python's tokenizer counts them (``\\n``, ``\\r\\n`` or ``\\r``)."""
    return len(data.splitlines())


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in GIT_REDIRECTS}
    # English messages (they are matched below); no prompt for credentials; no
    # index.lock taken for the stat refresh a diff does (a concurrent git would fail)
    env.update(LC_ALL="C", LANGUAGE="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


@final
class _Git:
    """git in one folder, every command bounded by :data:`GIT_TIMEOUT`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = _environment()

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes]:
        if not self.folder.is_dir():  # else subprocess would blame a missing git
            raise GitProblem(f"not measured: {self.folder} is not a folder")
        pinned = [part for key, value in GIT_CONFIG for part in ("-c", f"{key}={value}")]
        command = ["git", "--no-pager", *pinned, *args]
        try:
            done = subprocess.run(
                command,
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise GitProblem(
                "not measured: git is not installed (no git on PATH); coverage_new needs "
                "git to find the lines changed since the base"
            ) from None
        except subprocess.TimeoutExpired:
            raise GitProblem(
                f"not measured: git did not answer within {GIT_TIMEOUT:g} s (git {' '.join(args)})"
            ) from None
        except OSError as exc:
            raise GitProblem(f"not measured: git could not be started: {exc}") from None
        if done.returncode not in ok:
            raise GitProblem(
                f"not measured: git {args[0]} failed (exit {done.returncode}): "
                f"{_first_line(done.stderr)}"
            )
        return done

    def text(self, *args: str) -> str:
        return os.fsdecode(self.run(*args).stdout).strip()


def _first_line(stderr: bytes) -> str:
    lines = [line.strip() for line in os.fsdecode(stderr).splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _toplevel(rootdir: Path) -> Path:
    done = _Git(rootdir).run("rev-parse", "--show-toplevel", ok=(0, 128))
    if done.returncode == 0:
        return Path(os.fsdecode(done.stdout).strip())
    message = _first_line(done.stderr)
    if "not a git repository" in message.lower():
        raise GitProblem(
            f"not measured: {rootdir} is not in a git repository; coverage_new finds "
            "the changed lines in git history: run the gate in a git checkout"
        )
    raise GitProblem(f"not measured: git cannot read the repository: {message}")


def fetch_command(base: str, remotes: list[str]) -> str:
    """The ``git fetch`` that brings ``base`` into this clone."""
    for remote in sorted({*remotes, "origin"}, key=lambda name: (-len(name), name)):
        for prefix in (f"refs/remotes/{remote}/", f"{remote}/"):
            if base.startswith(prefix) and len(base) > len(prefix):
                return f"git fetch {remote} {base[len(prefix) :]}"
    remote = "origin" if "origin" in remotes or not remotes else remotes[0]
    if re.fullmatch(r"[0-9a-fA-F]{7,64}", base):
        return f"git fetch {remote} {base}"
    branch = base.removeprefix("refs/heads/")
    return f"git fetch {remote} {branch}:{branch}"


def _unknown_base(git: _Git, base: str, shallow: bool) -> GitProblem:
    remotes = git.text("remote").split()
    fetch = fetch_command(base, remotes)
    if shallow:
        return GitProblem(
            f"not measured: the base {base!r} is not in this shallow clone; fetch the "
            f"base: {fetch} (in GitHub Actions: actions/checkout with fetch-depth: 0)"
        )
    return GitProblem(
        f"not measured: the base {base!r} is unknown to git here (a typo, or not "
        f"fetched?); fetch the base: {fetch}"
    )


def merge_base(git: _Git, base: str) -> str:
    """The commit the working tree is compared with: the merge-base of ``base`` and
    ``HEAD``."""
    problem = base_problem(base)
    if problem is not None:
        raise GitProblem(f"not measured: the base {base!r} is not a revision: {problem}")
    ancestor = git.run("merge-base", f"{base}^{{commit}}", "HEAD", ok=(0, 1, 128))
    if ancestor.returncode == 0:
        return os.fsdecode(ancestor.stdout).strip()
    raise _why_no_merge_base(git, base)


def _why_no_merge_base(git: _Git, base: str) -> GitProblem:
    """The hint when ``merge-base`` found nothing (only then are these questions
    asked: each is another git process)."""
    if git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1, 128)).returncode:
        return GitProblem("not measured: HEAD has no commit yet: commit before gating")
    shallow = git.text("rev-parse", "--is-shallow-repository") == "true"
    found = git.run("rev-parse", "--verify", "--quiet", f"{base}^{{commit}}", ok=(0, 1, 128))
    if found.returncode != 0:
        return _unknown_base(git, base, shallow)
    if shallow:
        fetch = fetch_command(base, git.text("remote").split())
        return GitProblem(
            f"not measured: {base!r} and HEAD have no common commit in this shallow clone "
            f"(its history is cut off); fetch the base: {fetch} --unshallow (in GitHub "
            "Actions: actions/checkout with fetch-depth: 0)"
        )
    return GitProblem(
        f"not measured: {base!r} and HEAD have no common history; set the base to the "
        "branch this one was made from"
    )


def _untracked(git: _Git, toplevel: Path, keep: Callable[[str], bool]) -> dict[str, frozenset[int]]:
    listing = git.run("ls-files", "--others", "--exclude-standard", "-z").stdout
    found: dict[str, frozenset[int]] = {}
    for raw in listing.split(b"\0"):
        name = os.fsdecode(raw)
        if not name.endswith(".py") or not keep(name):
            continue
        path = toplevel / name
        if not path.is_file():  # a FIFO or folder named *.py is never read
            continue
        try:
            found[name] = frozenset(range(1, count_lines(path.read_bytes()) + 1))
        except OSError:
            continue  # gone since the listing: not a line of the working tree
    return found


#: a diff of the working tree against a commit, as plain text whatever the
#: user's git configuration (no colour, no external diff, no text conversion)
DIFF_ARGS: Final = (
    "diff",
    "--unified=0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--text",
    "--submodule=short",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
)


def _tracked_changes(git: _Git, commit: str) -> dict[str, frozenset[int]]:
    """Changed lines of tracked files between ``commit`` and the working tree."""
    diff = git.run(*DIFF_ARGS, commit, "--").stdout
    try:
        return parse_diff(diff)
    except ValueError as exc:
        raise GitProblem(
            f"not measured: git diff gave output this gate cannot read: {exc}"
        ) from None


def changed_lines(
    rootdir: Path, base: str, keep: Callable[[str], bool] | None = None
) -> dict[str, frozenset[int]]:
    """Added or changed line numbers of the working tree's ``.py`` files since the
    merge-base of ``base`` and ``HEAD``, untracked files whole, keyed by rootdir-relative
    POSIX path (absolute for files of the repository outside the rootdir).

    ``keep`` (given the rootdir-relative path) can skip files early, so untracked
    files nobody asks about are not read. Raises :class:`GitProblem`."""
    toplevel = _toplevel(rootdir)
    git = _Git(toplevel)
    tracked = _tracked_changes(git, merge_base(git, base))

    def named(name: str) -> str:
        return relative(str(toplevel / name), rootdir)

    def wanted(name: str) -> bool:
        return name.endswith(".py") and (keep is None or keep(named(name)))

    # a file whose hunks only delete lines has no line of the working tree changed
    changed = {named(n): lines for n, lines in tracked.items() if lines and wanted(n)}
    changed.update((named(n), lines) for n, lines in _untracked(git, toplevel, wanted).items())
    return dict(sorted(changed.items()))
