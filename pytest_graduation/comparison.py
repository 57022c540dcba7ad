"""Comparing JSON data as data: key order never matters, floats within a tolerance.

Numbers compare with :func:`math.isclose` (symmetric in its two arguments), so
``equal(a, b) == equal(b, a)`` always holds; NaN equals NaN, because a golden that
records NaN must be able to match. ``bool`` is never equal to a number.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from typing import Any, Final

#: how many differing paths a mismatch lists at most
MAX_PATHS: Final = 20
#: lists are aligned (so one insertion is one difference, not every shifted index)
#: while the differing middle of each side holds at most this many items ...
MAX_ALIGNED: Final = 100_000
#: ... and the alignment would compare at most this many pairs of equal items (many
#: repeated items make it quadratic); otherwise they are compared by position
MAX_ALIGN_WORK: Final = 1_000_000


def check_tolerance(rtol: float, atol: float) -> None:
    """Reject tolerances that are negative, NaN, infinite or not numbers."""
    __tracebackhide__ = True
    for label, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{label} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{label} must be a finite number >= 0, got {value!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numbers_equal(a: float, b: float, rtol: float, atol: float) -> bool:
    if isinstance(a, int) and isinstance(b, int):
        if a == b:
            return True
        if not (rtol or atol):
            return False
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    return math.isclose(fa, fb, rel_tol=rtol, abs_tol=atol)


def data_equal(expected: Any, actual: Any, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Whether two JSON values are equal as data (dicts by key, lists by position)."""
    return next(differences(expected, actual, rtol, atol), None) is None


def differences(
    expected: Any, actual: Any, rtol: float = 0.0, atol: float = 0.0, path: str = "$"
) -> Iterator[str]:
    """Describe each difference as ``PATH: ...``, in document order (lazily)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(expected.keys() | actual.keys()):
            where = _child(path, key)
            if key not in actual:
                yield f"{where}: missing (expected {_short(expected[key])})"
            elif key not in expected:
                yield f"{where}: unexpected key (got {_short(actual[key])})"
            else:
                yield from differences(expected[key], actual[key], rtol, atol, where)
    elif isinstance(expected, list) and isinstance(actual, list):
        yield from _list_differences(expected, actual, rtol, atol, path)
        if len(expected) != len(actual):
            yield f"{path}: expected {len(expected)} items, got {len(actual)}"
    elif _is_number(expected) and _is_number(actual):
        if not numbers_equal(expected, actual, rtol, atol):
            yield f"{path}: expected {_short(expected)}, got {_short(actual)}"
    elif type(expected) is not type(actual) or expected != actual:
        yield f"{path}: expected {_short(expected)}, got {_short(actual)}"


def _list_differences(
    expected: list[Any], actual: list[Any], rtol: float, atol: float, path: str
) -> Iterator[str]:
    """The items that were changed, removed or inserted, after aligning the two lists.

    Changed and removed items are named by their index in ``expected`` (the golden),
    inserted ones by their index in ``actual``. The common ends are skipped first
    (compared as data, within the tolerance), so a long list with one change stays
    linear."""
    head = _common_head(expected, actual, rtol, atol)
    tail = _common_head(expected[head:][::-1], actual[head:][::-1], rtol, atol)
    middle_e = expected[head : len(expected) - tail]
    middle_a = actual[head : len(actual) - tail]
    for tag, i1, i2, j1, j2 in _alignment(middle_e, middle_a):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            where = f"{path}[{head + i1 + k}]"
            yield from differences(middle_e[i1 + k], middle_a[j1 + k], rtol, atol, where)
        for i in range(i1 + paired, i2):
            yield f"{path}[{head + i}]: removed (expected {_short(middle_e[i])})"
        for j in range(j1 + paired, j2):
            yield f"{path}[{head + j}]: inserted (got {_short(middle_a[j])})"


def _alignment(expected: list[Any], actual: list[Any]) -> Sequence[tuple[str, int, int, int, int]]:
    """:meth:`difflib.SequenceMatcher.get_opcodes` of the items' canonical JSON, or one
    ``replace`` of everything (by position) when aligning would cost too much."""
    by_position = [("replace", 0, len(expected), 0, len(actual))]
    if len(expected) > MAX_ALIGNED or len(actual) > MAX_ALIGNED:
        return by_position
    keys_e, keys_a = _keys(expected), _keys(actual)
    counts = Counter(keys_a)
    if sum(counts[key] for key in keys_e) > MAX_ALIGN_WORK:
        return by_position
    return SequenceMatcher(None, keys_e, keys_a, autojunk=False).get_opcodes()


def _common_head(expected: list[Any], actual: list[Any], rtol: float, atol: float) -> int:
    """How many leading items of the two lists are equal as data."""
    count = 0
    for e, a in zip(expected, actual, strict=False):
        if not data_equal(e, a, rtol, atol):
            break
        count += 1
    return count


def _keys(items: list[Any]) -> list[str]:
    """Each item's canonical JSON text: equal texts, equal data."""
    return [
        json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        for item in items
    ]


def _child(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{_short(key)}]"


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, dict):
        text = f"object with {len(value)} key(s)"
    elif isinstance(value, list):
        text = f"array of {len(value)} item(s)"
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
