"""Comparing JSON data as data: key order never matters, floats within a tolerance.

Numbers compare with :func:`math.isclose` (symmetric in its two arguments), so
``equal(a, b) == equal(b, a)`` always holds; NaN equals NaN, because a golden that
records NaN must be able to match. ``bool`` is never equal to a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Final

#: how many differing paths a mismatch lists at most
MAX_PATHS: Final = 20


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
        for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
            yield from differences(e, a, rtol, atol, f"{path}[{index}]")
        if len(expected) != len(actual):
            yield f"{path}: expected {len(expected)} items, got {len(actual)}"
    elif _is_number(expected) and _is_number(actual):
        if not numbers_equal(expected, actual, rtol, atol):
            yield f"{path}: expected {_short(expected)}, got {_short(actual)}"
    elif type(expected) is not type(actual) or expected != actual:
        yield f"{path}: expected {_short(expected)}, got {_short(actual)}"


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
