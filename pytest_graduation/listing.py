"""Long listings cut to a readable length: one helper and one policy for all of them.

A criterion's details list at most :data:`DETAILS` entries; a line or summary that
names things (node ids in one detail, the files most in need, pending tests in the
terminal) names at most :data:`NAMED`. What is cut is counted: ``... and N more``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

DETAILS: Final = 50
NAMED: Final = 10


def capped(lines: Sequence[str], limit: int = DETAILS, what: str = "more") -> list[str]:
    """``lines``, cut after ``limit`` with a last line counting the rest."""
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"... and {len(lines) - limit} {what}"]
