"""A Hypothesis profile that makes property tests repeatable while gating.

Derived from the active profile with ``derandomize=True, database=None`` (a fixed
seed per test, no replay of examples stored by earlier sessions), so every run of a
test draws the same examples. Left alone when ``--hypothesis-profile`` or
``--hypothesis-seed`` says what the user wants, and when Hypothesis is not installed
(it is no dependency of this plugin).

Hypothesis is never imported for this: importing it costs most of a second. If it is
already imported (by a ``conftest.py``), the profile is loaded at once; otherwise an
import hook loads it the moment a test module imports Hypothesis, before that
module's ``@settings(...)`` decorators copy the defaults.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, Final, final

import pytest

PROFILE: Final = "graduation-derandomized"


def wanted(config: pytest.Config) -> bool:
    """Whether to derive the profile: no explicit Hypothesis choice and it is installed."""
    if config.getoption("hypothesis_profile", None) is not None:
        return False
    if config.getoption("hypothesis_seed", None) is not None:
        return False
    return "hypothesis" in sys.modules or importlib.util.find_spec("hypothesis") is not None


@final
class _ThenLoader(importlib.abc.Loader):
    """Executes the module with its own loader, then calls ``then()``. The real loader
    may be shared (pytest's assertion rewriter loads Hypothesis, a pytest plugin's
    package), so it is wrapped, never patched; anything else goes to it."""

    def __init__(self, inner: importlib.abc.Loader, then: Callable[[], None]) -> None:
        self.inner = inner
        self.then = then

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        self.then()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@final
class _WhenImported(importlib.abc.MetaPathFinder):
    """Calls ``then()`` right after the ``hypothesis`` package has been executed."""

    def __init__(self, then: Callable[[], None]) -> None:
        self.then = then

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "hypothesis":
            return None
        self.remove()  # one shot; also keeps the lookup below from finding us
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _ThenLoader(spec.loader, self.then)
        return spec

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


@final
class DerandomizedProfile:
    """Loads the derived profile as soon as Hypothesis is imported, again after
    collection if a conftest or module loaded another one, and restores the previous
    profile when pytest unconfigures."""

    def __init__(self) -> None:
        self.previous: str | None = None
        self.hook: _WhenImported | None = None
        if "hypothesis" in sys.modules:
            self.apply()
        else:
            self.hook = _WhenImported(self.apply)
            sys.meta_path.insert(0, self.hook)

    def apply(self) -> None:
        from hypothesis import settings

        current = settings.get_current_profile_name()
        if current == PROFILE:
            return
        if self.previous is None:
            self.previous = current
        settings.register_profile(
            PROFILE, parent=settings.get_profile(current), derandomize=True, database=None
        )
        settings.load_profile(PROFILE)

    def pytest_collection_finish(self) -> None:
        if "hypothesis" in sys.modules:
            self.apply()

    def pytest_unconfigure(self) -> None:
        if self.hook is not None:
            self.hook.remove()
        if self.previous is None or "hypothesis" not in sys.modules:
            return
        from hypothesis import settings

        if settings.get_current_profile_name() == PROFILE:
            settings.load_profile(self.previous)
