"""Joining the records of CI shard reports (``merge``), at the scale of a million
tests: shards whose tests are all their own are taken as they are; tests in several
shards, or deselected in some, are joined per node id, the worst outcome winning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_graduation.model import Outcome, TestRecord, record_of_fields
from pytest_graduation.outcomes import SEVERITY
from pytest_graduation.record_table import Kind
from pytest_graduation.settings import GraduationConfig
from pytest_graduation.shards import ShardReport


@dataclass
class Merged:
    """The shards' records joined. Usually every test ran in one shard and none was
    deselected: the records are then each shard's, one after the other
    (:attr:`disjoint`). Otherwise they are joined per node id, in dicts."""

    shards: Sequence[ShardReport] = ()
    #: every test in one shard, none deselected: no record needs joining
    disjoint: bool = True
    #: what each test is; a shard that ran it beats one that deselected it
    described: dict[str, Kind] = field(default_factory=dict)
    #: the worst outcome of each test in the shards that ran it
    outcomes: dict[str, str] = field(default_factory=dict)
    #: its outcome in the first shard that ran it, and that shard's position
    first: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: the most reruns a shard reported, for the tests that were rerun
    reruns: dict[str, int] = field(default_factory=dict)
    facts: dict[str, list[Any]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    collection_errors: list[str] = field(default_factory=list)

    def records(self, settings: GraduationConfig, level: str) -> tuple[TestRecord, ...]:
        """The joined records, judged at ``level``: built once, here (a million of
        them is the size this is written for)."""
        target = settings.level_index(level)

        def required(kind: Kind) -> bool:
            phase = kind.phase
            return phase not in settings.levels or settings.level_index(phase) <= target

        if self.disjoint:
            return tuple(r for shard in self.shards for r in shard.table.records(required))
        templates: dict[int, dict[str, Any]] = {}  # by the kind's identity: few, shared
        made = []
        for nodeid, kind in self.described.items():
            template = templates.get(id(kind))
            if template is None:
                template = templates[id(kind)] = {**kind.template(), "required": required(kind)}
            fields = template.copy()
            fields["nodeid"] = nodeid
            outcome = self.outcomes.get(nodeid)
            if outcome is not None:
                fields["outcome"], fields["deselected"] = outcome, False
                fields["reruns"] = self.reruns.get(nodeid, 0)
            made.append(fields)
        return tuple(map(record_of_fields, made))


def _all_disjoint(shards: Sequence[ShardReport]) -> bool:
    """Whether every test is in one shard report only and none is deselected."""
    seen: set[str] = set()
    for shard in shards:
        if any(kind.deselected for kind in shard.table.kinds):
            return False
        if not seen.isdisjoint(shard.table.nodeids):
            return False
        seen.update(shard.table.nodeids)
    return True


def _join_records(merged: Merged, shards: Sequence[ShardReport], position: int) -> None:
    """One shard's records into the joined dicts (tests in several shards, or
    deselected in some)."""
    table = shards[position].table
    described, outcomes, first = merged.described, merged.outcomes, merged.first
    kinds = list(map(table.kinds.__getitem__, table.kind))
    for index, (nodeid, outcome, kind) in enumerate(
        zip(table.nodeids, table.outcomes, kinds, strict=True)
    ):
        known = described.get(nodeid)
        if known is None or known.deselected:
            described[nodeid] = kind
        worst = outcomes.get(nodeid)
        if kind.deselected or (outcome == Outcome.NOT_RUN and worst is not None):
            continue
        if index in table.reruns:
            merged.reruns[nodeid] = max(merged.reruns.get(nodeid, 0), table.reruns[index])
        if worst is None:
            outcomes[nodeid], first[nodeid] = outcome, (outcome, position)
            continue
        seen, where = first[nodeid]
        if seen != outcome:
            merged.conflicts.append(
                f"{nodeid}: {seen} in {shards[where].path.name} "
                f"but {outcome} in {shards[position].path.name}"
            )
        if SEVERITY[outcome] > SEVERITY[worst]:
            outcomes[nodeid] = outcome


def combine(shards: Sequence[ShardReport]) -> Merged:
    """Join the shards' records and facts. A test that ran in several shards with
    different outcomes keeps the worst one and is listed as a conflict."""
    merged = Merged(shards=shards, disjoint=_all_disjoint(shards))
    for position, shard in enumerate(shards):
        if not merged.disjoint:
            _join_records(merged, shards, position)
        for stream, values in shard.data["facts"].items():
            merged.facts.setdefault(stream, []).extend(values)
        merged.collection_errors += [
            f"{e} ({shard.path.name})" for e in shard.data["collection_errors"]
        ]
    return merged
