"""The ``items`` fact stream: what each collected test is, in batches of columns.

Under pytest-xdist every worker collects the whole suite and ships these facts to
the controller in ``workeroutput``. One object per test (``{"nodeid": ..., "phase":
..., "markers": [...], ...}``) cost about 100 bytes a test: 10 MB per worker at
100,000 tests, parsed again on the controller for each worker. A batch stores them
as the report's records table does (:mod:`record_table`): front-coded node ids and,
per test, an index into the distinct kinds (phase, markers, capabilities,
deselected), which a suite shares among thousands of tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytest_graduation.record_table import TableError, front_code, front_decode

#: what a collected test is: ``(phase, markers, capabilities, deselected)``
ItemKind = tuple[str, tuple[str, ...], tuple[str, ...], bool]


def item_batch(items: Sequence[tuple[str, ItemKind]]) -> dict[str, Any]:
    """One stream value for ``items`` (node id and kind, in collection order)."""
    kinds: dict[ItemKind, int] = {}
    kind = [kinds.setdefault(item_kind, len(kinds)) for _, item_kind in items]
    prefix, suffix = front_code(nodeid for nodeid, _ in items)
    return {
        "kinds": [[phase, list(m), list(c), deselected] for phase, m, c, deselected in kinds],
        "prefix": prefix,
        "suffix": suffix,
        "kind": kind,
    }


def _kind_facts(raw: Sequence[Any]) -> Mapping[str, Any]:
    phase, markers, capabilities, deselected = raw
    return {
        "phase": phase,
        "markers": frozenset(markers),
        "capabilities": tuple(capabilities),
        "deselected": deselected,
    }


def described_items(batches: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each test's facts (``phase``, ``markers``, ``capabilities``, ``deselected``)
    once, in the order of first collection; a process that ran a test beats one that
    deselected it. The facts of one kind are one shared mapping: do not change them."""
    described: dict[str, Mapping[str, Any]] = {}
    for batch in batches:
        try:
            kinds = [_kind_facts(raw) for raw in batch["kinds"]]
            nodeids = front_decode(batch["prefix"], batch["suffix"], "items")
            pairs = zip(nodeids, (kinds[index] for index in batch["kind"]), strict=True)
            for nodeid, facts in pairs:
                current = described.get(nodeid)
                if current is None or current["deselected"]:
                    described[nodeid] = facts
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            # written by this plugin's own recorder in each process: a bad batch is a
            # version mix-up or a bug, never a reason to judge without the tests
            raise TableError(f"an items batch that the recorder would not write: {exc}") from exc
    return described
