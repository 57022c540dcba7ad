"""The validators every configuration key uses: strict, and each failure names the
file, the key and what was expected (a typo must never switch a gate off silently)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(Exception):
    """A configuration problem; the plugin turns it into a pytest usage error (exit 4)."""


@dataclass
class Checker:
    """Validates the values of one configuration file; ``levels`` are that file's
    levels once they are known (keys naming a level check against them)."""

    source: Path | None
    prefix: str
    levels: tuple[str, ...] = ()

    def fail(self, key: str, expected: str, got: object = ...) -> ConfigError:
        where = f"{self.source}: " if self.source else ""
        message = f"{where}{self.prefix}{key}: expected {expected}"
        if got is not ...:
            message += f", got {describe(got)}"
        return ConfigError(message)

    def table(self, key: str, value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "a table", value)
        return value

    def known_keys(self, key: str, value: Mapping[str, Any], allowed: set[str]) -> None:
        for name in value:
            if name not in allowed:
                where = f"{self.source}: " if self.source else ""
                dotted = f"{self.prefix}{key}.{name}" if key else f"{self.prefix}{name}"
                raise ConfigError(
                    f"{where}{dotted}: unknown key (expected one of: {', '.join(sorted(allowed))})"
                )

    def string(self, key: str, value: object, *, nonempty: bool = True) -> str:
        if not isinstance(value, str) or (nonempty and not value):
            raise self.fail(key, "a non-empty string" if nonempty else "a string", value)
        return value

    def boolean(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def integer(self, key: str, value: object, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"an integer >= {minimum}", value)
        return value

    def number(self, key: str, value: object, low: float, high: float | None = None) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and value == value and value >= low and (high is None or value <= high):  # type: ignore[operator]
            return float(value)  # type: ignore[arg-type]
        expected = (
            f"a number from {low:g} to {high:g}" if high is not None else f"a number > {low:g}"
        )
        raise self.fail(key, expected, value)

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, "an array of strings", value)
        return tuple(self.string(f"{key}[{i}]", item) for i, item in enumerate(value))

    def mapping(self, key: str, value: object, check: Callable[[str, object], T]) -> dict[str, T]:
        table = self.table(key, value)
        return {name: check(f"{key}.{quote(name)}", item) for name, item in table.items()}

    def level(self, key: str, value: object, levels: tuple[str, ...] | None = None) -> str:
        levels = self.levels if levels is None else levels
        if not isinstance(value, str) or value not in levels:
            raise self.fail(key, f"one of the levels {', '.join(levels)}", value)
        return value


def quote(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def describe(value: object) -> str:
    kind = {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind} {shown}"


# --- checks for the common kinds of key, as features declare them -----------------

Check = Callable[[Checker, str, Any], Any]


def whole_number(minimum: int) -> Check:
    return lambda check, key, value: check.integer(key, value, minimum)


def percentage(check: Checker, key: str, value: object) -> float:
    return check.number(key, value, 0, 100)


def flag(check: Checker, key: str, value: object) -> bool:
    return check.boolean(key, value)


def string_list(check: Checker, key: str, value: object) -> tuple[str, ...]:
    return check.strings(key, value)


def table_of(inner: Check) -> Check:
    """A table of globs (or names) to values that ``inner`` checks."""
    return lambda check, key, value: check.mapping(
        key, value, lambda item_key, item: inner(check, item_key, item)
    )
