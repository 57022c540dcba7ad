"""``api.lock``: the public API as canonical, sorted JSON.

Format (sorted keys, 2-space indent, final newline)::

    {
      "api": {
        "mypkg": {"kind": "module"},
        "mypkg.greet": {"kind": "function", "labels": [], "parameters": [...], "returns": "str"}
      },
      "packages": ["mypkg"],
      "version": 1
    }

Reads are bounded: only a regular file of at most :data:`MAX_LOCK_BYTES` is read,
opened without blocking, so a FIFO or a device in its place is an error, never a
hang. Every entry is checked against the schema before griffe objects are rebuilt
from it, so a hand-edited lock cannot crash the criterion or mean something else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, final

from pytest_graduation.api.surface import KINDS
from pytest_graduation.atomic import write_atomic
from pytest_graduation.regular_files import NotAFile, TooLarge, read_regular

VERSION: Final = 1
MAX_LOCK_BYTES: Final = 32 * 1024 * 1024
PARAMETER_KINDS: Final = (
    "positional-only",
    "positional or keyword",
    "variadic positional",
    "keyword-only",
    "variadic keyword",
)
#: the keys each kind of entry has, besides "kind"
_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "module": frozenset(),
    "class": frozenset({"bases", "labels"}),
    "function": frozenset({"labels", "parameters", "returns"}),
    "attribute": frozenset({"annotation", "labels"}),
    "type alias": frozenset({"value"}),
    "alias": frozenset({"target"}),
}
_PARAMETER_FIELDS: Final = frozenset({"annotation", "default", "kind", "name"})


class LockError(Exception):
    """The lock exists but cannot be used; the message names the file and the problem."""


@final
@dataclass(frozen=True)
class ApiLock:
    packages: tuple[str, ...]
    entries: Mapping[str, Mapping[str, Any]]


def render(packages: tuple[str, ...], entries: Mapping[str, Mapping[str, Any]]) -> str:
    """The lock's text: canonical, so equal APIs give byte-equal files."""
    document = {"api": dict(entries), "packages": sorted(packages), "version": VERSION}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_lock(path: Path, packages: tuple[str, ...], entries: Mapping[str, Any]) -> None:
    write_atomic(path, render(packages, entries).encode("utf-8"))


def read_lock(path: Path) -> ApiLock | None:
    """The lock at ``path``; ``None`` when there is none."""
    data = _read_bounded(path)
    if data is None:
        return None
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise LockError(f"{path}: invalid JSON: {exc}") from None
    return parse_lock(document, str(path))


def _read_bounded(path: Path) -> bytes | None:
    try:
        return read_regular(path, MAX_LOCK_BYTES)
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        raise LockError(f"{path}: not a regular file (a {exc.kind})") from None
    except TooLarge:
        raise LockError(f"{path}: larger than the {MAX_LOCK_BYTES} byte limit") from None
    except OSError as exc:
        raise LockError(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_lock(document: object, where: str) -> ApiLock:
    """Check a decoded lock against the schema."""
    expected = f'expected {{"api": {{...}}, "packages": [...], "version": {VERSION}}}'
    if not isinstance(document, dict) or set(document) != {"api", "packages", "version"}:
        raise LockError(f"{where}: {expected}")
    if document["version"] != VERSION or isinstance(document["version"], bool):
        raise LockError(f"{where}: unsupported version {document['version']!r} (expected 1)")
    packages = document["packages"]
    if not isinstance(packages, list) or not all(_name(p) for p in packages) or not packages:
        raise LockError(f"{where}: packages: expected a non-empty array of import names")
    entries = document["api"]
    if not isinstance(entries, dict):
        raise LockError(f"{where}: api: {expected}")
    for path, entry in entries.items():
        problem = _entry_problem(path, entry, entries, packages)
        if problem:
            raise LockError(f"{where}: api entry {path!r}: {problem}")
    for package in packages:
        if entries.get(package, {}).get("kind") != "module":
            raise LockError(f"{where}: package {package!r} has no module entry")
    return ApiLock(tuple(packages), entries)


def _name(value: object) -> bool:
    return isinstance(value, str) and all(p.isidentifier() for p in value.split("."))


def _entry_problem(
    path: str, entry: object, entries: Mapping[str, Any], packages: list[str]
) -> str | None:
    if not _name(path):
        return "not a dotted name"
    if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
        return f"expected an object with a kind ({', '.join(KINDS)})"
    kind = entry["kind"]
    if set(entry) != {"kind", *_FIELDS[kind]}:
        return f"a {kind} has exactly the keys {', '.join(sorted({'kind', *_FIELDS[kind]}))}"
    if path not in packages:
        parent = entries.get(path.rpartition(".")[0])
        if not isinstance(parent, dict) or parent.get("kind") not in ("module", "class"):
            return "its parent is not a module or class entry"
    if not all(_string_list(entry.get(key, [])) for key in ("labels", "bases")):
        return "labels and bases must be arrays of strings"
    if any(not _optional_text(entry.get(key)) for key in ("annotation", "returns", "value")):
        return "annotation, returns and value must be strings or null"
    if kind == "alias" and not _name(entry["target"]):
        return "target must be a dotted name"
    if kind == "function":
        return _parameters_problem(entry["parameters"])
    return None


def _parameters_problem(parameters: object) -> str | None:
    if not isinstance(parameters, list):
        return "parameters must be an array"
    for index, parameter in enumerate(parameters):
        ok = (
            isinstance(parameter, dict)
            and set(parameter) == _PARAMETER_FIELDS
            and isinstance(parameter["name"], str)
            and bool(parameter["name"])
            and parameter["kind"] in PARAMETER_KINDS
            and _optional_text(parameter["annotation"])
            and _optional_text(parameter["default"])
        )
        if not ok:
            return (
                f"parameters[{index}]: expected {{annotation, default, kind, name}} "
                f"with kind one of {', '.join(PARAMETER_KINDS)}"
            )
    return None


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)
