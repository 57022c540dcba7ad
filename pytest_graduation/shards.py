"""Reading CI shard reports as untrusted input: each must be a regular file, is
size-limited (after decompression, for a ``.json.gz``), parsed as strict JSON (never
unpickled, never evaluated; no ``NaN``, no infinities, bounded depth) and read
through the report format's strict reader. The same report given twice, a shard that
judged nothing and one without its test records are refused."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pytest_graduation.record_table import ALL, NONE, RecordTable
from pytest_graduation.regular_files import NotAFile, TooLarge, read_regular
from pytest_graduation.report import NOT_JUDGED, GraduationReport
from pytest_graduation.report_reader import (
    ReportError,
    SchemaVersionError,
    check_version,
    read_report_and_table,
)

#: the largest report read, once decompressed: a report of 1,000,000 tests is about
#: 37 MB (docs/performance.md), and the limit keeps what one hostile shard can make
#: merge allocate bounded (a gzip bomb is cut off here, not inflated to its end)
MAX_REPORT_BYTES: Final = 64 * 1024 * 1024
GZIP_MAGIC: Final = b"\x1f\x8b"
#: a report written by the plugin nests about 35 deep (strict JSON cuts at 32)
MAX_DEPTH: Final = 64


class MergeError(Exception):
    """A report or an argument that cannot be merged; exit code 4."""


@dataclass
class ShardReport:
    path: Path
    #: the document without its records, validated by ``report``'s reader
    data: dict[str, Any]
    #: the report, without records: they are in ``table``
    report: GraduationReport
    table: RecordTable


def _read_bounded(path: Path) -> bytes:
    """The bytes of ``path``, only when it is a regular file of at most
    :data:`MAX_REPORT_BYTES`: opening a FIFO or a device would block or never end."""
    try:
        content = read_regular(path, MAX_REPORT_BYTES)
    except NotAFile as exc:
        raise MergeError(f"{path}: cannot read: it is a {exc.kind}, not a regular file") from None
    except TooLarge as exc:
        size = "" if exc.size is None else f" {exc.size} bytes is"
        raise MergeError(f"{path}:{size} over the {exc.limit} byte limit") from None
    except OSError as exc:
        raise MergeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _gunzipped(path, content) if content.startswith(GZIP_MAGIC) else content


def _gunzipped(path: Path, content: bytes) -> bytes:
    """The decompressed bytes of a gzip file (by its magic number, whatever its name),
    at most :data:`MAX_REPORT_BYTES` of them: inflating stops at the limit."""
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflate.decompress(content, MAX_REPORT_BYTES + 1)
    except zlib.error as exc:
        raise MergeError(f"{path}: not a valid gzip file: {exc}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise MergeError(f"{path}: over the {MAX_REPORT_BYTES} byte limit once decompressed")
    if not inflate.eof:
        raise MergeError(f"{path}: not a valid gzip file: it ends before its data does")
    if inflate.unused_data:
        # a second gzip member would be a second document glued to the first
        raise MergeError(f"{path}: not a valid gzip file: data after the end of the report")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a report (strict JSON)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range (strict JSON)")
    return value


_NESTED: Final = frozenset({dict, list})


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit``; iterative, so any depth is safe.
    A list of plain values (a records column of a million) is passed over by the
    types of its items, without a Python-level step per item."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        if _NESTED.isdisjoint(set(map(type, children))):
            continue
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def parse_strict(path: Path, content: bytes) -> Any:
    """Strict JSON: no ``NaN``/``Infinity``, no number out of float range, at most
    :data:`MAX_DEPTH` levels deep. Anything else is a :class:`MergeError`."""
    try:
        data = json.loads(content.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise MergeError(f"{path}: not valid JSON: nested deeper than {MAX_DEPTH}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise MergeError(f"{path}: not valid JSON: {exc}") from None
    if isinstance(data, (dict, list)) and _deeper_than(data, MAX_DEPTH):
        raise MergeError(f"{path}: not valid JSON: nested deeper than {MAX_DEPTH}")
    return data


def _refuse_unjudged(path: Path, data: Mapping[str, Any]) -> None:
    if data.get("verdict") == NOT_JUDGED:
        reason = data.get("reason")
        why = reason[:300] if isinstance(reason, str) and reason else "no reason given"
        raise MergeError(
            f"{path}: the shard judged nothing (verdict not-judged: {why}); run it again"
        )


def _refuse_partial(path: Path, table: RecordTable) -> None:
    if table.included != ALL:
        held = "no test records" if table.included == NONE else "only the failed tests' records"
        raise MergeError(
            f"{path}: the report holds {held} (--graduation-report-tests={table.included}); "
            "merge judges every test, so run the shard with --graduation-report-tests=all "
            "(the default)"
        )


def read_shard(path: Path) -> ShardReport:
    """Read one shard report: bounded, strict JSON, then the report format's own
    strict reader (:meth:`GraduationReport.from_dict`); its records stay a table."""
    data = parse_strict(path, _read_bounded(path))
    try:
        if isinstance(data, dict):
            check_version(data)
            _refuse_unjudged(path, data)
        report, table = read_report_and_table(data, GraduationReport)
    except SchemaVersionError as exc:
        raise MergeError(f"{path}: {exc}") from None
    except ReportError as exc:
        raise MergeError(f"{path}: not a pytest-graduation report: {exc}") from None
    _refuse_partial(path, table)
    assert isinstance(data, dict)
    data.pop("records")  # the table holds them; the document is kept for its other keys
    return ShardReport(path, data, report, table)


def refuse_duplicates(shards: Sequence[ShardReport]) -> None:
    """The same report given twice would count its tests twice and hide a missing shard."""
    first: dict[str, Path] = {}
    for shard in shards:
        run_id = shard.data["run_id"]
        if run_id in first:
            raise MergeError(
                f"{first[run_id]} and {shard.path} are the same report (run_id {run_id!r}): "
                "give each shard's report once"
            )
        first[run_id] = shard.path
