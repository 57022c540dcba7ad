"""Reading and atomically writing golden files.

Reads are bounded: a path is opened only when it is a regular file, because a
device (``/dev/zero``), a FIFO or a folder where a file is expected would hang the
run or exhaust memory. The check is made with :func:`os.stat` before opening and
again with :func:`os.fstat` on the opened descriptor (opened non-blocking, so a
FIFO swapped in between cannot block), which closes the race between the two.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pytest_graduation.atomic import write_atomic

__all__ = ["NotAFile", "NotAFolder", "kind_of", "read", "read_bounded", "sha256_of", "write_atomic"]

_BLOCK = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotAFile(OSError):
    """Something other than a regular file (a folder, FIFO, device, ...) is where a
    file is expected."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is a {kind}, not a regular file")
        self.path = path
        self.kind = kind


class NotAFolder(OSError):
    """A file (or anything but a folder) is where a folder of goldens belongs."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is a file, not a folder")
        self.path = path


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


def _require_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotAFile(path, kind_of(mode))


@contextlib.contextmanager
def _open_regular(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading when it is a regular file, else ``NotAFile``."""
    _require_regular(path, os.stat(path).st_mode)
    fd = os.open(path, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as stream:
        _require_regular(path, os.fstat(stream.fileno()).st_mode)
        yield stream


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; ``NotAFile`` for anything else,
    ``OSError`` when it holds more than ``limit`` bytes."""
    with _open_regular(path) as stream:
        # one read: a large golden is held once in memory, not as blocks plus a join
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise OSError(f"{path} is larger than the {limit} byte limit")
    return data


def read(path: Path) -> bytes | None:
    """The bytes of the golden file ``path``, or ``None`` when it does not exist.

    ``NotAFile`` when something else is there; ``NotAFolder`` when a file stands
    where one of the folders above it belongs."""
    try:
        return read_bounded(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise NotAFolder(blocking_parent(path)) from None


def blocking_parent(path: Path) -> Path:
    """The nearest folder above ``path`` that is in fact not a folder."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return path.parent


def sha256_of(path: Path) -> str:
    """The sha256 of the regular file ``path`` (``NotAFile`` for anything else)."""
    digest = hashlib.sha256()
    with _open_regular(path) as stream:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
