"""Golden files: the ``golden`` fixture, ``--update-goldens``, ``--freeze-goldens``
and the ``obsolete_goldens`` / ``frozen_goldens`` criteria.

Modules: :mod:`.serialization` (values to file content, comparison, diffs),
:mod:`.compare` and :mod:`.diffing` (their engines), :mod:`.paths` (layout and
safe names), :mod:`.storage` (atomic writes), :mod:`.lockfile` (``goldens.lock``),
:mod:`.fixture` (``golden.check``), :mod:`.session` (tracking, updates, freezing),
:mod:`.obsolete` and :mod:`.criteria`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import pytest

from pytest_graduation.facts import is_xdist_worker
from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.goldens import fixture
from pytest_graduation.goldens.state import GoldenState, state_key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import Checker, flag, whole_number

PLAIN_NAME: Final = re.compile(r"[A-Za-z0-9_.-]+\Z")


def parse_golden_dir(check: Checker, key: str, value: object) -> str:
    name = check.string(key, value)
    if not PLAIN_NAME.match(name) or name in (".", ".."):
        raise check.fail(key, "a plain folder name (letters, digits, _ - .)", name)
    return name


def golden_dir(settings: GraduationConfig) -> str:
    name: str = settings.value("golden_dir")
    return name


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""
    config.stash[state_key] = GoldenState(config, golden_dir(settings))
    config.pluginmanager.register(fixture, "graduation-golden-fixture")
    update = bool(config.getoption("update_goldens"))
    freeze = bool(config.getoption("freeze_goldens"))
    judged = level is not None and "max_obsolete_goldens" in settings.criteria_for(level)
    if not (update or freeze or judged):
        return  # passive: the fixture alone, without the session machinery's imports
    from pytest_graduation.goldens.lockfile import LockError, read_lock
    from pytest_graduation.goldens.session import Maintainer, Tracker

    if update or judged:
        config.pluginmanager.register(Tracker(config), "graduation-golden-tracker")
    if (update or freeze) and not is_xdist_worker(config):
        try:
            read_lock(config.rootpath)
        except LockError as exc:
            raise pytest.UsageError(f"pytest-graduation: {exc}") from None
        config.pluginmanager.register(
            Maintainer(config, golden_dir(settings), update, freeze), "graduation-golden-maintainer"
        )


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    from pytest_graduation.goldens.criteria import (
        FrozenGoldensCriterion,
        ObsoleteGoldensCriterion,
    )

    if wanted.get("max_obsolete_goldens") is not None:
        yield ObsoleteGoldensCriterion(wanted["max_obsolete_goldens"], golden_dir(settings))
    if wanted.get("frozen_goldens"):
        yield FrozenGoldensCriterion()


FEATURE = Feature(
    name="goldens",
    criteria=criteria_from,
    keys=(
        Key("max_obsolete_goldens", whole_number(0), "obsolete_goldens"),
        Key("frozen_goldens", flag, "frozen_goldens"),
    ),
    global_keys=(GlobalKey("golden_dir", parse_golden_dir, "golden"),),
    configure=configure,
)
