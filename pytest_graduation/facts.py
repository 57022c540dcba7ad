"""Facts gathered where tests run, shipped to where the gate judges.

A feature adds JSON-compatible values to a named stream (``store.add("golden_use",
{...})``). In a serial run the gate reads the same store; under pytest-xdist each
worker sends its streams to the controller in ``workeroutput`` and the controller
appends them to its own store, so criteria read one combined view either way.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Final, final

import pytest

WORKEROUTPUT_KEY: Final = "graduation_facts"
#: node ids whose outcome flipped between determinism runs (read by the ``flaky`` criterion)
FLAKY_STREAM: Final = "flaky"


@final
class FactStore:
    __slots__ = ("_streams",)

    def __init__(self) -> None:
        self._streams: dict[str, list[Any]] = {}

    def add(self, stream: str, value: Any) -> None:
        self._streams.setdefault(stream, []).append(value)

    def get(self, stream: str) -> Sequence[Any]:
        return self._streams.get(stream, ())

    def streams(self) -> Mapping[str, Sequence[Any]]:
        return self._streams

    def dumps(self) -> str:
        return json.dumps(self._streams, separators=(",", ":"))

    def merge_dumped(self, payload: str) -> None:
        """Append the streams of another process (a JSON text: never unpickled)."""
        for stream, values in json.loads(payload).items():
            self._streams.setdefault(stream, []).extend(values)


facts_key: Final = pytest.StashKey[FactStore]()


def facts_of(config: pytest.Config) -> FactStore:
    """The run's fact store (created on first use, in passive mode too)."""
    store = config.stash.get(facts_key, None)
    if store is None:
        store = config.stash[facts_key] = FactStore()
    return store


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@final
class FactShipping:
    """Moves worker facts to the controller. Registered only when xdist is installed."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        #: why the facts of a worker are missing, one sentence per worker
        self.lost_workers: list[str] = []

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self) -> Generator[None, None, None]:
        # The innermost wrapper: facts added by any sessionfinish hook are in, and they
        # are shipped even when one of those hooks raised (a project's conftest that
        # checks the tree on the workers must not erase the gate's facts).
        try:
            return (yield)
        finally:
            if is_xdist_worker(self.config):
                workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
                workeroutput[WORKEROUTPUT_KEY] = facts_of(self.config).dumps()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None)
        payload = output.get(WORKEROUTPUT_KEY) if isinstance(output, dict) else None
        if isinstance(payload, str):
            facts_of(self.config).merge_dumped(payload)
            return
        name = str(getattr(getattr(node, "gateway", None), "id", "?"))
        if error is None and isinstance(output, dict):
            self.lost_workers.append(f"{name} finished but sent no facts")
        else:
            self.lost_workers.append(f"{name} was lost; its results are missing")


shipping_key: Final = pytest.StashKey[FactShipping]()
