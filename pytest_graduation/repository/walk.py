"""One walk of the repository per session, shared by the repository criteria.

The walk lists every file below the rootdir as a rootdir-relative POSIX path,
skipping what ``[tool.graduation] exclude`` lists (whole folders are pruned, not
walked) and any virtualenv, and never leaves the rootdir through a symlink. File
texts are read and decoded once and cached, so ``line_limit``, ``compile`` and
``source_rules`` together read each file a single time.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.globs import file_glob_regex
from pytest_graduation.model import GateRun
from pytest_graduation.repository.settings import DEFAULT_EXCLUDE, excluded

#: a folder holding this file is a virtual environment, skipped wherever it is
PYVENV_MARKER: Final = "pyvenv.cfg"

#: the most details one repository criterion lists; the rest are counted


def checked(count: int) -> str:
    """The detail every repository criterion gives: how many files it looked at."""
    return f"checked {count} file{'' if count == 1 else 's'}"


def _union(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex matching what any of ``patterns`` (anchored, ``\\Z``-ended) matches."""
    sources = [f"(?:{pattern.pattern})" for pattern in patterns]
    return re.compile("|".join(sources), re.DOTALL) if sources else None


def _folder_glob(glob: str) -> str | None:
    """The glob of the folders whose whole content ``glob`` excludes, if it ends in ``/**``.

    ``build/**`` gives ``build``: a folder matching it can be pruned unseen, because
    every path below it matches ``build/**``. A bare ``**`` covers every folder.
    """
    segments = glob.strip("/").split("/")
    if segments[-1] != "**":
        return None
    return "/".join(segments[:-1]) or "**"


@final
class Exclusions:
    """The ``exclude`` file globs, compiled once: which files and whole folders to skip."""

    def __init__(self, globs: Sequence[str]) -> None:
        self.globs = tuple(globs)
        files: list[str] = []
        folders: list[str] = []
        for glob in self.globs:
            folder = _folder_glob(glob)
            if folder is not None:
                folders.append(folder)
            # a file matching ``d/**`` lies below a folder matching ``d``, which the walk
            # prunes, so only other globs need testing file by file; but when ``d``
            # itself ends in ``**`` (``a/**/**``, ``**``) it does not match the file's
            # own folder (``a``, the root), so that glob is tested on files as well
            if folder is None or folder.rsplit("/", 1)[-1] == "**":
                files.append(glob)
        self._files = _union(file_glob_regex(glob) for glob in files)
        self.tests_files = self._files is not None
        self._folders = _union(file_glob_regex(folder) for folder in folders)

    def skips_file(self, relpath: str) -> bool:
        """Whether the file ``relpath``, in a folder the walk entered, is excluded."""
        return self._files is not None and self._files.match(relpath) is not None

    def skips_folder(self, relpath: str) -> bool:
        """Whether ``exclude`` covers everything below the folder ``relpath``."""
        return self._folders is not None and self._folders.match(relpath) is not None


def _skipped_folder(exclusions: Exclusions, path: str, relpath: str) -> bool:
    """Whether the walk does not enter this folder: excluded whole, or a virtualenv."""
    return exclusions.skips_folder(relpath) or os.path.exists(os.path.join(path, PYVENV_MARKER))


def _inside(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def walk(root: Path, exclude: Sequence[str] | Exclusions = DEFAULT_EXCLUDE) -> tuple[str, ...]:
    """Every file below ``root`` that ``exclude`` keeps, as a sorted tuple of
    root-relative POSIX paths.

    A folder whose whole content is excluded (``build/**``), or that holds a
    ``pyvenv.cfg``, is not entered at all. Symlinked folders are not entered (no
    cycles, no escape); a symlinked file is listed only when its target lies inside
    the root.
    """
    exclusions = exclude if isinstance(exclude, Exclusions) else Exclusions(exclude)
    real_root = os.path.realpath(root)
    found: list[str] = []
    pending: list[tuple[str, str]] = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    if entry.is_file() and _inside(entry.path, real_root):
                        found.append(rel)
                elif entry.is_dir():
                    if not _skipped_folder(exclusions, entry.path, rel):
                        pending.append((entry.path, rel + "/"))
                elif entry.is_file():
                    found.append(rel)
            except OSError:
                continue
    if exclusions.tests_files:
        found = [rel for rel in found if not exclusions.skips_file(rel)]
    found.sort()
    return tuple(found)


@final
@dataclass(frozen=True)
class Source:
    """A decoded file: its text, or why it could not be read (``problem``) and where."""

    text: str = ""
    problem: str = ""
    line: int = 1

    def lines(self) -> list[str]:
        """The text's lines; ``\\n``, ``\\r\\n`` and ``\\r`` end a line."""
        text = self.text
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines

    def line_count(self) -> int:
        text = self.text
        if not text:
            return 0
        if "\r" in text:
            return len(self.lines())
        return text.count("\n") + (0 if text.endswith("\n") else 1)


def decode(relpath: str, data: bytes) -> Source:
    """Decode a file: UTF-8 (BOM allowed), or for ``.py`` files the PEP 263 encoding."""
    encoding, cookie = "utf-8-sig", None
    if relpath.endswith(".py"):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:  # a bad coding cookie, or bytes that are no UTF-8
            cookie = Source(problem=f"cannot decode: {exc.msg}", line=exc.lineno or 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "utf-8" if encoding == "utf-8-sig" else encoding
        line = data.count(b"\n", 0, exc.start) + 1
        return Source(
            problem=f"cannot decode as {name}: {exc.reason} at byte {exc.start}", line=line
        )
    except LookupError as exc:  # pragma: no cover - detect_encoding checks the name
        return Source(problem=f"cannot decode: {exc}")
    return cookie or Source(text=text)


@final
class RepoTree:
    """The files of one rootdir that ``exclude`` keeps, walked lazily once, with a
    cache of decoded texts."""

    def __init__(self, root: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> None:
        self.root = root
        self.exclusions = Exclusions(exclude)
        self._files: tuple[str, ...] | None = None
        self._sources: dict[str, Source] = {}

    @property
    def files(self) -> tuple[str, ...]:
        if self._files is None:
            self._files = walk(self.root, self.exclusions)
        return self._files

    def matching(self, glob: str) -> list[str]:
        """The files matching the file glob ``glob``, sorted."""
        regex = file_glob_regex(glob)
        return [rel for rel in self.files if regex.match(rel)]

    def hides(self, relpath: str) -> bool:
        """Whether the existing path ``relpath`` lies in what the walk skips."""
        parts = relpath.split("/")
        for end in range(1, len(parts) + 1):
            folder = "/".join(parts[:end])
            path = os.path.join(self.root, folder)
            if os.path.isdir(path) and _skipped_folder(self.exclusions, path, folder):
                return True
        return self.exclusions.skips_file(relpath)

    def below(self, relpath: str) -> list[str]:
        """The files at or below the rootdir-relative path ``relpath``, sorted."""
        if relpath in ("", "."):
            return list(self.files)
        folder = relpath + "/"
        return [rel for rel in self.files if rel == relpath or rel.startswith(folder)]

    def source(self, relpath: str) -> Source:
        """The decoded text of a listed file (read at most once per tree)."""
        cached = self._sources.get(relpath)
        if cached is None:
            try:
                data = (self.root / relpath).read_bytes()
            except OSError as exc:
                cached = Source(problem=f"cannot read: {exc.strerror or exc}")
            else:
                cached = decode(relpath, data)
            self._sources[relpath] = cached
        return cached

    def sources(self, relpaths: Iterable[str]) -> Iterable[tuple[str, Source]]:
        for rel in relpaths:
            yield rel, self.source(rel)


tree_key: Final = pytest.StashKey[RepoTree]()


def tree_of(config: pytest.Config, exclude: Sequence[str]) -> RepoTree:
    """The session's shared tree of ``config.rootpath`` (a fresh one for an ``exclude``
    other than the shared tree's, which a session does not have)."""
    tree = config.stash.get(tree_key, None)
    if tree is None:
        tree = config.stash[tree_key] = RepoTree(config.rootpath, exclude)
    elif tree.exclusions.globs != tuple(exclude):
        return RepoTree(config.rootpath, exclude)
    return tree


def tree_for(run: GateRun) -> RepoTree:
    """The tree the repository criteria of one run judge, walked once for all of them."""
    exclude = tuple(excluded(run.settings))
    key = f"repository tree {exclude!r}"
    tree = run.memo.get(key)
    if not isinstance(tree, RepoTree):
        tree = run.memo[key] = RepoTree(run.rootdir, exclude)
    return tree
