"""Reading and atomically writing golden files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pytest_graduation.atomic import write_atomic

__all__ = ["read", "sha256_of", "write_atomic"]


def read(path: Path) -> bytes | None:
    """The bytes of ``path``, or ``None`` when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise OSError(f"golden path {path} is a directory, not a file") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
