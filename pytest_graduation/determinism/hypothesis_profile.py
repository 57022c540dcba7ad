"""A Hypothesis profile that makes property tests repeatable while gating.

Derived from the active profile with ``derandomize=True, database=None`` (a fixed
seed per test, no replay of examples stored by earlier sessions), so every run of a
test draws the same examples. Left alone when ``--hypothesis-profile`` or
``--hypothesis-seed`` says what the user wants, and when Hypothesis is not installed
(it is no dependency of this plugin).
"""

from __future__ import annotations

import importlib.util
from typing import Final, final

import pytest

PROFILE: Final = "graduation-derandomized"


def wanted(config: pytest.Config) -> bool:
    """Whether to derive the profile: no explicit Hypothesis choice and it is installed."""
    if config.getoption("hypothesis_profile", None) is not None:
        return False
    if config.getoption("hypothesis_seed", None) is not None:
        return False
    return importlib.util.find_spec("hypothesis") is not None


@final
class DerandomizedProfile:
    """Loads the derived profile now (before test modules bind their ``@settings``), again
    after collection if a conftest or module loaded another one, and restores the
    previous profile when pytest unconfigures."""

    def __init__(self) -> None:
        from hypothesis import settings

        self.previous = settings.get_current_profile_name()
        self.apply()

    def apply(self) -> None:
        from hypothesis import settings

        current = settings.get_current_profile_name()
        if current == PROFILE:
            return
        settings.register_profile(
            PROFILE, parent=settings.get_profile(current), derandomize=True, database=None
        )
        settings.load_profile(PROFILE)

    def pytest_collection_finish(self) -> None:
        self.apply()

    def pytest_unconfigure(self) -> None:
        from hypothesis import settings

        if settings.get_current_profile_name() == PROFILE:
            settings.load_profile(self.previous)
