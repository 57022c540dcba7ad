"""The derandomized Hypothesis profile's parts, in process: the import hook that
loads it when a test module first imports Hypothesis, and the profile's lifecycle.

The suite has imported Hypothesis already; tests that need it not imported yet hide
it from ``sys.modules`` (monkeypatch puts it back) and never import it again."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from pytest_graduation.determinism.hypothesis_profile import (
    PROFILE,
    DerandomizedProfile,
    _ThenLoader,
    _WhenImported,
)


def test_the_wrapping_loader_runs_the_module_then_the_callback(tmp_path: Path) -> None:
    source = tmp_path / "tiny_then.py"
    source.write_text("VALUE = 41\n")
    spec = importlib.util.spec_from_file_location("tiny_then", source)
    assert spec is not None and spec.loader is not None
    seen: list[object] = []
    module = importlib.util.module_from_spec(spec)
    loader = _ThenLoader(spec.loader, lambda: seen.append(module.VALUE))
    assert loader.create_module(spec) is None  # the default module creation
    loader.exec_module(module)
    assert seen == [41]  # called after the module ran
    # anything else is the real loader's
    assert loader.get_filename("tiny_then") == str(source)


def test_the_import_hook_wraps_only_hypothesis_and_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "hypothesis")
    calls: list[int] = []
    hook = _WhenImported(lambda: calls.append(1))
    monkeypatch.setattr(sys, "meta_path", [hook, *sys.meta_path])
    assert hook.find_spec("hypothesis_extra", None) is None
    assert hook in sys.meta_path
    spec = hook.find_spec("hypothesis", None)
    assert hook not in sys.meta_path  # one shot
    assert spec is not None and isinstance(spec.loader, _ThenLoader)
    assert spec.origin is not None and Path(spec.origin).name == "__init__.py"
    assert spec.loader.then() is None and calls == [1]
    hook.remove()  # removing twice is harmless
    assert hook not in sys.meta_path


def test_the_import_hook_leaves_a_missing_hypothesis_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delitem(sys.modules, "hypothesis")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])  # Hypothesis is not installed here
    hook = _WhenImported(lambda: None)
    assert hook.find_spec("hypothesis", None) is None


def test_before_hypothesis_is_imported_the_profile_waits_for_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = settings.get_current_profile_name()
    monkeypatch.delitem(sys.modules, "hypothesis")
    profile = DerandomizedProfile()
    try:
        assert profile.hook is not None and sys.meta_path[0] is profile.hook
        assert profile.hook.then == profile.apply
        profile.pytest_collection_finish()  # still not imported: nothing to load
        assert profile.previous is None
    finally:
        profile.pytest_unconfigure()
    assert profile.hook not in sys.meta_path
    assert settings.get_current_profile_name() == before


@pytest.fixture
def user_profile() -> Iterator[str]:
    """A profile of the user's, active before the session; the original is restored."""
    original = settings.get_current_profile_name()
    settings.register_profile("graduation-test-user", max_examples=7)
    settings.load_profile("graduation-test-user")
    yield "graduation-test-user"
    settings.load_profile(original)


def test_the_profile_is_loaded_again_after_collection_and_the_first_one_restored(
    user_profile: str,
) -> None:
    profile = DerandomizedProfile()  # Hypothesis is imported: loaded at once
    assert profile.hook is None
    assert settings.get_current_profile_name() == PROFILE
    # derived from the user's profile, with a fixed seed and no example database
    current = settings.default
    assert current is not None
    assert current.max_examples == 7
    assert current.derandomize is True
    assert current.database is None
    profile.apply()  # loaded already: nothing changes
    assert profile.previous == user_profile
    settings.load_profile("default")  # a conftest or module loads its own
    profile.pytest_collection_finish()
    assert settings.get_current_profile_name() == PROFILE
    assert profile.previous == user_profile  # the profile before the session
    profile.pytest_unconfigure()
    assert settings.get_current_profile_name() == user_profile


def test_a_profile_loaded_after_ours_is_left_alone_at_the_end(user_profile: str) -> None:
    profile = DerandomizedProfile()
    settings.load_profile("default")
    profile.pytest_unconfigure()
    assert settings.get_current_profile_name() == "default"
