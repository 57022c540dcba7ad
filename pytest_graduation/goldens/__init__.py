"""Golden files: the ``golden`` fixture, ``--update-goldens``, ``--freeze-goldens``
and the ``obsolete_goldens`` / ``frozen_goldens`` criteria.

Modules: :mod:`.serialization` (values to file content, comparison, diffs),
:mod:`.compare` and :mod:`.diffing` (their engines), :mod:`.paths` (layout and
safe names), :mod:`.storage` (atomic writes), :mod:`.lockfile` (``goldens.lock``),
:mod:`.fixture` (``golden.check``), :mod:`.session` (tracking, updates, freezing),
:mod:`.obsolete` and :mod:`.criteria`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.facts import is_xdist_worker
from pytest_graduation.goldens import fixture
from pytest_graduation.goldens.state import GoldenState, state_key
from pytest_graduation.model import Criterion


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""
    config.stash[state_key] = GoldenState(config, settings.golden_dir)
    config.pluginmanager.register(fixture, "graduation-golden-fixture")
    update = bool(config.getoption("update_goldens"))
    freeze = bool(config.getoption("freeze_goldens"))
    judged = level is not None and settings.criteria_for(level).max_obsolete_goldens is not None
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
            Maintainer(config, settings.golden_dir, update, freeze), "graduation-golden-maintainer"
        )


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    from pytest_graduation.goldens.criteria import (
        FrozenGoldensCriterion,
        ObsoleteGoldensCriterion,
    )

    if wanted.max_obsolete_goldens is not None:
        yield ObsoleteGoldensCriterion(wanted.max_obsolete_goldens, settings.golden_dir)
    if wanted.frozen_goldens:
        yield FrozenGoldensCriterion()
