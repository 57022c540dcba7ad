"""``[tool.graduation.api]`` and the level keys ``api_documented`` / ``api_frozen``.

Validation is as strict as the rest of the configuration: a typo must never switch
the gate off, so unknown keys, wrong types and out-of-range values raise
:class:`~pytest_graduation.config.ConfigError` naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final, final

from pytest_graduation.config import ConfigError

DEFAULT_SEARCH: Final = ("src", ".")
DEFAULT_LOCK: Final = "api.lock"
KEYS: Final = frozenset({"packages", "search", "lock"})
#: an import name: dotted identifiers, no relative dots
_IMPORT_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


@final
@dataclass(frozen=True)
class ApiSettings:
    """The validated ``[tool.graduation.api]`` table."""

    packages: tuple[str, ...]
    search: tuple[str, ...] = DEFAULT_SEARCH
    lock: str = DEFAULT_LOCK


def parse_api_table(raw: object, where: str) -> ApiSettings:
    """Validate ``raw``; ``where`` prefixes every message, as in
    ``"pyproject.toml: tool.graduation.api."``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where.rstrip('.')}: expected a table, got {_describe(raw)}")
    for name in raw:
        if name not in KEYS:
            raise ConfigError(
                f"{where}{name}: unknown key (expected one of: {', '.join(sorted(KEYS))})"
            )
    if "packages" not in raw:
        raise ConfigError(f"{where}packages: expected this key to be set")
    packages = _strings(where, "packages", raw["packages"])
    for index, name in enumerate(packages):
        if not _IMPORT_NAME.match(name):
            raise _fail(where, f"packages[{index}]", "an import name such as mypkg", name)
    for name in packages:
        inside = [other for other in packages if other.startswith(name + ".")]
        if inside:
            # "a" already holds "a.b": listing both would describe "a.b" twice
            raise _fail(where, "packages", f"packages not inside one another ({name})", inside[0])
    search = _strings(where, "search", raw.get("search", list(DEFAULT_SEARCH)))
    for index, folder in enumerate(search):
        _relative(where, f"search[{index}]", folder)
    lock = raw.get("lock", DEFAULT_LOCK)
    if not isinstance(lock, str) or not lock:
        raise _fail(where, "lock", "a non-empty string", lock)
    _relative(where, "lock", lock)
    return ApiSettings(packages=packages, search=search, lock=lock)


def validate_api_documented(key: str, value: object) -> float:
    """``api_documented = 90``: a percentage."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and value == value and 0 <= value <= 100:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    raise ConfigError(f"{key}: expected a number from 0 to 100, got {_describe(value)}")


def validate_api_frozen(key: str, value: object) -> bool:
    """``api_frozen = true``."""
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {_describe(value)}")
    return value


def _strings(where: str, key: str, value: object) -> tuple[str, ...]:
    expected = "a non-empty array of strings"
    if not isinstance(value, list) or not value:
        raise _fail(where, key, expected, value)
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise _fail(where, f"{key}[{index}]", "a non-empty string", item)
    if len(set(value)) != len(value):
        raise _fail(where, key, "unique names", value)
    return tuple(value)


def _relative(where: str, key: str, value: str) -> None:
    # Both are read below the rootdir; an absolute path or ".." would read (or, for
    # the lock, write) somewhere the project does not own.
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", value):
        raise _fail(where, key, "a path relative to the rootdir, without ..", value)
    if key == "lock" and (value.endswith(("/", "\\")) or path.name in ("", ".")):
        raise _fail(where, key, "a file name", value)


def _fail(where: str, key: str, expected: str, got: object) -> ConfigError:
    return ConfigError(f"{where}{key}: expected {expected}, got {_describe(got)}")


def _describe(value: object) -> str:
    # the same wording as config.py, so every configuration message reads alike
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
