"""Reading files that may not be files: goldens, locks, baselines, shard reports.

Every input the plugin reads from disk may be something else where a file is
expected: a folder, a FIFO (opening it blocks until a writer comes), a device
(``/dev/zero`` never ends). A path is opened only when :func:`os.stat` says it is a
regular file, non-blocking (a FIFO swapped in after the check cannot block the
open), and checked again with :func:`os.fstat` on the opened descriptor, which
closes the race between the two. Reads are bounded by a limit the caller names, so
a huge file is cut off, never held whole.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["NotAFile", "TooLarge", "kind_of", "open_regular", "read_regular", "require_regular"]

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotAFile(OSError):
    """Something other than a regular file (a folder, FIFO, device, ...) is where a
    file is expected; ``kind`` names it (:func:`kind_of`)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is a {kind}, not a regular file")
        self.path = path
        self.kind = kind


class TooLarge(OSError):
    """A regular file holds more than the reader's limit of ``limit`` bytes; ``size``
    is its size when the file system told it before reading."""

    def __init__(self, path: Path, limit: int, size: int | None = None) -> None:
        super().__init__(f"{path} is larger than the {limit} byte limit")
        self.path = path
        self.limit = limit
        self.size = size


def kind_of(mode: int) -> str:
    """A readable name for the file type in ``mode`` (from :func:`os.stat`)."""
    for test, name in (
        (stat.S_ISREG, "regular file"),
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISLNK, "symlink"),
    ):
        if test(mode):
            return name
    return "special file"


def require_regular(path: Path, mode: int) -> None:
    """``NotAFile`` unless ``mode`` is that of a regular file."""
    if not stat.S_ISREG(mode):
        raise NotAFile(path, kind_of(mode))


@contextlib.contextmanager
def open_regular(path: Path, limit: int | None = None) -> Iterator[BinaryIO]:
    """``path`` opened for reading when it is a regular file, else ``NotAFile``;
    ``TooLarge`` at once when its size is already over ``limit``."""
    info = os.stat(path)
    require_regular(path, info.st_mode)
    if limit is not None and info.st_size > limit:
        raise TooLarge(path, limit, info.st_size)
    fd = os.open(path, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as stream:
        require_regular(path, os.fstat(stream.fileno()).st_mode)
        yield stream


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``: ``NotAFile`` for anything else,
    ``TooLarge`` when it holds more than ``limit`` bytes (even if it grew while
    being read), ``FileNotFoundError`` and other ``OSError`` as the system says."""
    with open_regular(path, limit) as stream:
        # one read: a large file is held once in memory, not as blocks plus a join
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise TooLarge(path, limit)
    return data
