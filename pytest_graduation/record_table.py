"""The compact form of per-test records in the JSON report (SPEC section 20).

A suite of a million tests must give a report of tens of megabytes, not of hundreds,
and ``merge`` must read ten of them within a second or two each. A record as an
object repeats every key and most values (the phase, the markers, the capabilities
are the same for thousands of tests); so the report stores the records as columns:

- ``prefix`` / ``suffix``: the node ids, front-coded: each node id is the first
  ``prefix[i]`` characters of the one before it followed by ``suffix[i]``
  (collection order keeps the tests of a file together, so most suffixes are short);
- ``outcome``: one character per record, read through ``legend``;
- ``kind``: per record, an index into ``kinds``, the distinct combinations of
  phase, markers, capabilities, ``required`` and ``deselected``;
- ``reruns``: ``[index, count]`` for the records that were rerun (most are not);
- ``texts`` / ``messages``: the distinct failure messages and skip reasons, and
  ``[index, text index]`` for each record that has one, so that a merged verdict
  names why a test failed as the live one does (SPEC section 19).

:func:`decode` checks every column before it builds anything from it: the table is
untrusted input when ``merge`` reads a shard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, final

from pytest_graduation.model import Outcome, TestRecord, record_of_fields

#: one character per outcome; written into every table as its ``legend``
LEGEND: Final = {
    "p": Outcome.PASSED,
    "f": Outcome.FAILED,
    "e": Outcome.ERROR,
    "s": Outcome.SKIPPED,
    "x": Outcome.XFAILED,
    "X": Outcome.XPASSED,
    "n": Outcome.NOT_RUN,
}
CODES: Final = {outcome: code for code, outcome in LEGEND.items()}

#: ``--graduation-report-tests``: which records a report keeps
ALL: Final = "all"
FAILED: Final = "failed"
NONE: Final = "none"
INCLUDED: Final = (NONE, FAILED, ALL)
#: the outcomes ``--graduation-report-tests=failed`` keeps
FAILING: Final = (Outcome.FAILED, Outcome.ERROR)


class TableError(ValueError):
    """A records table that the writer would not produce."""


def kept(records: Iterable[TestRecord], included: str) -> list[TestRecord]:
    """The records a report with ``--graduation-report-tests=included`` holds."""
    if included == ALL:
        return list(records)
    if included == FAILED:
        return [r for r in records if r.outcome in FAILING]
    return []


def _shared_prefix(first: str, second: str) -> int:
    length = min(len(first), len(second))
    index = 0
    while index < length and first[index] == second[index]:
        index += 1
    return index


def front_code(nodeids: Iterable[str]) -> tuple[list[int], list[str]]:
    """``(prefix, suffix)``: each node id as the length it shares with the one before
    it and the rest (:func:`front_decode` reverses it)."""
    prefix, suffix = [], []
    previous = ""
    for nodeid in nodeids:
        shared = _shared_prefix(previous, nodeid)
        prefix.append(shared)
        suffix.append(nodeid[shared:])
        previous = nodeid
    return prefix, suffix


def front_decode(prefix: Sequence[int], suffix: Sequence[str], where: str) -> tuple[str, ...]:
    """The node ids :func:`front_code` gave ``prefix`` and ``suffix`` for (lengths
    already checked to be non-negative ints); ``where`` names the columns in errors."""
    nodeids: list[str] = []
    previous = ""
    for index, (shared, rest) in enumerate(zip(prefix, suffix, strict=True)):
        if shared > len(previous):
            raise TableError(f"{where}.prefix[{index}] is not a length of the node id before it")
        previous = previous[:shared] + rest
        nodeids.append(previous)
    return tuple(nodeids)


def encode(records: Sequence[TestRecord], included: str = ALL) -> dict[str, Any]:
    """The table of ``records`` (already filtered by :func:`kept`)."""
    kinds: dict[tuple[Any, ...], int] = {}
    texts: dict[str, int] = {}
    kind, reruns, codes, messages = [], [], [], []
    prefix, suffix = front_code(record.nodeid for record in records)
    for index, record in enumerate(records):
        codes.append(CODES[record.outcome])
        markers, capabilities = tuple(sorted(record.markers)), tuple(record.capabilities)
        key = (record.phase, markers, capabilities, record.required, record.deselected)
        kind.append(kinds.setdefault(key, len(kinds)))
        if record.reruns:
            reruns.append([index, record.reruns])
        if record.longrepr:
            messages.append([index, texts.setdefault(record.longrepr, len(texts))])
    return {
        "included": included,
        "count": len(records),
        "legend": dict(LEGEND),
        "kinds": [
            {
                "phase": phase,
                "markers": list(markers),
                "capabilities": list(capabilities),
                "required": required,
                "deselected": deselected,
            }
            for phase, markers, capabilities, required, deselected in kinds
        ],
        "prefix": prefix,
        "suffix": suffix,
        "outcome": "".join(codes),
        "kind": kind,
        "reruns": reruns,
        "texts": list(texts),
        "messages": messages,
    }


@final
@dataclass(frozen=True)
class Kind:
    """What the records of one ``kinds`` entry share."""

    phase: str
    markers: frozenset[str]
    capabilities: tuple[str, ...]
    required: bool
    deselected: bool

    def template(self) -> dict[str, Any]:
        """The fields of a record of this kind, but for its node id and outcome."""
        return {
            "nodeid": "",
            "outcome": Outcome.NOT_RUN,
            "phase": self.phase,
            "markers": self.markers,
            "required": self.required,
            "reruns": 0,
            "capabilities": self.capabilities,
            "deselected": self.deselected,
            "longrepr": "",
        }


@final
@dataclass(frozen=True)
class RecordTable:
    """A decoded, checked table: columns, one entry per record."""

    included: str
    nodeids: tuple[str, ...]
    outcomes: tuple[str, ...]
    kinds: tuple[Kind, ...]
    #: per record, its index into ``kinds``
    kind: tuple[int, ...]
    #: record index -> rerun count, for the records that were rerun
    reruns: Mapping[int, int]
    #: record index -> its failure message or skip reason, for the records with one
    messages: Mapping[int, str]

    def records(self, required: Callable[[Kind], bool] | None = None) -> tuple[TestRecord, ...]:
        """The records; ``required`` decides their ``required`` anew (``merge`` judges
        at its own level) instead of the table's."""
        templates = [kind.template() for kind in self.kinds]
        if required is not None:
            for kind, template in zip(self.kinds, templates, strict=True):
                template["required"] = required(kind)
        made = []
        for nodeid, outcome, index in zip(self.nodeids, self.outcomes, self.kind, strict=True):
            fields = templates[index].copy()
            fields["nodeid"], fields["outcome"] = nodeid, outcome
            made.append(fields)
        for position, count in self.reruns.items():
            made[position]["reruns"] = count
        for position, text in self.messages.items():
            made[position]["longrepr"] = text
        return tuple(map(record_of_fields, made))


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise TableError(what)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and set(map(type, value)) <= {str}


def _all_indices(values: list[Any]) -> bool:
    """Every value a non-negative ``int`` (``bool`` is not one); checked a column at a
    time, without a Python-level call per value (a column has a million)."""
    return set(map(type, values)) <= {int} and (not values or min(values) >= 0)


def _kind(raw: object, index: int) -> Kind:
    _expect(
        isinstance(raw, dict)
        and isinstance(raw.get("phase"), str)
        and _is_strings(raw.get("markers"))
        and _is_strings(raw.get("capabilities"))
        and isinstance(raw.get("required"), bool)
        and isinstance(raw.get("deselected"), bool),
        f"records.kinds[{index}] is not a kind "
        "({phase, markers, capabilities, required, deselected})",
    )
    assert isinstance(raw, dict)
    return Kind(
        raw["phase"],
        frozenset(raw["markers"]),
        tuple(raw["capabilities"]),
        raw["required"],
        raw["deselected"],
    )


def _legend(raw: object) -> dict[str, str]:
    _expect(
        isinstance(raw, dict)
        and all(isinstance(k, str) and len(k) == 1 for k in raw)
        and all(v in Outcome.SEVERITY for v in raw.values()),
        "records.legend does not map single characters to outcomes",
    )
    assert isinstance(raw, dict)
    return raw


def _nodeids(prefix: object, suffix: object, count: int) -> tuple[str, ...]:
    _expect(isinstance(prefix, list) and len(prefix) == count, "records.prefix is not `count` long")
    _expect(
        isinstance(suffix, list) and _is_strings(suffix) and len(suffix) == count,
        "records.suffix is not `count` strings",
    )
    assert isinstance(prefix, list) and isinstance(suffix, list)
    _expect(_all_indices(prefix), "records.prefix is not a list of lengths")
    return front_decode(prefix, suffix, "records")


def _pairs(
    raw: object, count: int, column: str, second: str, below: int | None = None
) -> dict[int, int]:
    """``records.<column>``: ``[record index, <second>]`` pairs, distinct record
    indices below ``count``, and second values below ``below`` when it is given."""
    _expect(isinstance(raw, list), f"records.{column} is not a list")
    assert isinstance(raw, list)
    found: dict[int, int] = {}
    for entry in raw:
        _expect(
            isinstance(entry, list)
            and len(entry) == 2
            and all(_is_index(v) for v in entry)
            and entry[0] < count
            and (below is None or entry[1] < below)
            and entry[0] not in found,
            f"records.{column} is not a list of distinct [record index, {second}] pairs",
        )
        found[entry[0]] = entry[1]
    return found


def _messages(texts: object, pairs: object, count: int) -> dict[int, str]:
    """The messages column; tables written before it existed have neither key."""
    if texts is None and pairs is None:
        return {}
    _expect(_is_strings(texts), "records.texts is not a list of strings")
    assert isinstance(texts, list)
    found = _pairs(pairs, count, "messages", "text index", below=len(texts))
    return {position: texts[text] for position, text in found.items()}


def decode(raw: object) -> RecordTable:
    """The table a :func:`encode` document describes; :class:`TableError` says what is
    wrong with any other."""
    _expect(isinstance(raw, dict), "'records' is not a records table (an object)")
    assert isinstance(raw, dict)
    included, count = raw.get("included"), raw.get("count")
    _expect(included in INCLUDED, f"records.included is not one of {', '.join(INCLUDED)}")
    _expect(_is_index(count), "records.count is not a count")
    assert isinstance(included, str) and isinstance(count, int)
    legend = _legend(raw.get("legend"))
    kinds = raw.get("kinds")
    _expect(isinstance(kinds, list), "records.kinds is not a list")
    assert isinstance(kinds, list)
    decoded_kinds = tuple(_kind(k, i) for i, k in enumerate(kinds))
    codes = raw.get("outcome")
    _expect(isinstance(codes, str) and len(codes) == count, "records.outcome is not `count` long")
    assert isinstance(codes, str)
    _expect(set(codes) <= legend.keys(), "records.outcome has a code that is not in the legend")
    kind = raw.get("kind")
    _expect(
        isinstance(kind, list)
        and len(kind) == count
        and _all_indices(kind)
        and (not kind or max(kind) < len(decoded_kinds)),
        "records.kind is not `count` indices into records.kinds",
    )
    assert isinstance(kind, list)
    return RecordTable(
        included=included,
        nodeids=_nodeids(raw.get("prefix"), raw.get("suffix"), count),
        outcomes=tuple(legend[code] for code in codes),
        kinds=decoded_kinds,
        kind=tuple(kind),
        reruns=_pairs(raw.get("reruns"), count, "reruns", "count"),
        messages=_messages(raw.get("texts"), raw.get("messages"), count),
    )
