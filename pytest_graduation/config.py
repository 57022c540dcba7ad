"""Load and validate ``[tool.graduation]``: the one place configuration is read.

Validation is strict because a typo must never switch a gate off silently: every
problem raises :class:`ConfigError` naming the file, the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar, final

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DEFAULT_LEVELS: Final = ("alpha", "beta", "rc", "stable")
LEVEL_NAME: Final = re.compile(r"[a-z][a-z0-9_-]*\Z")
PLAIN_NAME: Final = re.compile(r"[A-Za-z0-9_.-]+\Z")
DEFAULT_EXAMPLES_TIMEOUT: Final = 60.0
#: one day; beyond about 24 days the operating system's poll() timeout overflows
MAX_EXAMPLES_TIMEOUT: Final = 86400.0
#: what the repository criteria skip unless ``exclude`` says otherwise (SPEC section 12)
DEFAULT_EXCLUDE: Final = (
    ".git/**",
    ".hg/**",
    ".venv/**",
    "venv/**",
    ".tox/**",
    ".nox/**",
    "build/**",
    "dist/**",
    "node_modules/**",
    "**/__pycache__/**",
    "**/*.egg-info/**",
)

T = TypeVar("T")


class ConfigError(Exception):
    """A configuration problem; the plugin turns it into a pytest usage error (exit 4)."""


@final
@dataclass(frozen=True)
class SourceRule:
    name: str
    files: str
    pattern: re.Pattern[str]
    message: str


@final
@dataclass(frozen=True)
class Capability:
    id: str
    title: str
    level: str
    tests: tuple[str, ...]


@final
@dataclass(frozen=True)
class Waiver:
    criterion: str
    reason: str
    expires: dt.date
    levels: tuple[str, ...] | None

    def applies_to(self, level: str) -> bool:
        return self.levels is None or level in self.levels

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "levels": list(self.levels) if self.levels is not None else None,
        }


@final
@dataclass(frozen=True)
class LevelCriteria:
    """The effective criteria of one level, after inheritance. ``None`` means off."""

    max_skipped: int | None = None
    max_xfailed: int | None = None
    max_flaky: int | None = None
    coverage: float | None = None
    coverage_paths: Mapping[str, float] | None = None
    determinism_runs: int | None = None
    determinism_processes: int | None = None
    required_markers: Mapping[str, int] | None = None
    capabilities: bool | None = None
    max_obsolete_goldens: int | None = None
    frozen_goldens: bool | None = None
    line_limit: Mapping[str, int] | None = None
    compile: tuple[str, ...] | None = None
    source_rules: tuple[SourceRule, ...] | None = None
    examples: tuple[str, ...] | None = None
    examples_timeout: float = DEFAULT_EXAMPLES_TIMEOUT


@final
@dataclass(frozen=True)
class GraduationConfig:
    """The validated ``[tool.graduation]`` table."""

    source: Path | None = None
    levels: tuple[str, ...] = DEFAULT_LEVELS
    phases: Mapping[str, str] = field(default_factory=dict)
    deterministic: tuple[str, ...] = ()
    golden_dir: str = "golden"
    capabilities: Mapping[str, Capability] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    github_summary: bool = True
    #: file globs every repository criterion skips
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    #: per level, only the keys that level sets itself (before inheritance)
    own_criteria: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: a stable digest of the raw table, so shard reports can be checked for agreement
    digest: str = ""

    def criteria_for(self, level: str) -> LevelCriteria:
        """The criteria of ``level``: every lower level's keys, later levels replacing whole."""
        merged: dict[str, Any] = {}
        for name in self.levels[: self.levels.index(level) + 1]:
            merged.update(self.own_criteria.get(name, {}))
        return LevelCriteria(**merged)

    def level_index(self, level: str) -> int:
        return self.levels.index(level)


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


@dataclass
class _Checker:
    source: Path | None
    prefix: str

    def fail(self, key: str, expected: str, got: object = ...) -> ConfigError:
        where = f"{self.source}: " if self.source else ""
        message = f"{where}{self.prefix}{key}: expected {expected}"
        if got is not ...:
            message += f", got {_describe(got)}"
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
        return {name: check(f"{key}.{_quote(name)}", item) for name, item in table.items()}

    def level(self, key: str, value: object, levels: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in levels:
            raise self.fail(key, f"one of the levels {', '.join(levels)}", value)
        return value


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _describe(value: object) -> str:
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


GLOBAL_KEYS: Final = {
    "levels",
    "phases",
    "deterministic",
    "golden_dir",
    "capabilities",
    "waivers",
    "github_summary",
    "exclude",
    "criteria",
}

CRITERIA_KEYS: Final = set(LevelCriteria.__dataclass_fields__)

#: key in a level's criteria table -> criterion name in the report
CRITERION_OF_KEY: Final = {
    "max_skipped": "skipped",
    "max_xfailed": "xfailed",
    "max_flaky": "flaky",
    "coverage": "coverage",
    "coverage_paths": "coverage_paths",
    "determinism_runs": "determinism",
    "determinism_processes": "determinism",
    "required_markers": "required_markers",
    "capabilities": "capabilities",
    "max_obsolete_goldens": "obsolete_goldens",
    "frozen_goldens": "frozen_goldens",
    "line_limit": "line_limit",
    "compile": "compile",
    "source_rules": "source_rules",
    "examples": "examples",
}

BUILTIN_CRITERIA: Final = ("tests", *dict.fromkeys(CRITERION_OF_KEY.values()))


def parse(table: object, *, source: Path | None, prefix: str) -> GraduationConfig:
    """Validate a raw ``[tool.graduation]`` table."""
    check = _Checker(source, prefix)
    if not isinstance(table, dict):
        raise check.fail("", "a table", table)
    check.known_keys("", table, GLOBAL_KEYS)

    levels: tuple[str, ...] = DEFAULT_LEVELS
    if "levels" in table:
        levels = check.strings("levels", table["levels"])
        if not levels:
            raise check.fail("levels", "at least one level", table["levels"])
        for index, name in enumerate(levels):
            if not LEVEL_NAME.match(name):
                raise check.fail(f"levels[{index}]", "a name matching [a-z][a-z0-9_-]*", name)
        if len(set(levels)) != len(levels):
            raise check.fail("levels", "unique names", table["levels"])

    phases = check.mapping(
        "phases", table.get("phases", {}), lambda k, v: check.level(k, v, levels)
    )
    deterministic = check.strings("deterministic", table.get("deterministic", []))
    golden_dir = check.string("golden_dir", table.get("golden_dir", "golden"))
    if not PLAIN_NAME.match(golden_dir) or golden_dir in (".", ".."):
        raise check.fail("golden_dir", "a plain folder name (letters, digits, _ - .)", golden_dir)
    github_summary = check.boolean("github_summary", table.get("github_summary", True))
    exclude = check.strings("exclude", table.get("exclude", list(DEFAULT_EXCLUDE)))
    capabilities = _capabilities(check, table.get("capabilities", {}), levels)
    own_criteria = _all_criteria(check, table.get("criteria", {}), levels)
    waivers = _waivers(check, table.get("waivers", []), levels)

    digest = hashlib.sha256(
        json.dumps(table, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()[:16]
    return GraduationConfig(
        source=source,
        levels=levels,
        phases=phases,
        deterministic=deterministic,
        golden_dir=golden_dir,
        capabilities=capabilities,
        waivers=waivers,
        github_summary=github_summary,
        exclude=exclude,
        own_criteria=own_criteria,
        digest=digest,
    )


def _capabilities(check: _Checker, value: object, levels: tuple[str, ...]) -> dict[str, Capability]:
    result: dict[str, Capability] = {}
    for cap_id, raw in check.table("capabilities", value).items():
        key = f"capabilities.{_quote(cap_id)}"
        if not PLAIN_NAME.match(cap_id):
            raise check.fail(key, "a capability id of letters, digits, _ - .", cap_id)
        body = check.table(key, raw)
        check.known_keys(key, body, {"title", "level", "tests"})
        result[cap_id] = Capability(
            id=cap_id,
            title=check.string(f"{key}.title", body.get("title", cap_id)),
            level=check.level(f"{key}.level", body.get("level", levels[0]), levels),
            tests=check.strings(f"{key}.tests", body.get("tests", [])),
        )
    return result


def _waivers(check: _Checker, value: object, levels: tuple[str, ...]) -> tuple[Waiver, ...]:
    if not isinstance(value, list):
        raise check.fail("waivers", "an array of tables ([[tool.graduation.waivers]])", value)
    result = []
    for index, raw in enumerate(value):
        key = f"waivers[{index}]"
        body = check.table(key, raw)
        check.known_keys(key, body, {"criterion", "reason", "expires", "levels"})
        for required in ("criterion", "reason", "expires"):
            if required not in body:
                raise check.fail(f"{key}.{required}", "this key to be set")
        expires = body["expires"]
        if isinstance(expires, dt.datetime) or not isinstance(expires, dt.date):
            raise check.fail(f"{key}.expires", "a TOML date such as 2027-01-31", expires)
        waiver_levels = None
        if "levels" in body:
            names = check.strings(f"{key}.levels", body["levels"])
            waiver_levels = tuple(
                check.level(f"{key}.levels[{i}]", n, levels) for i, n in enumerate(names)
            )
        result.append(
            Waiver(
                criterion=check.string(f"{key}.criterion", body["criterion"]),
                reason=check.string(f"{key}.reason", body["reason"]),
                expires=expires,
                levels=waiver_levels,
            )
        )
    return tuple(result)


def _all_criteria(
    check: _Checker, value: object, levels: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    result = {}
    for level, raw in check.table("criteria", value).items():
        key = f"criteria.{_quote(level)}"
        if level not in levels:
            raise check.fail(key, f"a table named after a level ({', '.join(levels)})", level)
        result[level] = _level_criteria(check, key, check.table(key, raw))
    return result


def _level_criteria(check: _Checker, key: str, body: dict[str, Any]) -> dict[str, Any]:
    check.known_keys(key, body, CRITERIA_KEYS)
    out: dict[str, Any] = {}
    for name, value in body.items():
        k = f"{key}.{name}"
        if name in ("max_skipped", "max_xfailed", "max_flaky", "max_obsolete_goldens"):
            out[name] = check.integer(k, value, 0)
        elif name == "determinism_runs":
            out[name] = check.integer(k, value, 1)
        elif name == "determinism_processes":
            out[name] = check.integer(k, value, 0)
        elif name == "coverage":
            out[name] = check.number(k, value, 0, 100)
        elif name == "coverage_paths":
            out[name] = check.mapping(k, value, lambda kk, v: check.number(kk, v, 0, 100))
        elif name == "required_markers":
            out[name] = check.mapping(k, value, lambda kk, v: check.integer(kk, v, 0))
        elif name == "line_limit":
            out[name] = check.mapping(k, value, lambda kk, v: check.integer(kk, v, 1))
        elif name in ("capabilities", "frozen_goldens"):
            out[name] = check.boolean(k, value)
        elif name in ("compile", "examples"):
            out[name] = check.strings(k, value)
        elif name == "examples_timeout":
            number = check.number(k, value, 0)
            if number <= 0 or number > MAX_EXAMPLES_TIMEOUT:
                raise check.fail(k, f"a number > 0 and <= {MAX_EXAMPLES_TIMEOUT:g}", value)
            out[name] = number
        else:  # source_rules: the only key left in CRITERIA_KEYS
            out[name] = _source_rules(check, k, value)
    return out


def _source_rules(check: _Checker, key: str, value: object) -> tuple[SourceRule, ...]:
    if not isinstance(value, list):
        raise check.fail(key, "an array of tables {name, files, pattern, message}", value)
    rules = []
    for index, raw in enumerate(value):
        k = f"{key}[{index}]"
        body = check.table(k, raw)
        check.known_keys(k, body, {"name", "files", "pattern", "message"})
        for needed in ("name", "files", "pattern", "message"):
            if needed not in body:
                raise check.fail(f"{k}.{needed}", "this key to be set")
        pattern_text = check.string(f"{k}.pattern", body["pattern"])
        try:
            with warnings.catch_warnings():
                # "[[": a FutureWarning today, a different meaning tomorrow (and a crash
                # under -W error): refuse it like any other bad pattern
                warnings.simplefilter("error")
                pattern = re.compile(pattern_text)
        except (re.error, OverflowError, RecursionError, Warning) as exc:  # a{9999999999}, (((
            raise check.fail(
                f"{k}.pattern", f"a valid regular expression ({exc})", pattern_text
            ) from None
        rules.append(
            SourceRule(
                name=check.string(f"{k}.name", body["name"]),
                files=check.string(f"{k}.files", body["files"]),
                pattern=pattern,
                message=check.string(f"{k}.message", body["message"]),
            )
        )
    return tuple(rules)
