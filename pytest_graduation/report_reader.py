"""The strict reader of the JSON report: :meth:`GraduationReport.from_dict` is this.

Every field the writer (:meth:`GraduationReport.to_dict`) emits is checked for its
type before anything is taken from it; a report from another schema version is
refused with the version to use. ``merge`` reads shard reports only through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_graduation.ladder import read_ladder
from pytest_graduation.model import Status
from pytest_graduation.record_table import ALL, RecordTable, TableError, decode
from pytest_graduation.settings import Waiver

if TYPE_CHECKING:
    from pytest_graduation.report import CriterionOutcome, GraduationReport

SCHEMA_VERSION: Final = 3
#: the pytest-graduation versions that wrote each older schema version
WRITTEN_BY: Final = {
    1: "pytest-graduation 0.1.0",
    2: "development versions after 0.1.0 (records as one object per test)",
}
#: the scope keys a waiver object may carry (one at most; pytest_graduation.waivers)
WAIVER_SCOPES: Final = ("tests", "capabilities", "files", "items")


class ReportError(Exception):
    """A document that is not a valid report of this schema version."""


class SchemaVersionError(ReportError):
    """A report of another schema version."""


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ReportError(what)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


#: top-level keys and the JSON type each must have
FIELDS: Final = (
    ("level", str),
    ("records", dict),
    ("tests", dict),
    ("facts", dict),
    ("criteria", list),
    ("collection_errors", list),
    ("config_digest", str),
    ("plugin_version", str),
    ("run_id", str),
    ("verdict", str),
    ("lost_workers", list),
)


def check_version(data: Mapping[str, Any]) -> None:
    version = data.get("schema_version")
    _expect(version is not None, "no schema_version")
    if version != SCHEMA_VERSION:
        from pytest_graduation._version import __version__

        written = WRITTEN_BY.get(version) if isinstance(version, int) else None
        source = f", written by {written}" if written else ""
        raise SchemaVersionError(
            f"schema_version {version!r} is not supported{source} (this merge reads "
            f"{SCHEMA_VERSION}); use the same pytest-graduation version for shards and merge: "
            f"run the shards again with pytest-graduation {__version__}"
        )


def read_report(data: object, make: Callable[..., GraduationReport]) -> GraduationReport:
    report, table = read_report_and_table(data, make)
    assert isinstance(data, dict)
    report.records = table.records()
    if table.included == ALL:
        _expect(report.tally() == data["tests"], "'tests' does not follow from its records")
    else:  # the counts of the records that are not in the file
        report.stored_tally = data["tests"]
    return report


def read_report_and_table(
    data: object, make: Callable[..., GraduationReport]
) -> tuple[GraduationReport, RecordTable]:
    """The report a document describes, without its records, and its checked records
    table: ``merge`` joins tables, and builds each record once."""
    _expect(isinstance(data, dict), "the top level is not an object")
    assert isinstance(data, dict)
    check_version(data)
    _check_top_level(data)
    try:
        table = decode(data["records"])
    except TableError as exc:
        raise ReportError(str(exc)) from None
    report = make(
        level=data["level"],
        levels=tuple(data.get("levels", [data["level"]])),
        criteria=[_criterion(c, i) for i, c in enumerate(data["criteria"])],
        records=(),
        included=table.included,
        capabilities=data.get("capabilities", []),
        checklist=data.get("checklist", []),
        collection_errors=tuple(data["collection_errors"]),
        facts=data["facts"],
        config_digest=data["config_digest"],
        config_keys=data.get("config_keys", {}),  # absent from reports of 0.1.0
        plugin_version=data["plugin_version"],
        pytest_version=str(data.get("pytest_version", "")),
        lost_workers=tuple(data["lost_workers"]),
        run_id=data["run_id"],
    )
    _expect(report.verdict == data["verdict"], "'verdict' does not follow from its criteria")
    try:
        report.ladder = read_ladder(data, report.levels)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    return report, table


def _check_top_level(data: Mapping[str, Any]) -> None:
    """Every top-level field of its type, before anything is taken from it."""
    for key, kind in FIELDS:
        _expect(isinstance(data.get(key), kind), f"{key!r} missing or not a {kind.__name__}")
    _expect(data["run_id"].strip() != "", "'run_id' is empty")
    _expect(data["verdict"] in ("ready", "not-ready"), "'verdict' is not a verdict")
    _expect(_is_strings(data["lost_workers"]), "'lost_workers' is not a list of strings")
    _expect(_is_strings(data["collection_errors"]), "'collection_errors' is not a list of strings")
    _expect(_is_strings(data.get("levels", [data["level"]])), "'levels' is not a list of strings")
    for stream, values in data["facts"].items():
        _expect(isinstance(values, list), f"facts[{stream!r}] is not a list")
    _expect(isinstance(data.get("capabilities", []), list), "'capabilities' is not a list")
    checklist = data.get("checklist", [])
    _expect(isinstance(checklist, list), "'checklist' is not a list")
    for index, row in enumerate(checklist):
        _check_checklist_row(row, index)
    config_keys = data.get("config_keys", {})
    _expect(
        isinstance(config_keys, dict) and all(isinstance(v, str) for v in config_keys.values()),
        "'config_keys' is not an object of strings",
    )


#: the statuses of a checklist row (``pytest_graduation.checklist.judging``)
CHECKLIST_STATUSES: Final = ("done", "open", "not-required")


def _check_checklist_row(row: object, index: int) -> None:
    """A ``"checklist"`` row with every key the renderers and ``merge`` read."""
    _expect(
        isinstance(row, dict)
        and all(isinstance(row.get(key), str) for key in ("id", "title", "level"))
        and row.get("status") in CHECKLIST_STATUSES
        and _is_strings(row.get("evidence"))
        and (row.get("signed_by") is None or isinstance(row.get("signed_by"), str))
        and "signed_by" in row
        and _is_strings(row.get("details")),
        f"checklist[{index}] is not a checklist row",
    )


def _criterion(criterion: object, index: int) -> CriterionOutcome:
    from pytest_graduation.report import CriterionOutcome

    _expect(
        isinstance(criterion, dict)
        and isinstance(criterion.get("name"), str)
        and criterion.get("status") in {s.value for s in Status}
        and _is_strings(criterion.get("details", [])),
        f"criteria[{index}] is not a criterion result",
    )
    assert isinstance(criterion, dict)
    return CriterionOutcome(
        name=criterion["name"],
        status=Status(criterion["status"]),
        measured=criterion.get("measured"),
        required=criterion.get("required"),
        details=tuple(criterion.get("details", ())),
        waiver=_waiver(criterion.get("waiver"), index),
    )


def _waiver(raw: object, index: int) -> Waiver | None:
    if raw is None:
        return None
    what = f"criteria[{index}].waiver is not a waiver"
    _expect(isinstance(raw, dict), what)
    assert isinstance(raw, dict)
    levels = raw.get("levels")
    _expect(levels is None or _is_strings(levels), what)
    try:
        expires = dt.date.fromisoformat(str(raw.get("expires")))
    except ValueError:
        raise ReportError(what) from None
    _expect(isinstance(raw.get("criterion"), str) and isinstance(raw.get("reason"), str), what)
    scopes = [key for key in WAIVER_SCOPES if key in raw]
    _expect(len(scopes) <= 1 and all(_is_strings(raw[key]) for key in scopes), what)
    scope = scopes[0] if scopes else None
    return Waiver(
        raw["criterion"],
        raw["reason"],
        expires,
        tuple(levels) if levels else None,
        scope=scope,
        patterns=tuple(raw[scope]) if scope else (),
    )
