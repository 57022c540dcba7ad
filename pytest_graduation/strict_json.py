"""Strict JSON for reports: what JSON cannot hold is written as a string.

A custom criterion may put anything in ``measured`` (``float("nan")``, an object, a
structure nested hundreds deep). The report must still be valid JSON that every
reader accepts, so such values become strings instead of ``NaN`` or a crash.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Mapping
from typing import Any, Final

#: deeper nesting is written as its ``repr``: readers (and ``merge``) stay bounded
MAX_DEPTH: Final = 32


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-safe data: non-finite floats, foreign objects and nesting
    deeper than :data:`MAX_DEPTH` become strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if depth >= MAX_DEPTH:
        return _cut(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, depth + 1) for item in value]
    return str(value)


_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 80, 80


def _cut(value: Any) -> str:
    """A short text for a value nested too deep (``repr`` itself would recurse)."""
    return _SHORT.repr(value)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Strict JSON text of ``data`` (never ``NaN`` or ``Infinity``)."""
    return json.dumps(plain(data), indent=indent, sort_keys=True, allow_nan=False)


def dumps_compacting(
    data: Mapping[str, Any], compact: tuple[str, ...], trusted: str | None = None
) -> str:
    """Strict JSON text of the object ``data``, indented like :func:`dumps` except the
    top-level values of ``compact``, which are written on one line each, last. The
    value of ``trusted`` is written as it is (the writer's own table of plain
    strings, integers and booleans: walking a million entries to copy them costs)."""
    head = dumps({key: value for key, value in data.items() if key not in compact})
    members = [head[2:-2]] if head != "{}" else []
    for key in sorted(key for key in compact if key in data):
        value = data[key] if key == trusted else plain(data[key])
        line = json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
        members.append(f"  {json.dumps(key)}: {line}")
    return "{\n" + ",\n".join(members) + "\n}"
