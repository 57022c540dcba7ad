"""The public API of the configured packages, read statically with griffe.

:func:`load_surface` loads the packages (the code is never imported) and turns
them into a flat, canonical description, one entry per public object path::

    "mypkg.Client.get": {"kind": "function", "labels": [],
                         "parameters": [{"annotation": "str", "default": null,
                                         "kind": "positional or keyword", "name": "url"}],
                         "returns": "Response"}

What is public is griffe's decision (``is_public``: ``__all__``, leading
underscores, imports). Re-exports are followed to their target, so an object
defined in a private module and exported from the package is described at its
public path. Nothing in an entry depends on where the code lives: no file, no
line, no docstring, no private name -- those are kept apart in ``locations`` for
messages only.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from pytest_graduation.api.settings import ApiSettings

if TYPE_CHECKING:
    import griffe

#: what a lock entry's "kind" may be
KINDS: Final = ("module", "class", "function", "attribute", "type alias", "alias")
#: kinds whose docstrings ``api_documented`` counts (a property counts as a method)
DOCUMENTED_KINDS: Final = frozenset({"module", "class", "function"})


class ApiLoadError(Exception):
    """A configured package cannot be found or parsed; the message names it."""


@final
@dataclass(frozen=True)
class Location:
    """Where an object is defined, relative to the rootdir (for messages only)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@final
@dataclass(frozen=True)
class Documentable:
    """A public module, class, function or method, and whether it has a docstring."""

    path: str
    location: Location
    documented: bool


@final
@dataclass
class Surface:
    """The public API of the packages: canonical entries plus where each one lives."""

    packages: tuple[str, ...]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    documentables: list[Documentable] = field(default_factory=list)

    def location_of(self, path: str) -> Location | None:
        """The location of ``path`` or of its nearest ancestor that still exists."""
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path.rpartition(".")[0]
        return None


def load_surface(rootdir: Path, settings: ApiSettings) -> Surface:
    """Load every configured package and describe its public API."""
    roots = load_packages(rootdir, settings)
    return describe_roots(roots, rootdir, settings.packages)


def load_packages(rootdir: Path, settings: ApiSettings) -> dict[str, griffe.Object]:
    """The griffe object of each package; :class:`ApiLoadError` names what failed."""
    import griffe

    search = [rootdir / folder for folder in settings.search]
    loader = griffe.GriffeLoader(search_paths=search, allow_inspection=False, store_source=False)
    roots: dict[str, griffe.Object] = {}
    with _quiet():
        for name in settings.packages:
            roots[name] = _load_one(loader, name, rootdir, settings)
        try:
            loader.resolve_aliases(implicit=False, external=False)
        except Exception as exc:  # griffe bug or pathological code: name it, never crash
            raise ApiLoadError(f"griffe cannot resolve the imports: {_error(exc)}") from None
    return roots


def _load_one(
    loader: griffe.GriffeLoader, name: str, rootdir: Path, settings: ApiSettings
) -> griffe.Object:
    import griffe

    try:
        loaded = loader.load(name, try_relative_path=False)
    except ModuleNotFoundError:
        folders = ", ".join(settings.search)
        where = f"{folders} (relative to {rootdir})"
        raise ApiLoadError(f"{name}: package not found in {where}") from None
    except Exception as exc:  # LoadingError (syntax error, bad encoding) and griffe's own bugs
        raise ApiLoadError(f"{name}: griffe cannot parse it: {_error(exc)}") from None
    if isinstance(loaded, griffe.Alias):  # "pkg.name" naming an imported object
        raise ApiLoadError(f"{name}: not a package or module")
    problems = list(_unparsed_submodules(loader, loaded, rootdir))
    if problems:
        raise ApiLoadError(f"{name}: griffe cannot parse {'; '.join(problems)}")
    return loaded


def _unparsed_submodules(
    loader: griffe.GriffeLoader, top: griffe.Object, rootdir: Path
) -> Iterator[str]:
    # griffe skips a submodule it cannot parse with only a debug log line; its
    # objects would silently vanish from the API, so every file griffe meant to
    # load and did not is parsed again here to name the problem.
    loaded = {_path_key(m.filepath) for m in _modules(top) if isinstance(m.filepath, Path)}
    if not top.is_module:
        return
    for parts, path in loader.finder.submodules(top):  # type: ignore[arg-type]
        if path.suffix != ".py" or any("." in part for part in parts):
            continue
        if _path_key(path) in loaded:
            continue
        problem = _parse_problem(path)
        if problem:
            yield f"{_relative(path, rootdir)}: {problem}"


def _modules(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for module in obj.modules.values():
        if not module.is_alias:
            yield from _modules(module)


def _path_key(path: Path) -> str:
    return os.path.realpath(path)


def _parse_problem(path: Path) -> str | None:
    try:
        # parsed only, never compiled to code (the security scan allows compile()
        # in the compile criterion alone)
        ast.parse(path.read_bytes(), str(path))
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError, RecursionError, MemoryError) as exc:
        return f"cannot read: {_error(exc)}"
    return None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # griffe logs tracebacks for packages it cannot load; the criterion reports
    # those itself, so they must not also land in the user's log output.
    griffe_logger = logging.getLogger("griffe")
    was_disabled = griffe_logger.disabled
    griffe_logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        griffe_logger.disabled = was_disabled


def _error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


@functools.lru_cache(maxsize=4096)  # one call per public object, one file per module
def _relative(path: Path | str, rootdir: Path) -> str:
    try:
        return Path(os.path.relpath(path, rootdir)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


# --- the description -----------------------------------------------------------------


def describe_roots(
    roots: Mapping[str, griffe.Object], rootdir: Path | None, packages: tuple[str, ...]
) -> Surface:
    """Describe loaded (or rebuilt) package trees; ``rootdir`` ``None`` skips locations."""
    found: list[tuple[str, griffe.Object | griffe.Alias]] = []
    with _quiet():
        for name in sorted(roots):
            _walk(roots[name], name, found, frozenset())
        public_path = _public_paths(found)
        surface = Surface(packages=packages)
        for path, obj in found:
            surface.entries[path] = describe(obj, public_path, packages)
            if rootdir is not None:
                surface.locations[path] = _location(obj, rootdir)
        if rootdir is not None:
            surface.documentables = _documentables(found, surface.locations)
    return surface


def _walk(
    obj: griffe.Object | griffe.Alias,
    path: str,
    found: list[tuple[str, griffe.Object | griffe.Alias]],
    inside: frozenset[str],
) -> None:
    found.append((path, obj))
    target = resolved(obj)
    if target is None or target.path in inside or (obj.is_alias and target.is_module):
        return  # an import of a module is recorded as an alias, not walked twice
    if target.is_module:
        members = target.members
    elif target.is_class:
        members = target.all_members  # inherited too: moving a method to a base changes nothing
    else:
        return
    for name in sorted(members):
        member = members[name]
        if _is_public(member):
            _walk(member, f"{path}.{name}", found, inside | {target.path})


def _is_public(obj: griffe.Object | griffe.Alias) -> bool:
    import griffe

    try:
        return bool(obj.is_public)
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return True  # recorded rather than lost: an unrecorded object can vanish unnoticed


def resolved(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    """The object an alias finally points at, ``obj`` itself, or ``None`` when unresolvable."""
    import griffe

    if not isinstance(obj, griffe.Alias):
        return obj
    try:
        target = obj.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError, ValueError):
        return None  # ValueError: a tree without a modules collection
    return target


def _public_paths(found: list[tuple[str, griffe.Object | griffe.Alias]]) -> dict[str, str]:
    # target path -> its first public path, so a base class is named where users see it
    result: dict[str, str] = {}
    for path, obj in found:
        target = resolved(obj)
        if target is not None:
            result.setdefault(target.path, path)
    return result


def describe(
    obj: griffe.Object | griffe.Alias, public_path: Mapping[str, str], packages: tuple[str, ...]
) -> dict[str, Any]:
    """The canonical description of one public object (see the module docstring)."""
    target = resolved(obj)
    if target is None:
        return {"kind": "alias", "target": str(obj.target_path)}  # type: ignore[union-attr]
    if obj.is_alias and target.is_module:
        return {"kind": "alias", "target": public_path.get(target.path, target.path)}
    kind = target.kind.value
    if kind == "module":
        return {"kind": "module"}
    if kind == "class":
        return {
            "kind": "class",
            "bases": _bases(target, public_path, packages),
            "labels": sorted(target.labels),
        }
    if kind == "function":
        return {
            "kind": "function",
            "labels": sorted(target.labels),
            "parameters": [_parameter(p) for p in target.parameters],  # type: ignore[attr-defined]
            "returns": _text(target.returns),  # type: ignore[attr-defined]
        }
    if kind == "attribute":
        return {
            "kind": "attribute",
            "annotation": _text(target.annotation),  # type: ignore[attr-defined]
            "labels": sorted(target.labels),
        }
    return {"kind": kind, "value": _text(getattr(target, "value", None))}


def _parameter(parameter: griffe.Parameter) -> dict[str, Any]:
    return {
        "annotation": _text(parameter.annotation),
        "default": _text(parameter.default),
        "kind": parameter.kind.value if parameter.kind else "positional or keyword",
        "name": parameter.name,
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _bases(
    cls: griffe.Object, public_path: Mapping[str, str], packages: tuple[str, ...]
) -> list[str]:
    names = []
    for base in cls.bases:  # type: ignore[attr-defined]
        name = _base_name(cls, base, public_path, packages)
        if name is not None:
            names.append(name)
    return names


def _base_name(
    cls: griffe.Object, base: object, public_path: Mapping[str, str], packages: tuple[str, ...]
) -> str | None:
    import griffe

    if isinstance(base, str):  # a rebuilt tree: already canonical
        return base
    if not isinstance(base, (griffe.ExprName, griffe.ExprAttribute)):
        return str(base)  # Generic[T], a call: kept as written
    dotted = base.canonical_path
    try:
        target = resolved(cls.modules_collection.get_member(dotted))
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        target = None
    if target is None:
        return dotted  # outside the packages (Exception, collections.abc.Mapping)
    if target.path in public_path:
        return public_path[target.path]
    if any(target.path == p or target.path.startswith(p + ".") for p in packages):
        return None  # a private base of our own is not part of the public API
    return dotted


def _location(obj: griffe.Object | griffe.Alias, rootdir: Path) -> Location:
    target = resolved(obj)
    holder = target if target is not None else obj.parent
    if holder is None:
        return Location("?", 0)
    filepath = holder.filepath
    if isinstance(filepath, list):  # a namespace package: its first folder
        filepath = filepath[0] if filepath else Path("?")
    if target is None:
        line = obj.alias_lineno or 1  # type: ignore[union-attr]
    else:
        line = (None if target.is_module else target.lineno) or 1
    return Location(_relative(filepath, rootdir), line)


def _documentables(
    found: list[tuple[str, griffe.Object | griffe.Alias]], locations: Mapping[str, Location]
) -> list[Documentable]:
    seen: set[str] = set()
    result = []
    for path, obj in found:
        target = resolved(obj)
        if target is None or target.path in seen or not _counts_for_docs(obj, target):
            continue
        seen.add(target.path)
        docstring = target.docstring
        documented = docstring is not None and bool(docstring.value.strip())
        result.append(Documentable(path, locations[path], documented))
    return result


def _counts_for_docs(obj: griffe.Object | griffe.Alias, target: griffe.Object) -> bool:
    if obj.is_alias and target.is_module:
        return False  # the module is counted at its own path
    kind = target.kind.value
    if kind == "module":
        return not target.is_namespace_package  # a folder without __init__ has no docstring
    if kind == "function":
        return not (target.name.startswith("__") and target.name.endswith("__"))
    if kind == "attribute":
        return "property" in target.labels
    return kind in DOCUMENTED_KINDS
