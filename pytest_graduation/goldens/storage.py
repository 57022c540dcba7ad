"""Reading and atomically writing golden files.

Reads go through :mod:`pytest_graduation.regular_files`: a path is opened only when
it is a regular file, because a device (``/dev/zero``), a FIFO or a folder where a
golden is expected would hang the run or exhaust memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pytest_graduation.atomic import write_atomic
from pytest_graduation.regular_files import open_regular, read_regular

__all__ = ["NotAFolder", "read", "sha256_of", "write_atomic"]

_BLOCK = 1 << 20


class NotAFolder(OSError):
    """A file (or anything but a folder) is where a folder of goldens belongs."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is a file, not a folder")
        self.path = path


def read(path: Path) -> bytes | None:
    """The bytes of the golden file ``path``, or ``None`` when it does not exist.

    ``NotAFile`` when something else is there; ``NotAFolder`` when a file stands
    where one of the folders above it belongs."""
    try:
        return read_regular(path)
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
    with open_regular(path) as stream:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
