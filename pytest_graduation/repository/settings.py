"""The repository feature's configuration keys and their validators."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, final

from pytest_graduation.settings import GraduationConfig
from pytest_graduation.validation import Checker

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


@final
@dataclass(frozen=True)
class SourceRule:
    name: str
    files: str
    pattern: re.Pattern[str]
    message: str
    #: file globs of files the rule does not apply to, though ``files`` matches them
    exclude: tuple[str, ...] = ()


def excluded(settings: GraduationConfig) -> Sequence[str]:
    """The file globs every repository criterion skips."""
    globs: Sequence[str] = settings.value("exclude")
    return globs


def parse_examples_timeout(check: Checker, key: str, value: object) -> float:
    number = check.number(key, value, 0)
    if number <= 0 or number > MAX_EXAMPLES_TIMEOUT:
        raise check.fail(key, f"a number > 0 and <= {MAX_EXAMPLES_TIMEOUT:g}", value)
    return number


def parse_source_rules(check: Checker, key: str, value: object) -> tuple[SourceRule, ...]:
    if not isinstance(value, list):
        raise check.fail(key, "an array of tables {name, files, pattern, message}", value)
    return tuple(_rule(check, f"{key}[{index}]", raw) for index, raw in enumerate(value))


def _rule(check: Checker, key: str, raw: object) -> SourceRule:
    body = check.table(key, raw)
    check.known_keys(key, body, {"name", "files", "pattern", "message", "exclude"})
    for needed in ("name", "files", "pattern", "message"):
        if needed not in body:
            raise check.fail(f"{key}.{needed}", "this key to be set")
    return SourceRule(
        name=check.string(f"{key}.name", body["name"]),
        files=check.string(f"{key}.files", body["files"]),
        pattern=_pattern(check, f"{key}.pattern", body["pattern"]),
        message=check.string(f"{key}.message", body["message"]),
        exclude=check.strings(f"{key}.exclude", body.get("exclude", [])),
    )


def _pattern(check: Checker, key: str, value: object) -> re.Pattern[str]:
    text = check.string(key, value)
    try:
        with warnings.catch_warnings():
            # "[[": a FutureWarning today, a different meaning tomorrow (and a crash
            # under -W error): refuse it like any other bad pattern
            warnings.simplefilter("error")
            return re.compile(text)
    except (re.error, OverflowError, RecursionError, Warning) as exc:  # a{9999999999}, (((
        raise check.fail(key, f"a valid regular expression ({exc})", text) from None
