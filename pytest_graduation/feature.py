"""The feature contract: what one feature (goldens, determinism, coverage, ...)
declares in one place — its configuration keys with their validators and defaults,
its ``configure`` and its criteria. See ``docs/architecture.md``.

Adding a criterion touches its feature module, its docs page and its tests; the
configuration loader, the gate, the report and ``merge`` learn of it from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, final

if TYPE_CHECKING:
    import pytest

    from pytest_graduation.model import Criterion, GateRun
    from pytest_graduation.settings import GraduationConfig, LevelCriteria
    from pytest_graduation.validation import Checker

#: validates one value (``check.fail`` to refuse it); returns what settings keep
Check = Callable[["Checker", str, Any], Any]
Configure = Callable[["pytest.Config", "GraduationConfig", "str | None"], None]
Criteria = Callable[["LevelCriteria", "GraduationConfig"], "Iterable[Criterion]"]
Finish = Callable[["pytest.Config", "GateRun"], None]


@final
@dataclass(frozen=True)
class Key:
    """A key of ``[tool.graduation.criteria.<level>]``. ``criterion`` is the name of
    the criterion it switches on, or ``None`` for a setting of another key's criterion
    (``examples_timeout``)."""

    name: str
    check: Check
    criterion: str | None = None


@final
@dataclass(frozen=True)
class GlobalKey:
    """A key of ``[tool.graduation]`` itself, with the value used when it is not set."""

    name: str
    check: Check
    default: Any = None


def _nothing(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """A feature with nothing to register."""


@final
@dataclass(frozen=True)
class Feature:
    """One feature. ``configure`` runs in ``pytest_configure`` (``level`` is the gated
    level or ``None``); ``criteria`` turns a level's keys into criteria, and must be
    pure: criteria judge a :class:`~pytest_graduation.model.GateRun` of plain data."""

    name: str
    criteria: Criteria
    keys: tuple[Key, ...] = ()
    global_keys: tuple[GlobalKey, ...] = ()
    configure: Configure = _nothing
    #: ``configure`` only while gating (a feature that only ever judges)
    gating_only: bool = False
    #: after judging, on the judging process: keep what judging learned (a cache);
    #: criteria themselves never write
    finish: Finish | None = None

    @property
    def criterion_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k.criterion for k in self.keys if k.criterion))
