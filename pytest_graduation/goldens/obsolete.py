"""Finding golden files that no test used.

A module's golden folder is judged only when the module was collected whole and
every collected test of it ran; files whose name starts with the file-name stem of
a test that did not pass are kept (a failing or skipped test may not have reached
all its checks). A golden folder beside collected test modules whose own module
(``<stem>.py``) no longer exists is obsolete as a whole. Folders and files whose
names start with ``.`` are ignored.

Works from fact streams alone, so the xdist controller and ``merge`` of shard
reports judge exactly like a serial run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

from pytest_graduation.goldens.paths import golden_root, inside, module_folder, relative
from pytest_graduation.goldens.state import MODULES_STREAM, TESTS_STREAM, USED_STREAM


@final
@dataclass
class Scan:
    """The outcome of a search: paths relative to the rootdir, sorted."""

    obsolete: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    #: golden folders whose test module is gone (emptied by --update-goldens)
    orphan_folders: list[Path] = field(default_factory=list)
    #: folders judged as a whole (removed once empty)
    folders: list[Path] = field(default_factory=list)


def absolute(rel: str, rootdir: Path) -> Path:
    path = Path(rel)
    return path if path.is_absolute() else rootdir / path


def golden_files(folder: Path) -> list[Path]:
    """Regular files (and symlinks) directly in ``folder``, dotfiles excluded."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        entry
        for entry in entries
        if not entry.name.startswith(".") and (entry.is_symlink() or entry.is_file())
    ]


def _modules(facts: Mapping[str, Sequence[Any]]) -> dict[str, tuple[bool, set[str]]]:
    modules: dict[str, tuple[bool, set[str]]] = {}
    for entry in facts.get(MODULES_STREAM, ()):
        complete, items = modules.get(entry["module"], (True, set()))
        modules[entry["module"]] = (
            complete and bool(entry["complete"]),
            items | set(entry["items"]),
        )
    return modules


def scan(facts: Mapping[str, Sequence[Any]], rootdir: Path, golden_dir: str) -> Scan:
    result = Scan()
    passed: dict[str, bool] = {}
    stems: dict[str, str] = {}
    for entry in facts.get(TESTS_STREAM, ()):
        nodeid = entry["nodeid"]
        passed[nodeid] = passed.get(nodeid, True) and bool(entry["passed"])
        stems[nodeid] = entry["stem"]
    used = {entry["path"] for entry in facts.get(USED_STREAM, ())}
    modules = _modules(facts)
    for module, (complete, items) in sorted(modules.items()):
        module_path = absolute(module, rootdir)
        if not complete or any(nodeid not in passed for nodeid in items):
            result.unjudged.append(module)
            continue
        folder = module_folder(module_path, golden_dir)
        if folder.exists() and not inside(golden_root(module_path, golden_dir), folder):
            result.unjudged.append(module)  # a symlink out of the golden folder
            continue
        result.judged.append(module)
        result.folders.append(folder)
        kept = tuple(stems[nodeid] + "." for nodeid in items if not passed[nodeid])
        for path in golden_files(folder):
            rel = relative(path, rootdir)
            if rel not in used and not (kept and path.name.startswith(kept)):
                result.obsolete.append(rel)
    for test_dir in sorted({absolute(module, rootdir).parent for module in modules}):
        root = test_dir / golden_dir
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (
                folder.name.startswith(".")
                or not folder.is_dir()
                or (test_dir / f"{folder.name}.py").exists()
                or not inside(root, folder)
            ):
                continue
            result.orphan_folders.append(folder)
            result.obsolete.extend(relative(path, rootdir) for path in golden_files(folder))
    result.obsolete.sort()
    return result
