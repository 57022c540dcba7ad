"""The baselines feature's configuration keys and their validators."""

from __future__ import annotations

import math
from pathlib import PurePosixPath, PureWindowsPath
from typing import Final

from pytest_graduation.validation import Checker

DEFAULT_BASELINE: Final = "graduation-baseline.json"


def parse_baseline_path(check: Checker, key: str, value: object) -> str:
    """A file path relative to the rootdir that cannot leave it: no absolute path, no
    drive, no ``..`` (the baseline is written there)."""
    text = check.string(key, value)
    posix, windows = PurePosixPath(text), PureWindowsPath(text)
    escapes = ".." in posix.parts or ".." in windows.parts
    if posix.is_absolute() or windows.anchor or escapes or "\0" in text:
        raise check.fail(key, "a file path relative to the rootdir, without ..", value)
    if text.endswith(("/", "\\")) or posix.name in ("", "."):
        raise check.fail(key, "a file path relative to the rootdir (not a folder)", value)
    return posix.as_posix()


def non_negative(check: Checker, key: str, value: object) -> float:
    """A finite number >= 0: an infinite tolerance would let every drop through."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and math.isfinite(value) and value >= 0:  # type: ignore[arg-type,operator]
        return float(value)  # type: ignore[arg-type]
    raise check.fail(key, "a finite number >= 0", value)
