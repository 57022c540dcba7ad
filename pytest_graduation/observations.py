"""The meeting point of ``golden.check``/``observe`` and the determinism runner.

While the determinism runner repeats a test it puts an :class:`ObservationLog` in
the item's stash; ``golden.check`` and ``observe`` append the serialized value of
what they saw. Outside such a run there is no log and :func:`note` costs one lookup.
"""

from __future__ import annotations

from typing import Final, final

import pytest


@final
class ObservationLog:
    __slots__ = ("entries",)

    def __init__(self) -> None:
        #: (label, serialized content) in the order the test produced them
        self.entries: list[tuple[str, str | bytes]] = []


observations_key: Final = pytest.StashKey[ObservationLog]()


def note(item: pytest.Item, label: str, content: str | bytes) -> None:
    """Record one observed value of ``item`` if its observations are being collected."""
    log = item.stash.get(observations_key, None)
    if log is not None:
        log.entries.append((label, content))
