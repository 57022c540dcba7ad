"""``pytest --freeze-api``: write ``api.lock`` from the current code.

The lock is written atomically, only as a regular file below the rootdir, and the
result says what changed against the old lock so the run can print it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import final

from pytest_graduation.api import INSTALL_HINT
from pytest_graduation.api.settings import ApiSettings


class FreezeError(Exception):
    """The lock cannot be written; nothing was changed."""


@final
@dataclass
class FreezeResult:
    lock: str
    recorded: int
    added: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    #: why nothing was compared ("no previous lock", "previous lock unreadable: ...")
    note: str = ""

    def summary_lines(self) -> list[str]:
        """What to print: a count line, then each addition and breakage."""
        head = f"{self.lock}: {self.recorded} objects recorded"
        if self.note:
            return [f"{head} ({self.note})"]
        lines = [f"{head} ({len(self.added)} added, {len(self.broken)} broken)"]
        lines += [f"  added: {line}" for line in self.added]
        lines += [f"  broken: {line}" for line in self.broken]
        return lines


def freeze(rootdir: Path, settings: ApiSettings) -> FreezeResult:
    """Record the public API of ``settings.packages`` in ``settings.lock``."""
    from pytest_graduation.api.criteria import griffe_available

    if not griffe_available():
        raise FreezeError(f"--freeze-api needs griffe: {INSTALL_HINT}")
    from pytest_graduation.api.compare import compare
    from pytest_graduation.api.lockfile import LockError, read_lock, write_lock
    from pytest_graduation.api.surface import ApiLoadError, load_surface

    path = _lock_path(rootdir, settings.lock)
    try:
        surface = load_surface(rootdir, settings)
    except ApiLoadError as exc:
        raise FreezeError(str(exc)) from None
    result = FreezeResult(settings.lock, len(surface.entries))
    try:
        old = read_lock(path)
    except LockError as exc:
        if not (path.is_file() or not path.exists()):
            raise FreezeError(f"{exc}: remove it first") from None
        old, result.note = None, f"previous lock unreadable, replaced: {exc}"
    if old is None and not result.note:
        result.note = "new lock"
    if old is not None:
        found = compare(old, surface)
        result.added = found.additions
        result.broken = [f"{name}: package no longer configured" for name in found.dropped]
        result.broken += found.breakages
    try:
        write_lock(path, surface.packages, surface.entries)
    except OSError as exc:  # permission lost, disk full: the old lock stays whole
        raise FreezeError(f"cannot write {settings.lock}: {exc}") from None
    return result


def _lock_path(rootdir: Path, lock: str) -> Path:
    # settings already refuse absolute paths and "..": this catches a symlinked
    # folder that would carry the write out of the project
    path = rootdir / lock
    home = os.path.realpath(rootdir)
    folder = os.path.realpath(path.parent)
    if os.path.commonpath([home, folder]) != home:
        raise FreezeError(f"{lock}: its folder resolves outside the rootdir ({folder})")
    return path
