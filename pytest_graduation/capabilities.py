"""The capability matrix and the ``capabilities`` criterion (SPEC section 6)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, final

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.model import Criterion, CriterionResult, GateRun

PASSING = ("passed", "xpassed")


def matrix(run: GateRun) -> list[dict[str, Any]]:
    """One row per declared capability: id, title, level, status, passed, total, tests."""
    rows = []
    for cap in run.settings.capabilities.values():
        proving = [t for t in run.tests if cap.id in t.capabilities and t.required]
        selected = [t for t in proving if not t.deselected]
        passed = sum(t.outcome in PASSING for t in selected)
        if not run.is_required(cap.level):
            status = "not-required"
        elif any(t.outcome not in PASSING for t in selected):
            status = "unproven"
        elif len(selected) < len(proving):
            status = "inconclusive"
        elif not proving:
            status = "unproven"
        else:
            status = "proven"
        rows.append(
            {
                "id": cap.id,
                "title": cap.title,
                "level": cap.level,
                "status": status,
                "passed": passed,
                "total": len(proving),
                "tests": {t.nodeid: "deselected" if t.deselected else t.outcome for t in proving},
            }
        )
    return rows


@final
class CapabilitiesCriterion(Criterion):
    name = "capabilities"

    def evaluate(self, run: GateRun) -> CriterionResult:
        rows = [row for row in matrix(run) if row["status"] != "not-required"]
        proven = sum(row["status"] == "proven" for row in rows)
        measured, required = f"{proven}/{len(rows)} proven", "all proven"
        details = []
        for row in rows:
            if row["status"] == "unproven":
                why = (
                    "no required test proves it"
                    if not row["total"]
                    else ", ".join(
                        f"{nodeid} {outcome}"
                        for nodeid, outcome in row["tests"].items()
                        if outcome not in PASSING and outcome != "deselected"
                    )
                )
                details.append(f"{row['id']}: unproven: {why}")
            elif row["status"] == "inconclusive":
                details.append(
                    f"{row['id']}: inconclusive: {row['total'] - row['passed']} of its tests "
                    "were deselected; run the full suite to prove it"
                )
        if any(row["status"] == "unproven" for row in rows):
            return CriterionResult.unmet(measured, required, details)
        if details:
            return CriterionResult.inconclusive(measured, required, details)
        return CriterionResult.met(measured, required)


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.capabilities:
        yield CapabilitiesCriterion()
