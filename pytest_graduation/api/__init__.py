"""The public-API criteria (SPEC section 14): ``api_frozen`` and ``api_documented``,
and ``pytest --freeze-api``.

The API is read statically with griffe, an optional dependency; nothing in this
package imports griffe at import time, so the plugin works without it and the
criteria say how to install it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pytest

from pytest_graduation.api.settings import TABLE_KEY, parse_api_table, require_table
from pytest_graduation.facts import is_xdist_worker
from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import ConfigError, flag, percentage

__all__ = ["FEATURE", "FREEZE_HINT", "INSTALL_HINT", "configure", "criteria_from"]

#: the hint of both criteria when griffe is missing
INSTALL_HINT: Final = 'pip install "pytest-graduation[api]"'
#: the hint when there is no lock to compare with
FREEZE_HINT: Final = "run pytest --freeze-api"


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Refuse the level keys without the table, and set up ``--freeze-api``."""
    try:
        table = require_table(settings)
    except ConfigError as exc:
        raise pytest.UsageError(f"pytest-graduation: {exc}") from None
    if not config.getoption("freeze_api", False):
        return
    if level is not None:
        raise pytest.UsageError(
            "pytest-graduation: --freeze-api cannot be combined with --graduation "
            "(a gate judges api.lock, it must not rewrite it)"
        )
    if table is None:
        raise pytest.UsageError(
            "pytest-graduation: --freeze-api needs the api table "
            '([tool.graduation.api] with packages = ["mypkg"]) to know what to record'
        )
    if is_xdist_worker(config):
        return  # the controller writes the lock, once
    from pytest_graduation.api.session import ApiFreezer

    config.pluginmanager.register(ApiFreezer(config, table), "graduation-api-freezer")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    # ``merge`` never runs ``configure``: the same refusal reaches it as a ConfigError
    table = require_table(settings)
    if table is None:
        return
    from pytest_graduation.api.criteria import ApiDocumentedCriterion, ApiFrozenCriterion

    if wanted.get("api_frozen"):
        yield ApiFrozenCriterion(table)
    if wanted.get("api_documented") is not None:
        yield ApiDocumentedCriterion(wanted["api_documented"], table)


FEATURE = Feature(
    name="api",
    criteria=criteria_from,
    keys=(
        Key("api_frozen", flag, "api_frozen"),
        Key("api_documented", percentage, "api_documented"),
    ),
    global_keys=(GlobalKey(TABLE_KEY, parse_api_table, None),),
    configure=configure,
)
