"""One walk of the repository per session, shared by the repository criteria.

The walk lists every file below the rootdir as a rootdir-relative POSIX path,
skipping the usual non-source folders, and never leaves the rootdir through a
symlink. File texts are read and decoded once and cached, so ``line_limit``,
``compile`` and ``source_rules`` together read each file a single time.
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.globs import file_glob_regex
from pytest_graduation.model import GateRun

#: folder names never walked into (besides any folder holding a ``pyvenv.cfg``)
EXCLUDED_DIRS: Final = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".eggs",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
    }
)
EXCLUDED_SUFFIXES: Final = (".egg-info",)

#: the most details one repository criterion lists; the rest are counted
MAX_DETAILS: Final = 100


def capped(details: Sequence[str], limit: int = MAX_DETAILS) -> list[str]:
    """``details`` with everything past ``limit`` replaced by a count."""
    if len(details) <= limit:
        return list(details)
    return [*details[:limit], f"... and {len(details) - limit} more"]


def _excluded(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in EXCLUDED_DIRS or name.endswith(EXCLUDED_SUFFIXES):
        return True
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _inside(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def walk(root: Path) -> tuple[str, ...]:
    """Every file below ``root`` as a sorted tuple of root-relative POSIX paths.

    Symlinked folders are not entered (no cycles, no escape); a symlinked file
    is listed only when its target lies inside the root.
    """
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
                    if not _excluded(entry):
                        pending.append((entry.path, rel + "/"))
                elif entry.is_file():
                    found.append(rel)
            except OSError:
                continue
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
    """The files of one rootdir, walked lazily once, with a cache of decoded texts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: tuple[str, ...] | None = None
        self._sources: dict[str, Source] = {}

    @property
    def files(self) -> tuple[str, ...]:
        if self._files is None:
            self._files = walk(self.root)
        return self._files

    def matching(self, glob: str) -> list[str]:
        """The files matching the file glob ``glob``, sorted."""
        regex = file_glob_regex(glob)
        return [rel for rel in self.files if regex.match(rel)]

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


def tree_of(config: pytest.Config) -> RepoTree:
    """The session's shared tree of ``config.rootpath``."""
    tree = config.stash.get(tree_key, None)
    if tree is None:
        tree = config.stash[tree_key] = RepoTree(config.rootpath)
    return tree


def tree_for(run: GateRun) -> RepoTree:
    """The tree a criterion judges: the live session's shared one, or a fresh walk of
    ``run.rootdir`` when judging merged reports."""
    if run.config is not None and run.config.rootpath == run.rootdir:
        return tree_of(run.config)
    return RepoTree(run.rootdir)
