"""Compare ``api.lock`` with the current code by griffe's rules.

Both sides are rebuilt as griffe objects from their canonical descriptions, so
griffe's :func:`griffe.find_breaking_changes` compares like with like (text
against text) and the verdict cannot depend on where code lives. griffe decides
what breaks; the one rule added here is that a return annotation that changed
(not only one that was removed) is griffe's "Return types are incompatible",
because griffe 1/2 leave that case as a to-do and a gate must not wave it through.

Every breakage is a line ``path:line: object: explanation``, located in the
current code (a removed object points at its nearest surviving parent).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, final

from pytest_graduation.api.lockfile import ApiLock
from pytest_graduation.api.surface import Surface

if TYPE_CHECKING:
    import griffe


@final
@dataclass
class Comparison:
    """What changed between the lock and the code."""

    #: ``path:line: object: explanation`` per breakage, in a stable order
    breakages: list[str] = field(default_factory=list)
    #: ``path:line: object: added <kind>``
    additions: list[str] = field(default_factory=list)
    #: entries that differ without breaking anything by griffe's rules (labels, annotations)
    changes: list[str] = field(default_factory=list)
    #: object paths with at least one breakage
    broken: set[str] = field(default_factory=set)
    #: packages recorded in the lock that are no longer configured
    dropped: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return bool(self.breakages or self.dropped)


def compare(lock: ApiLock, surface: Surface) -> Comparison:
    """Judge ``surface`` (the current code) against ``lock``."""
    if sorted(lock.packages) == sorted(surface.packages) and lock.entries == surface.entries:
        # equal descriptions: nothing was added, changed or broken, so rebuilding both
        # sides for griffe (most of the comparison's time) is skipped; tests/test_api.py
        # proves griffe finds nothing there either. The lock's schema allows only
        # strings, null, arrays and objects, so == is exact (no 1 == True == 1.0).
        return Comparison()
    return compare_by_griffe(lock, surface)


def compare_by_griffe(lock: ApiLock, surface: Surface) -> Comparison:
    """:func:`compare` without its shortcut for equal descriptions."""
    old_roots = rebuild(lock.entries, lock.packages)
    new_roots = rebuild(surface.entries, surface.packages)
    result = Comparison()
    found: list[tuple[str, str, griffe.Breakage]] = []
    for name in sorted(lock.packages):
        if name not in new_roots:
            result.dropped.append(name)
            continue
        for breakage in _breakages(old_roots[name], new_roots[name], lock, surface):
            found.append((_object_of(breakage), breakage.obj.path, breakage))
    for label, path, breakage in sorted(found, key=lambda item: (item[0], item[2].kind.value)):
        located = surface.location_of(path)
        result.breakages.append(f"{located or '?'}: {label}: {explain(breakage)}")
        result.broken.add(path)
    for path in sorted(set(surface.entries) - set(lock.entries)):
        kind = surface.entries[path]["kind"]
        result.additions.append(f"{surface.location_of(path) or '?'}: {path}: added {kind}")
    for path in sorted(set(surface.entries) & set(lock.entries)):
        if path not in result.broken and surface.entries[path] != lock.entries[path]:
            where = surface.location_of(path) or "?"
            result.changes.append(f"{where}: {path}: changed without breaking (see api.lock diff)")
    return result


def _breakages(
    old: griffe.Object, new: griffe.Object, lock: ApiLock, surface: Surface
) -> Iterator[griffe.Breakage]:
    import griffe

    yield from griffe.find_breaking_changes(old, new)
    # griffe only flags a return annotation that was removed; one that changed is
    # flagged here with griffe's own breakage kind
    for path, entry in surface.entries.items():
        before = lock.entries.get(path)
        if before is None or before["kind"] != "function" or entry["kind"] != "function":
            continue
        if before["returns"] is not None and entry["returns"] not in (None, before["returns"]):
            function = _get(new, path)
            if function is not None:
                yield griffe.ReturnChangedTypeBreakage(
                    function, before["returns"], entry["returns"]
                )


def _get(root: griffe.Object, path: str) -> griffe.Object | None:
    if path == root.path:
        return root
    if not path.startswith(root.path + "."):
        return None
    try:
        member = root.get_member(path[len(root.path) + 1 :])
    except KeyError:
        return None
    return member  # type: ignore[no-any-return]


def _object_of(breakage: griffe.Breakage) -> str:
    # parameter breakages name the parameter, as griffe's own explanations do
    parameter = breakage.old_value if breakage.new_value is None else breakage.new_value
    if _is_parameter_breakage(breakage) and hasattr(parameter, "name"):
        return f"{breakage.obj.path}({parameter.name})"
    return str(breakage.obj.path)


def _is_parameter_breakage(breakage: griffe.Breakage) -> bool:
    return str(breakage.kind.name).startswith("PARAMETER_")


def explain(breakage: griffe.Breakage) -> str:
    """griffe's kind of breakage with the old and new values, without colours or paths."""
    import griffe

    kind = breakage.kind
    old, new = breakage.old_value, breakage.new_value
    change = ""
    if kind is griffe.BreakageKind.PARAMETER_CHANGED_KIND:
        change = f"{old.kind.value} -> {new.kind.value}"
    elif kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
        change = f"{old.default} -> {new.default}"
    elif kind is griffe.BreakageKind.PARAMETER_MOVED:
        change = breakage.details
    elif kind is griffe.BreakageKind.OBJECT_CHANGED_KIND:
        change = f"{old.value} -> {new.value}"
    elif kind is griffe.BreakageKind.CLASS_REMOVED_BASE:
        change = f"[{', '.join(map(str, old))}] -> [{', '.join(map(str, new))}]"
    elif not _is_parameter_breakage(breakage) and kind is not griffe.BreakageKind.OBJECT_REMOVED:
        change = f"{_unset(old)} -> {_unset(new)}"
    return f"{kind.value}: {change}" if change else kind.value


def _unset(value: object) -> str:
    return "unset" if value is None else str(value)


# --- rebuilding griffe objects --------------------------------------------------------


def rebuild(
    entries: Mapping[str, Mapping[str, Any]], packages: tuple[str, ...]
) -> dict[str, griffe.Object]:
    """griffe objects for the (schema-checked) ``entries``, one tree per package."""
    import griffe

    objects: dict[str, griffe.Object | griffe.Alias] = {}
    roots: dict[str, griffe.Object] = {}
    # parents before children: an entry's parent path has fewer dots
    for path in sorted(entries, key=lambda p: (p.count("."), p)):
        parent_path, _, name = path.rpartition(".")
        if path in packages:
            # an empty collection of its own: no alias of the rebuilt tree resolves,
            # so both sides describe an import the same way (by its target's name)
            root = griffe.Module(path, modules_collection=griffe.ModulesCollection())
            root.public = True
            roots[path] = objects[path] = root
            continue
        parent = objects.get(parent_path)
        if parent is None:
            continue  # only possible for entries of unconfigured packages
        obj = build(name, entries[path])
        parent.set_member(name, obj)
        objects[path] = obj
    return roots


def build(name: str, entry: Mapping[str, Any]) -> griffe.Object | griffe.Alias:
    """One griffe object from its canonical description."""
    import griffe

    kind = entry["kind"]
    obj: griffe.Object | griffe.Alias
    if kind == "alias":
        obj = griffe.Alias(name, entry["target"])
    elif kind == "module":
        obj = griffe.Module(name)
    elif kind == "class":
        obj = griffe.Class(name, bases=list(entry["bases"]))
    elif kind == "function":
        parameters = griffe.Parameters(*(_build_parameter(p) for p in entry["parameters"]))
        obj = griffe.Function(name, parameters=parameters, returns=entry["returns"])
    elif kind == "attribute":
        obj = griffe.Attribute(name, annotation=entry["annotation"])
    else:
        obj = griffe.TypeAlias(name, value=entry["value"])
    if not isinstance(obj, griffe.Alias):
        obj.labels = set(entry.get("labels", ()))
    obj.public = True  # the lock holds public objects only
    return obj


def _build_parameter(entry: Mapping[str, Any]) -> griffe.Parameter:
    import griffe

    return griffe.Parameter(
        entry["name"],
        annotation=entry["annotation"],
        kind=griffe.ParameterKind(entry["kind"]),
        default=entry["default"],
    )
