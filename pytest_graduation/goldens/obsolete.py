"""Finding golden files that no test used, and which of them may be deleted.

A module's golden folder is judged only when the module was collected whole and
every collected test of it ran; files whose name starts with the file-name stem of
a test that did not pass are kept (a failing or skipped test may not have reached
all its checks). A golden folder beside collected test modules whose own module
(``<stem>.py``) no longer exists is obsolete as a whole. Folders and files whose
names start with ``.`` are ignored.

Files are compared by real path (symlinks resolved): two golden folders may be
symlinks to one target, and a file that any module used or wrote in this run is
never obsolete. A real folder reached from several module folders is judged only
when every one of those modules was. Obsolete files that ``--update-goldens`` must
leave alone are listed with the reason in :attr:`Scan.kept`: anything but a regular
file, anything under a golden folder that resolves outside the rootdir, and orphan
folders under a symlinked golden folder (test folders outside this run may share it).

Works from fact streams alone, so the xdist controller and ``merge`` of shard
reports judge exactly like a serial run.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

from pytest_graduation.goldens.paths import (
    absolute,
    golden_root,
    inside,
    module_folder,
    real_path,
    real_paths,
    relative,
)
from pytest_graduation.goldens.state import MODULES_STREAM, TESTS_STREAM, USED_STREAM
from pytest_graduation.regular_files import kind_of

__all__ = ["Scan", "absolute", "deletable", "golden_files", "scan"]

SHARED = "it lies in a symlinked golden folder that test folders outside this run may share"


@final
@dataclass
class Scan:
    """The outcome of a search: paths relative to the rootdir, sorted."""

    obsolete: list[str] = field(default_factory=list)
    #: obsolete files that must never be deleted, with the reason
    kept: dict[str, str] = field(default_factory=dict)
    judged: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    #: golden folders not judged for another reason than a partial run → the reason
    set_aside: dict[str, str] = field(default_factory=dict)
    #: golden folders whose test module is gone (emptied by --update-goldens)
    orphan_folders: list[Path] = field(default_factory=list)
    #: folders judged as a whole (removed once empty)
    folders: list[Path] = field(default_factory=list)


@final
@dataclass(frozen=True)
class _Entry:
    """A folder ``<golden_dir>/<stem>/`` found beside some test folder."""

    root: Path
    folder: Path
    module: str  # the test module it belongs to, relative to the rootdir
    module_exists: bool


def golden_files(folder: Path) -> list[Path]:
    """Entries directly in ``folder`` that are not folders, dotfiles excluded."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [entry for entry in entries if not entry.name.startswith(".") and not _is_dir(entry)]


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def deletable(path: Path, root: Path, rootdir: Path) -> str | None:
    """None when ``path`` (in a folder under the golden folder ``root``) may be
    deleted; otherwise why not."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot inspect it: {exc}"
    if not stat.S_ISREG(mode):
        return f"it is a {kind_of(mode)}, not a regular file"
    if not inside(root, path.parent):
        return "it lies outside its golden folder"
    home = real_path(rootdir)
    real_root = real_path(root)
    if real_root != home and home not in real_root.parents:
        return f"its golden folder resolves to {real_root}, outside the rootdir"
    return None


def _tests(facts: Mapping[str, Sequence[Any]]) -> tuple[dict[str, bool], dict[str, str]]:
    passed: dict[str, bool] = {}
    stems: dict[str, str] = {}
    for entry in facts.get(TESTS_STREAM, ()):
        nodeid = entry["nodeid"]
        passed[nodeid] = passed.get(nodeid, True) and bool(entry["passed"])
        stems[nodeid] = entry["stem"]
    return passed, stems


def _modules(facts: Mapping[str, Sequence[Any]]) -> dict[str, tuple[bool, set[str]]]:
    modules: dict[str, tuple[bool, set[str]]] = {}
    for entry in facts.get(MODULES_STREAM, ()):
        complete, items = modules.get(entry["module"], (True, set()))
        modules[entry["module"]] = (
            complete and bool(entry["complete"]),
            items | set(entry["items"]),
        )
    return modules


def _entries(test_dirs: set[Path], rootdir: Path, golden_dir: str) -> list[_Entry]:
    found = []
    for test_dir in sorted(test_dirs):
        root = test_dir / golden_dir
        try:
            folders = sorted(root.iterdir())
        except OSError:  # no golden folder here (or a file, or unreadable)
            continue
        for folder in folders:
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            module = test_dir / f"{folder.name}.py"
            found.append(_Entry(root, folder, relative(module, rootdir), module.exists()))
    return found


def _is_symlinked(root: Path) -> bool:
    """Whether the golden folder ``root`` is itself reached through a symlink."""
    return real_path(root) != real_path(root.parent) / root.name


class _Judge:
    """One search: which files of which real folders are obsolete."""

    def __init__(self, facts: Mapping[str, Sequence[Any]], rootdir: Path, golden_dir: str):
        self.rootdir = rootdir
        self.golden_dir = golden_dir
        self.result = Scan()
        self.passed, self.stems = _tests(facts)
        self.used = set(real_paths((e["path"] for e in facts.get(USED_STREAM, ())), rootdir))
        self.modules = _modules(facts)
        self.seen: set[Path] = set()  # real paths of files already listed

    def run(self) -> Scan:
        # real module folder -> [(module, lexical folder, kept name prefixes)]
        candidates: dict[Path, list[tuple[str, Path, tuple[str, ...]]]] = {}
        blocked: set[Path] = set()
        for module, (complete, items) in sorted(self.modules.items()):
            module_path = absolute(module, self.rootdir)
            folder = module_folder(module_path, self.golden_dir)
            if not complete or any(nodeid not in self.passed for nodeid in items):
                self.result.unjudged.append(module)
                blocked.add(real_path(folder))
            elif folder.exists() and not inside(golden_root(module_path, self.golden_dir), folder):
                self.result.set_aside[relative(folder, self.rootdir)] = (
                    "it resolves outside its golden folder"
                )
            else:
                kept = tuple(self.stems[n] + "." for n in items if not self.passed[n])
                candidates.setdefault(real_path(folder), []).append((module, folder, kept))
        test_dirs = {absolute(module, self.rootdir).parent for module in self.modules}
        entries = _entries(test_dirs, self.rootdir, self.golden_dir)
        judged_modules = {module for group in candidates.values() for module, _, _ in group}
        live = set(candidates) | blocked
        for entry in entries:
            if entry.module_exists:
                live.add(real_path(entry.folder))
                if entry.module not in judged_modules:  # shares a folder with a module not run
                    blocked.add(real_path(entry.folder))
        for real, group in sorted(candidates.items()):
            self._judge_module_folder(real, group, blocked)
        for entry in entries:
            if not entry.module_exists and real_path(entry.folder) not in live:
                self._judge_orphan(entry)
        self.result.obsolete.sort()
        return self.result

    def _judge_module_folder(
        self, real: Path, group: list[tuple[str, Path, tuple[str, ...]]], blocked: set[Path]
    ) -> None:
        if real in blocked:
            self.result.unjudged.extend(module for module, _, _ in group)
            self.result.unjudged.sort()
            return
        self.result.judged.extend(module for module, _, _ in group)
        module, folder, _ = group[0]
        kept = tuple(prefix for _, _, prefixes in group for prefix in prefixes)
        self.result.folders.append(folder)
        root = golden_root(absolute(module, self.rootdir), self.golden_dir)
        for path in golden_files(folder):
            if not (kept and path.name.startswith(kept)):
                self._consider(path, real, root, None)

    def _judge_orphan(self, entry: _Entry) -> None:
        if not inside(entry.root, entry.folder):
            self.result.set_aside[relative(entry.folder, self.rootdir)] = (
                "it resolves outside its golden folder"
            )
            return
        self.result.orphan_folders.append(entry.folder)
        shared = SHARED if _is_symlinked(entry.root) else None
        real_folder = real_path(entry.folder)
        for path in golden_files(entry.folder):
            self._consider(path, real_folder, entry.root, shared)

    def _consider(
        self, path: Path, real_folder: Path, root: Path, keep_because: str | None
    ) -> None:
        real = real_folder / path.name  # the entry itself, even when it is a symlink
        if real in self.seen or real in self.used:
            return
        if path.is_symlink() and real_path(path) in self.used:
            return
        self.seen.add(real)
        rel = relative(path, self.rootdir)
        self.result.obsolete.append(rel)
        reason = deletable(path, root, self.rootdir) or keep_because
        if reason:
            self.result.kept[rel] = reason


def scan(facts: Mapping[str, Sequence[Any]], rootdir: Path, golden_dir: str) -> Scan:
    return _Judge(facts, rootdir, golden_dir).run()
