"""Per-process golden state, kept in ``config.stash`` and built on first use."""

from __future__ import annotations

from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.goldens.lockfile import LockError, read_lock
from pytest_graduation.goldens.paths import real_path, real_paths

#: fact streams (see :mod:`pytest_graduation.facts`)
USED_STREAM: Final = "golden_used"
MODULES_STREAM: Final = "golden_modules"
TESTS_STREAM: Final = "golden_tests"


@final
class GoldenState:
    """What ``golden.check`` needs in this process: settings, mode, frozen files."""

    def __init__(self, config: pytest.Config, golden_dir: str) -> None:
        self.config = config
        self.rootdir: Path = config.rootpath
        self.golden_dir = golden_dir
        self.update: bool = bool(config.getoption("update_goldens", False))
        self._frozen: frozenset[Path] | None = None

    def is_frozen(self, path: Path) -> bool:
        """Whether ``goldens.lock`` lists ``path`` (compared by real path, so a
        golden reached through a symlinked folder is frozen all the same)."""
        if self._frozen is None:
            try:
                entries = read_lock(self.rootdir) or {}
            except LockError as exc:
                raise pytest.UsageError(f"pytest-graduation: {exc}") from None
            self._frozen = frozenset(real_paths(entries, self.rootdir))
        return real_path(path) in self._frozen


state_key: Final = pytest.StashKey[GoldenState]()


def state_of(config: pytest.Config) -> GoldenState:
    """The state made by :func:`pytest_graduation.goldens.configure` (or a default)."""
    state = config.stash.get(state_key, None)
    if state is None:
        state = config.stash[state_key] = GoldenState(config, "golden")
    return state
