"""``goldens.lock`` at the rootdir: the sha256 of every frozen golden file.

Format (sorted keys, 2-space indent, final newline)::

    {
      "goldens": {
        "tests/golden/test_render/test_page.txt": "<sha256 hex>"
      },
      "version": 1
    }

Paths are relative to the rootdir with ``/`` separators. Only the serial process
or the xdist controller writes it. It is read only when it is a regular file of at
most :data:`MAX_LOCK_BYTES` (a symlink to ``/dev/zero`` must not exhaust memory).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pytest_graduation.atomic import write_atomic
from pytest_graduation.regular_files import NotAFile, read_regular

LOCK_NAME: Final = "goldens.lock"
VERSION: Final = 1
#: an entry takes about 150 bytes: room for some 200,000 frozen goldens
MAX_LOCK_BYTES: Final = 32 * 1024 * 1024
_SHA256: Final = re.compile(r"[0-9a-f]{64}\Z")


class LockError(Exception):
    """``goldens.lock`` exists but cannot be used."""


def lock_path(rootdir: Path) -> Path:
    return rootdir / LOCK_NAME


def read_lock(rootdir: Path) -> dict[str, str] | None:
    """The entries of ``goldens.lock``; ``None`` when there is no lock file."""
    path = lock_path(rootdir)
    try:
        text = read_regular(path, MAX_LOCK_BYTES).decode("utf-8")
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        raise LockError(f"{path}: is a {exc.kind}, not a regular file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"{path}: cannot read: {exc}") from None
    try:
        document: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise LockError(f"{path}: invalid JSON: {exc}") from None
    goldens = document.get("goldens") if isinstance(document, dict) else None
    if not isinstance(goldens, dict) or document.get("version") != VERSION:
        raise LockError(
            f'{path}: expected {{"goldens": {{path: sha256, ...}}, "version": {VERSION}}}'
        )
    for key, value in goldens.items():
        if not isinstance(value, str) or not _SHA256.match(value):
            raise LockError(f"{path}: entry {key!r}: expected a sha256 hex digest, got {value!r}")
    return dict(goldens)


def write_lock(rootdir: Path, entries: Mapping[str, str]) -> None:
    document = {"goldens": dict(sorted(entries.items())), "version": VERSION}
    text = json.dumps(document, sort_keys=True, indent=2) + "\n"
    write_atomic(lock_path(rootdir), text.encode("utf-8"))
