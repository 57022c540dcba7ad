"""The ``observe`` fixture: always registered, in passive mode too.

``observe(value, name=None)`` serializes ``value`` exactly as ``golden.check`` would
(so an unserializable value fails the test, naming its type, in every mode) and, while
the determinism runner collects the test's observations, records it.
"""

from __future__ import annotations

from typing import final

import pytest

from pytest_graduation.observations import note, observations_key
from pytest_graduation.serialization import serialize, serializers_for


@final
class Observer:
    """Call it with a value (and an optional name) to add it to the test's observation."""

    __slots__ = ("_count", "_item")

    def __init__(self, item: pytest.Item) -> None:
        self._item = item
        self._count = 0

    def __call__(self, value: object, name: str | None = None) -> None:
        __tracebackhide__ = True
        if name is not None and not isinstance(name, str):
            raise TypeError(f"observe(name=...) must be a str or None, got {type(name).__name__}")
        self._count += 1
        try:
            serialized = serialize(value, serializers_for(self._item.config))
        except TypeError as exc:
            raise TypeError(f"observe: {exc}") from None
        if observations_key in self._item.stash:  # the determinism runner watches
            label = f"observe:{name}" if name is not None else f"observe:#{self._count}"
            note(self._item, label, serialized.content)  # the JSON text is made only now

    def __repr__(self) -> str:
        return f"<observe for {self._item.nodeid}>"


@pytest.fixture
def observe(request: pytest.FixtureRequest) -> Observer:
    """Record values that must be identical in every run of a deterministic test."""
    item = request.node
    assert isinstance(item, pytest.Item)
    return Observer(item)
