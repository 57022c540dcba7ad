"""Finding the evidence of a checklist item without reading it.

Evidence is a regular, non-empty file inside the rootdir. The candidates come from the
repository walk the repository criteria share (:mod:`pytest_graduation.repository.walk`:
``exclude`` and virtualenvs skipped, symlinked folders not entered, symlinked files only
when their target lies inside the rootdir); each is then judged by ``stat`` alone. No
evidence file is ever opened, so a FIFO or a device can never hang the gate.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, final

from pytest_graduation import regular_files
from pytest_graduation.repository.walk import RepoTree

#: the empty files a detail names at most
MAX_NAMED: Final = 5
GLOB_MAGIC: Final = frozenset("*?[")

GOOD: Final = "file"
EMPTY: Final = "empty file"
MISSING: Final = "missing"
OUTSIDE: Final = "symlink out of the rootdir"


@final
@dataclass
class GlobEvidence:
    """What one evidence glob found: the files that count, and why none does."""

    glob: str
    files: list[str] = field(default_factory=list)
    problem: str | None = None


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def kind_of(root: str, relpath: str) -> str:
    """What ``relpath`` is, by ``lstat``/``stat`` only: :data:`GOOD` for a regular
    non-empty file inside the rootdir, else why it is not evidence."""
    path = os.path.join(root, relpath)
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return MISSING
    # a symlink anywhere on the way must land inside the rootdir; it is never followed out
    if not _inside(os.path.realpath(path), os.path.realpath(root)):
        return OUTSIDE
    if stat.S_ISLNK(mode):
        try:
            info = os.stat(path)
        except OSError:  # dangling
            return MISSING
    else:
        info = os.lstat(path)
    return _kind(info)


def _kind(info: os.stat_result) -> str:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return GOOD if info.st_size > 0 else EMPTY
    return regular_files.kind_of(mode)


def _named(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MAX_NAMED])
    more = len(paths) - MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def find(tree: RepoTree, glob: str) -> GlobEvidence:
    """The files that are evidence for ``glob`` in ``tree``, or the reason there are none."""
    root = str(tree.root)
    found = GlobEvidence(glob)
    empty: list[str] = []
    for relpath in tree.matching(glob):
        kind = kind_of(root, relpath)
        if kind == GOOD:
            found.files.append(relpath)
        elif kind == EMPTY:
            empty.append(relpath)
    if found.files:
        return found
    if empty:
        found.problem = f"{glob} matches only empty files ({_named(empty)})"
    else:
        found.problem = _why_nothing(tree, glob)
    return found


def _why_nothing(tree: RepoTree, glob: str) -> str:
    """Why a glob found no file. A glob without wildcards names one path, which may
    exist as something that is not evidence: say what it is."""
    if GLOB_MAGIC.isdisjoint(glob):
        kind = kind_of(str(tree.root), glob)
        if kind == OUTSIDE:
            return f"{glob} is a {OUTSIDE}"
        if kind not in (MISSING, GOOD, EMPTY):
            return f"{glob} is a {kind}, not a regular file"
        if kind != MISSING and tree.hides(glob):
            return f"{glob} lies in what `exclude` skips"
    return f"no file matches {glob}"
