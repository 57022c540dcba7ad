"""Load and validate ``[tool.graduation]``: the one place configuration is read.

This module holds only the generic machinery — TOML, levels, phases, waivers,
inheritance and strict unknown-key errors. Which keys exist, and how each is
checked, every feature declares itself (:mod:`pytest_graduation.feature`); the
registry (:mod:`pytest_graduation.features`) lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, Final

from pytest_graduation.features import builtin_criteria_names, criterion_keys, global_keys
from pytest_graduation.settings import DEFAULT_LEVELS, GraduationConfig, LevelCriteria, Waiver
from pytest_graduation.validation import Checker, ConfigError, quote
from pytest_graduation.waivers import SCOPES, scope_problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "DEFAULT_LEVELS",
    "ConfigError",
    "GraduationConfig",
    "LevelCriteria",
    "Waiver",
    "builtin_criteria_names",
    "load",
    "parse",
]

LEVEL_NAME: Final = re.compile(r"[a-z][a-z0-9_-]*\Z")
#: the keys of ``[tool.graduation]`` that are not a feature's
CORE_KEYS: Final = ("levels", "phases", "waivers", "github_summary", "criteria")


# --- reading -----------------------------------------------------------------


def load(rootdir: Path, explicit: Path | None = None) -> GraduationConfig:
    """Read the configuration from ``explicit`` or from ``<rootdir>/pyproject.toml``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        table = _read_toml(explicit)
        return parse(table, source=explicit, prefix="")
    pyproject = rootdir / "pyproject.toml"
    if not pyproject.is_file():
        return GraduationConfig()
    document = _read_toml(pyproject)
    tool: object = document.get("tool", {})
    section: object = tool.get("graduation") if isinstance(tool, dict) else None
    if section is None:
        return GraduationConfig(source=pyproject)
    return parse(section, source=pyproject, prefix="tool.graduation.")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            document: dict[str, Any] = tomllib.load(stream)
            return document
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None


# --- validation --------------------------------------------------------------


def parse(table: object, *, source: Path | None, prefix: str) -> GraduationConfig:
    """Validate a raw ``[tool.graduation]`` table."""
    check = Checker(source, prefix)
    if not isinstance(table, dict):
        raise check.fail("", "a table", table)
    features = global_keys()
    check.known_keys("", table, {*CORE_KEYS, *features})
    check.levels = levels = _levels(check, table)
    phases = check.mapping("phases", table.get("phases", {}), check.level)
    github_summary = check.boolean("github_summary", table.get("github_summary", True))
    values = {
        name: key.check(check, name, table[name]) for name, key in features.items() if name in table
    }
    own_criteria = _all_criteria(check, table.get("criteria", {}))
    waivers = _waivers(check, table.get("waivers", []))
    digest = _digest(table)
    return GraduationConfig(
        source=source,
        levels=levels,
        phases=phases,
        waivers=waivers,
        github_summary=github_summary,
        values=values,
        own_criteria=own_criteria,
        digest=digest,
        key_digests=_key_digests(table),
    )


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _key_digests(table: dict[str, Any]) -> dict[str, str]:
    """The digest of each top-level key, each level's criteria apart (the usual place
    where shards' configurations drift)."""
    criteria = table.get("criteria") or {}
    keys = {key: value for key, value in table.items() if key != "criteria" or not criteria}
    keys.update({f"criteria.{level}": value for level, value in criteria.items()})
    return {key: _digest(value) for key, value in sorted(keys.items())}


def _levels(check: Checker, table: dict[str, Any]) -> tuple[str, ...]:
    if "levels" not in table:
        return DEFAULT_LEVELS
    levels = check.strings("levels", table["levels"])
    if not levels:
        raise check.fail("levels", "at least one level", table["levels"])
    for index, name in enumerate(levels):
        if not LEVEL_NAME.match(name):
            raise check.fail(f"levels[{index}]", "a name matching [a-z][a-z0-9_-]*", name)
    if len(set(levels)) != len(levels):
        raise check.fail("levels", "unique names", table["levels"])
    return levels


def _waivers(check: Checker, value: object) -> tuple[Waiver, ...]:
    if not isinstance(value, list):
        raise check.fail("waivers", "an array of tables ([[tool.graduation.waivers]])", value)
    return tuple(_waiver(check, f"waivers[{index}]", raw) for index, raw in enumerate(value))


def _waiver(check: Checker, key: str, raw: object) -> Waiver:
    body = check.table(key, raw)
    check.known_keys(key, body, {"criterion", "reason", "expires", "levels", *SCOPES})
    for required in ("criterion", "reason", "expires"):
        if required not in body:
            raise check.fail(f"{key}.{required}", "this key to be set")
    expires = body["expires"]
    if isinstance(expires, dt.datetime) or not isinstance(expires, dt.date):
        raise check.fail(f"{key}.expires", "a TOML date such as 2027-01-31", expires)
    waiver_levels = None
    if "levels" in body:
        names = check.strings(f"{key}.levels", body["levels"])
        waiver_levels = tuple(check.level(f"{key}.levels[{i}]", n) for i, n in enumerate(names))
    criterion = check.string(f"{key}.criterion", body["criterion"])
    scope, patterns = _waiver_scope(check, key, body, criterion)
    return Waiver(
        criterion=criterion,
        reason=check.string(f"{key}.reason", body["reason"]),
        expires=expires,
        levels=waiver_levels,
        scope=scope,
        patterns=patterns,
    )


def _waiver_scope(
    check: Checker, key: str, body: dict[str, Any], criterion: str
) -> tuple[str | None, tuple[str, ...]]:
    """The one scope key of a waiver and its globs or ids (SPEC section 19)."""
    given = [name for name in SCOPES if name in body]
    if not given:
        return None, ()
    if len(given) > 1:
        listed = " and ".join(given)
        raise check.fail(key, f"one scope key (tests, capabilities, files or items), not {listed}")
    scope = given[0]
    patterns = check.strings(f"{key}.{scope}", body[scope])
    if not patterns:
        raise check.fail(f"{key}.{scope}", "at least one entry", body[scope])
    problem = scope_problem(criterion, scope)
    if problem is not None:
        raise check.fail(f"{key}.{scope}", problem)
    return scope, patterns


def _all_criteria(check: Checker, value: object) -> dict[str, dict[str, Any]]:
    result = {}
    for level, raw in check.table("criteria", value).items():
        key = f"criteria.{quote(level)}"
        if level not in check.levels:
            raise check.fail(key, f"a table named after a level ({', '.join(check.levels)})", level)
        body = check.table(key, raw)
        known = criterion_keys()
        check.known_keys(key, body, set(known))
        result[level] = {
            name: known[name].check(check, f"{key}.{name}", v) for name, v in body.items()
        }
    return result
