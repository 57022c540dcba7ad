"""Typed stash keys shared across modules (kept import-light: the entry point loads it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from pytest_graduation.gate import Gate
    from pytest_graduation.settings import GraduationConfig

settings_key: Final[pytest.StashKey[GraduationConfig]] = pytest.StashKey()
gate_key: Final[pytest.StashKey[Gate]] = pytest.StashKey()
