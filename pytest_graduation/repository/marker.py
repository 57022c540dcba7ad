"""The marker of example items (a module of its own: passive runs register it
without importing the examples machinery)."""

from __future__ import annotations

from typing import Final

EXAMPLE_MARKER: Final = "graduation_example"
MARKER_LINE: Final = (
    f"{EXAMPLE_MARKER}: an example script run as a test item (added by pytest-graduation)"
)
