"""Where golden files live, and the names that keep them inside their folder.

Layout: ``<test file dir>/<golden_dir>/<test module stem>/<test>[.<name>]<suffix>``.
``<test>`` is the test's name below its module (classes joined with ``.``, the
parametrize id kept), made safe for Linux, macOS and Windows file systems.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import pytest

#: characters kept as they are in the test part of a file name
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.\-\[\]]")
NAME: Final = re.compile(r"[A-Za-z0-9_.-]+\Z")
MAX_NAME: Final = 100
MAX_STEM: Final = 120
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


class UnsafePath(Exception):
    """A golden path that would leave its golden folder (through a symlink)."""


def validate_name(name: object) -> str:
    """``name`` if it is a plain golden name, else ``ValueError`` saying why."""
    __tracebackhide__ = True
    if not isinstance(name, str):
        raise TypeError(f"golden name must be a str, got {type(name).__name__}")
    problem = None
    if not name:
        problem = "it is empty"
    elif ".." in name:
        problem = "it contains '..'"
    elif "/" in name or "\\" in name:
        problem = "it contains a path separator"
    elif not NAME.match(name):
        problem = "only letters, digits, '_', '-' and '.' are allowed"
    elif len(name) > MAX_NAME:
        problem = f"it is longer than {MAX_NAME} characters"
    if problem:
        raise ValueError(f"invalid golden name {name!r}: {problem}")
    return name


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_stem(test_name: str) -> str:
    """``test_name`` (e.g. ``TestA.test_b[1-x/y]``) as a portable file name part.

    Unsafe characters become ``_``; whenever anything had to change (characters,
    length, a Windows device name, a leading/trailing dot) a short hash of the
    original is appended, so distinct tests never share a file.
    """
    safe = _UNSAFE.sub("_", test_name)
    changed = safe != test_name
    if safe.startswith(".") or safe.endswith("."):
        safe = safe.strip(".") or "_"
        changed = True
    if safe.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
        safe = "_" + safe
        changed = True
    if len(safe) > MAX_STEM:
        safe = safe[: MAX_STEM - 9]
        changed = True
    return f"{safe}-{_digest(test_name)}" if changed else safe


def test_name(item: pytest.Item) -> str:
    """The item's name below its file: ``test_f[id]`` or ``TestA.test_m[id]``."""
    names: list[str] = []
    for node in item.listchain():
        if isinstance(node, pytest.File):
            names = []
        elif node is not item.session:
            names.append(node.name)
    return ".".join(names) or item.name


def test_stem(item: pytest.Item) -> str:
    return safe_stem(test_name(item))


def golden_root(test_file: Path, golden_dir: str) -> Path:
    """The golden folder beside a test file."""
    return test_file.parent / golden_dir


def module_folder(test_file: Path, golden_dir: str) -> Path:
    """The folder of one test module's goldens."""
    return golden_root(test_file, golden_dir) / test_file.stem


def file_name(stem: str, label: str | None, suffix: str) -> str:
    return f"{stem}.{label}{suffix}" if label else f"{stem}{suffix}"


def absolute(rel: str, rootdir: Path) -> Path:
    """A path from the facts or ``goldens.lock`` (relative to ``rootdir``) as a path."""
    path = Path(rel)
    return path if path.is_absolute() else rootdir / path


def real_path(path: Path) -> Path:
    """``path`` with every symlink resolved; never raises (a symlink loop or a name
    the OS refuses gives the absolute path as it is)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def real_paths(rels: Iterable[str], rootdir: Path) -> Iterator[Path]:
    for rel in rels:
        yield real_path(absolute(rel, rootdir))


def inside(root: Path, target: Path) -> bool:
    """Whether ``target``, symlinks resolved, stays within ``root`` (also resolved)."""
    resolved_root = real_path(root)
    resolved = real_path(target)
    return resolved == resolved_root or resolved_root in resolved.parents


def ensure_inside(root: Path, target: Path) -> Path:
    """``target`` if it stays within ``root`` once symlinks are resolved, else
    :class:`UnsafePath`."""
    if not inside(root, target):
        raise UnsafePath(
            f"golden path {target} resolves to {real_path(target)}, outside the golden "
            f"folder {real_path(root)}; refusing to read or write it"
        )
    return target


def relative(path: Path, rootdir: Path) -> str:
    """``path`` relative to ``rootdir`` with ``/`` separators (absolute if outside)."""
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return path.as_posix()
