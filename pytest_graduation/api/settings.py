"""``[tool.graduation.api]`` and the level keys ``api_documented`` / ``api_frozen``.

Validation is as strict as the rest of the configuration: a typo must never switch
the gate off, so unknown keys, wrong types and out-of-range values raise
:class:`~pytest_graduation.validation.ConfigError` naming the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Final, final

from pytest_graduation.validation import Checker, ConfigError

if TYPE_CHECKING:
    from pytest_graduation.settings import GraduationConfig

DEFAULT_SEARCH: Final = ("src", ".")
DEFAULT_LOCK: Final = "api.lock"
KEYS: Final = frozenset({"packages", "search", "lock"})
#: the global key of the table, and the level keys that need it
TABLE_KEY: Final = "api"
LEVEL_KEYS: Final = ("api_documented", "api_frozen")
#: an import name: dotted identifiers, no relative dots
_IMPORT_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


@final
@dataclass(frozen=True)
class ApiSettings:
    """The validated ``[tool.graduation.api]`` table."""

    packages: tuple[str, ...]
    search: tuple[str, ...] = DEFAULT_SEARCH
    lock: str = DEFAULT_LOCK


def parse_api_table(check: Checker, key: str, value: object) -> ApiSettings:
    """Validate the ``[tool.graduation.api]`` table ``value`` found at ``key``."""
    raw = check.table(key, value)
    check.known_keys(key, raw, set(KEYS))
    if "packages" not in raw:
        raise check.fail(f"{key}.packages", "this key to be set")
    packages = _strings(check, f"{key}.packages", raw["packages"])
    for index, name in enumerate(packages):
        if not _IMPORT_NAME.match(name):
            raise check.fail(f"{key}.packages[{index}]", "an import name such as mypkg", name)
    for name in packages:
        inside = [other for other in packages if other.startswith(name + ".")]
        if inside:
            # "a" already holds "a.b": listing both would describe "a.b" twice
            expected = f"packages not inside one another ({name})"
            raise check.fail(f"{key}.packages", expected, inside[0])
    search = _strings(check, f"{key}.search", raw.get("search", list(DEFAULT_SEARCH)))
    for index, folder in enumerate(search):
        _relative(check, f"{key}.search[{index}]", folder)
    lock = check.string(f"{key}.lock", raw.get("lock", DEFAULT_LOCK))
    _relative(check, f"{key}.lock", lock, file=True)
    return ApiSettings(packages=packages, search=search, lock=lock)


def api_settings(settings: GraduationConfig) -> ApiSettings | None:
    """The ``[tool.graduation.api]`` table, or ``None`` when the file has none."""
    found: ApiSettings | None = settings.value(TABLE_KEY)
    return found


def require_table(settings: GraduationConfig) -> ApiSettings | None:
    """The table; a level key without it is a :class:`ConfigError` (the criteria would
    have no packages to read, and judging nothing must never pass)."""
    table = api_settings(settings)
    if table is not None:
        return table
    for level in settings.levels:
        for name in LEVEL_KEYS:
            if name in settings.own_criteria.get(level, {}):
                where = f"{settings.source}: " if settings.source else ""
                raise ConfigError(
                    f"{where}criteria.{level}.{name} needs the api table "
                    '([tool.graduation.api] with packages = ["mypkg"]): '
                    "which packages to read"
                )
    return None


def _strings(check: Checker, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise check.fail(key, "a non-empty array of strings", value)
    names = check.strings(key, value)
    if len(set(names)) != len(names):
        raise check.fail(key, "unique names", value)
    return names


def _relative(check: Checker, key: str, value: str, *, file: bool = False) -> None:
    # Both are read below the rootdir; an absolute path or ".." would read (or, for
    # the lock, write) somewhere the project does not own.
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", value):
        raise check.fail(key, "a path relative to the rootdir, without ..", value)
    if file and (value.endswith(("/", "\\")) or path.name in ("", ".")):
        raise check.fail(key, "a file name", value)
