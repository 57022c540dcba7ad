"""From gathered facts to a report: build the run, evaluate criteria, apply waivers.

Shared by a live session and by ``python -m pytest_graduation merge``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import pytest

from pytest_graduation import capabilities, strict_json
from pytest_graduation._version import __version__
from pytest_graduation.checklist import checklist_rows
from pytest_graduation.item_facts import described_items
from pytest_graduation.model import (
    Criterion,
    CriterionResult,
    GateRun,
    Outcome,
    TestRecord,
    record_of_fields,
)
from pytest_graduation.outcomes import Entry
from pytest_graduation.recording import ITEMS_STREAM, SKIPPED_COLLECTORS_STREAM
from pytest_graduation.report import CriterionOutcome, GraduationReport
from pytest_graduation.settings import GraduationConfig
from pytest_graduation.waivers import apply_waivers

#: fact streams that the report carries as records instead
UNREPORTED_STREAMS = (ITEMS_STREAM, SKIPPED_COLLECTORS_STREAM)


def build_records(
    item_batches: Iterable[Mapping[str, Any]],
    outcomes: Mapping[str, Entry],
    settings: GraduationConfig,
    level: str,
    skipped_collectors: Iterable[Mapping[str, Any]] = (),
) -> tuple[TestRecord, ...]:
    """Join what tests are (the ``items`` stream: batches, one or two per collecting
    process, see :mod:`item_facts`) with how they ended (the outcome ledger). A test
    with reports but no facts is treated as required: missing facts must never relax
    the gate. A collector skipped at collection is one required, skipped record (its
    tests were never seen)."""
    described = described_items(item_batches)
    records = [
        _record(nodeid, described.get(nodeid, {}), outcomes, settings, level)
        for nodeid in dict.fromkeys([*described, *outcomes])
    ]
    seen = {record.nodeid for record in records}
    for collector in skipped_collectors:
        nodeid = str(collector.get("nodeid"))
        if nodeid not in seen:
            seen.add(nodeid)
            reason = str(collector.get("reason", ""))
            records.append(TestRecord(nodeid, Outcome.SKIPPED, settings.levels[0], longrepr=reason))
    return tuple(records)


#: the ledger entry of a test no report arrived for
_NOT_RUN: Final = Entry()


def _record(
    nodeid: str,
    facts: Mapping[str, Any],
    outcomes: Mapping[str, Entry],
    settings: GraduationConfig,
    level: str,
) -> TestRecord:
    entry = outcomes.get(nodeid, _NOT_RUN)
    phase = facts.get("phase", settings.levels[0])
    target = settings.level_index(level)
    # every field, built without the frozen dataclass's per-field __init__: this runs
    # for every test of the session (model.record_of_fields)
    return record_of_fields(
        {
            "nodeid": nodeid,
            "outcome": entry.outcome,
            "phase": phase,
            "markers": frozenset(facts.get("markers", ())),
            "required": phase not in settings.levels or settings.level_index(phase) <= target,
            "reruns": entry.reruns,
            "capabilities": tuple(facts.get("capabilities", ())),
            "deselected": bool(facts.get("deselected", False)) and nodeid not in outcomes,
            "longrepr": entry.longrepr,
        }
    )


def evaluate(criterion: Criterion, run: GateRun) -> CriterionResult:
    """Evaluate one criterion; a crash or a wrong return value makes it unmet, never
    crashes the session and never passes."""
    try:
        result = criterion.evaluate(run)
    except Exception as exc:
        return CriterionResult.unmet(
            details=[f"criterion {criterion.name!r} raised {type(exc).__name__}: {exc}"]
        )
    if not isinstance(result, CriterionResult):
        return CriterionResult.unmet(
            details=[
                f"criterion {criterion.name!r} returned {type(result).__name__}, "
                "expected a CriterionResult"
            ]
        )
    return result


def judge(
    run: GateRun, criteria: Sequence[Criterion], today: dt.date | None = None
) -> GraduationReport:
    today = today or dt.date.today()
    outcomes = []
    for criterion in criteria:
        result = evaluate(criterion, run)
        judgement = apply_waivers(criterion.name, result, run.settings.waivers, run.level, today)
        outcomes.append(
            CriterionOutcome(
                name=criterion.name,
                status=judgement.status,
                # JSON-safe from here on: every renderer and the report can show it
                measured=strict_json.plain(result.measured),
                required=strict_json.plain(result.required),
                details=judgement.details,
                waiver=judgement.waiver,
            )
        )
    return GraduationReport(
        level=run.level,
        levels=run.levels,
        criteria=outcomes,
        records=run.tests,
        capabilities=capabilities.matrix(run),
        # the rows the `checklist` criterion judged on this run (the same day and tree)
        checklist=checklist_rows(run),
        collection_errors=run.collection_errors,
        lost_workers=run.lost_workers,
        facts={k: list(v) for k, v in run.facts.items() if k not in UNREPORTED_STREAMS},
        config_digest=run.settings.digest,
        config_keys=dict(run.settings.key_digests),
        plugin_version=__version__,
        pytest_version=pytest.__version__,
    )
