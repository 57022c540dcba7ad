"""The validated configuration as plain data: what every part of the plugin reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, final

DEFAULT_LEVELS: Final = ("alpha", "beta", "rc", "stable")


@final
@dataclass(frozen=True)
class Waiver:
    criterion: str
    reason: str
    expires: dt.date
    levels: tuple[str, ...] | None
    #: the one scope key that narrows it (``tests``, ``capabilities``, ``files``,
    #: ``items``), or None: it covers the whole criterion
    scope: str | None = None
    #: the globs or ids of ``scope``
    patterns: tuple[str, ...] = ()

    def applies_to(self, level: str) -> bool:
        return self.levels is None or level in self.levels

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "criterion": self.criterion,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "levels": list(self.levels) if self.levels is not None else None,
        }
        if self.scope is not None:
            data[self.scope] = list(self.patterns)
        return data


@final
class LevelCriteria(Mapping[str, Any]):
    """The effective criteria keys of one level, after inheritance; a key that is
    absent is off. Each feature reads its own keys with :meth:`get`."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any] | None = None, **keys: Any) -> None:
        self._values = {**(values or {}), **keys}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"LevelCriteria({self._values!r})"


@final
@dataclass(frozen=True)
class GraduationConfig:
    """The validated ``[tool.graduation]`` table."""

    source: Path | None = None
    levels: tuple[str, ...] = DEFAULT_LEVELS
    phases: Mapping[str, str] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    github_summary: bool = True
    #: the global keys that features declare (``golden_dir``, ``exclude``, ...), each
    #: validated by its feature, with the feature's default when not set
    values: Mapping[str, Any] = field(default_factory=dict)
    #: per level, only the keys that level sets itself (before inheritance)
    own_criteria: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: a stable digest of the raw table, so shard reports can be checked for agreement
    digest: str = ""
    #: a digest of each top-level key (``criteria`` split by level), so that ``merge``
    #: can name the keys in which two configurations differ
    key_digests: Mapping[str, str] = field(default_factory=dict)

    def criteria_for(self, level: str) -> LevelCriteria:
        """The criteria of ``level``: every lower level's keys, later levels replacing whole."""
        merged: dict[str, Any] = {}
        for name in self.levels[: self.levels.index(level) + 1]:
            merged.update(self.own_criteria.get(name, {}))
        return LevelCriteria(merged)

    def level_index(self, level: str) -> int:
        return self.levels.index(level)

    def value(self, key: str) -> Any:
        """A feature's global key (its default when the file does not set it)."""
        if key in self.values:
            return self.values[key]
        from pytest_graduation.features import global_default

        return global_default(key)
