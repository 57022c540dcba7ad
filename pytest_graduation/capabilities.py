"""The capability matrix and the ``capabilities`` criterion (SPEC section 6).

The matrix is computed from test records alone (which tests prove which
capability, their phase, outcome and whether they were deselected), so a merge of
shard reports recomputes it from the records the JSON carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, final

from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion, CriterionResult, GateRun, Outcome, TestRecord
from pytest_graduation.partial import partial_reason
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import Checker, flag, quote

PASSING: Final = Outcome.PASSING
#: outcomes that say nothing about the capability: the test did not run
UNKNOWN: Final = ("deselected", Outcome.NOT_RUN)
#: node ids a detail line names at most
MAX_NAMED: Final = 5

CAPABILITY_ID: Final = re.compile(r"[A-Za-z0-9_.-]+\Z")

PROVEN: Final = "proven"
UNPROVEN: Final = "unproven"
INCONCLUSIVE: Final = "inconclusive"
NOT_REQUIRED: Final = "not-required"


@final
@dataclass(frozen=True)
class Capability:
    id: str
    title: str
    level: str
    tests: tuple[str, ...]


def parse_capabilities(check: Checker, key: str, value: object) -> dict[str, Capability]:
    """``[tool.graduation.capabilities.<id>]`` tables: ``title``, ``level``, ``tests``."""
    result: dict[str, Capability] = {}
    for cap_id, raw in check.table(key, value).items():
        where = f"{key}.{quote(cap_id)}"
        if not CAPABILITY_ID.match(cap_id):
            raise check.fail(where, "a capability id of letters, digits, _ - .", cap_id)
        body = check.table(where, raw)
        check.known_keys(where, body, {"title", "level", "tests"})
        result[cap_id] = Capability(
            id=cap_id,
            title=check.string(f"{where}.title", body.get("title", cap_id)),
            level=check.level(f"{where}.level", body.get("level", check.levels[0])),
            tests=check.strings(f"{where}.tests", body.get("tests", [])),
        )
    return result


def declared(settings: GraduationConfig) -> Mapping[str, Capability]:
    """The capabilities the configuration declares, by id."""
    found: Mapping[str, Capability] = settings.value("capabilities")
    return found


def _result(record: TestRecord) -> str:
    return "deselected" if record.deselected else record.outcome


def status_of(results: Sequence[str], required: bool) -> str:
    """A capability's status from the results of the tests that count for it."""
    if not required:
        return NOT_REQUIRED
    if any(r not in PASSING and r not in UNKNOWN for r in results):
        return UNPROVEN  # a failure is conclusive, whatever else was deselected
    if any(r in UNKNOWN for r in results):
        return INCONCLUSIVE
    return PROVEN if results else UNPROVEN


def row(cap: Capability, run: GateRun) -> dict[str, Any]:
    """The matrix row of ``cap``. A required capability counts its required tests
    (tests pending at this level do not prove it yet); a capability above the
    target counts all its tests, so the row shows its progress."""
    required = run.is_required(cap.level)
    counted = [t for t in run.tests if cap.id in t.capabilities and (t.required or not required)]
    results = {t.nodeid: _result(t) for t in counted}
    return {
        "id": cap.id,
        "title": cap.title,
        "level": cap.level,
        "status": status_of(list(results.values()), required),
        "passed": sum(r in PASSING for r in results.values()),
        "total": len(results),
        "tests": results,
    }


def matrix(run: GateRun) -> list[dict[str, Any]]:
    """One row per declared capability: id, title, level, status, passed, total, and
    ``tests`` (node id -> outcome, or ``deselected``)."""
    return [row(cap, run) for cap in declared(run.settings).values()]


def _named(nodeids: Sequence[str]) -> str:
    shown = ", ".join(nodeids[:MAX_NAMED])
    return shown + (f" and {len(nodeids) - MAX_NAMED} more" if len(nodeids) > MAX_NAMED else "")


def _why_unproven(entry: dict[str, Any], run: GateRun) -> str:
    bad = [f"{n} {r}" for n, r in entry["tests"].items() if r not in PASSING and r not in UNKNOWN]
    if bad:
        return _named(bad)
    pending = [t.nodeid for t in run.tests if entry["id"] in t.capabilities and not t.required]
    if pending:
        return f"no required test proves it ({len(pending)} pending: {_named(pending)})"
    return (
        "no test proves it: none matches its `tests` globs or carries "
        f"@pytest.mark.capability({entry['id']!r})"
    )


def _why_inconclusive(entry: dict[str, Any]) -> str:
    unknown = [f"{n} {r}" for n, r in entry["tests"].items() if r in UNKNOWN]
    return (
        f"{len(unknown)} of its {entry['total']} tests did not run ({_named(unknown)}); "
        "run the full suite to prove it"
    )


@final
class CapabilitiesCriterion(Criterion):
    """Every capability required at or below the target level is proven."""

    name = "capabilities"

    def evaluate(self, run: GateRun) -> CriterionResult:
        required = "all proven"
        if not declared(run.settings):
            return CriterionResult.unmet(
                "0/0 proven",
                required,
                ["capabilities = true, but [tool.graduation.capabilities] declares none"],
            )
        rows = [entry for entry in matrix(run) if entry["status"] != NOT_REQUIRED]
        proven = sum(entry["status"] == PROVEN for entry in rows)
        measured = f"{proven}/{len(rows)} proven"
        details = []
        for entry in rows:
            if entry["status"] == UNPROVEN:
                details.append(f"{entry['id']}: unproven: {_why_unproven(entry, run)}")
            elif entry["status"] == INCONCLUSIVE:
                details.append(f"{entry['id']}: inconclusive: {_why_inconclusive(entry)}")
        open_ids = [entry["id"] for entry in rows if entry["status"] in (UNPROVEN, INCONCLUSIVE)]
        subjects = [("capability", cap_id) for cap_id in open_ids]
        if any(entry["status"] == UNPROVEN for entry in rows):
            return CriterionResult.unmet(measured, required, details, subjects=subjects)
        partial = partial_reason(run.facts)
        if partial:  # tests left out at collection are in no row
            details.insert(0, partial)
            subjects.append(("other", partial))  # no capability scope covers a partial run
        if details:
            return CriterionResult.inconclusive(measured, required, details, subjects=subjects)
        later = len(declared(run.settings)) - len(rows)
        notes = [f"{later} capabilit{'y is' if later == 1 else 'ies are'} required later"]
        return CriterionResult.met(measured, required, notes if later else ())


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.get("capabilities"):
        yield CapabilitiesCriterion()


FEATURE = Feature(
    name="capabilities",
    criteria=criteria_from,
    keys=(Key("capabilities", flag, "capabilities"),),
    global_keys=(GlobalKey("capabilities", parse_capabilities, {}),),
)
