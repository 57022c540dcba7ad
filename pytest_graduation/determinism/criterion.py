"""The ``determinism`` criterion: every deterministic test gave identical observations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final

from pytest_graduation.determinism.runner import VERDICT_STREAM
from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun

NONE_NOTE: Final = (
    "no deterministic test ran: mark tests with @pytest.mark.deterministic or list them "
    "in [tool.graduation] deterministic"
)


def _verdicts(run: GateRun) -> dict[str, Mapping[str, Any]]:
    """The last verdict of each test, pending (not required) tests left out."""
    optional = {t.nodeid for t in run.tests if not t.required}
    found: dict[str, Mapping[str, Any]] = {}
    for fact in run.fact(VERDICT_STREAM):
        nodeid = fact.get("nodeid") if isinstance(fact, Mapping) else None
        if isinstance(nodeid, str) and nodeid not in optional:
            found[nodeid] = fact
    return found


@final
class DeterminismCriterion(Criterion):
    name = "determinism"

    def __init__(self, runs: int, processes: int) -> None:
        self.runs = runs
        self.processes = processes

    @property
    def required(self) -> str:
        text = f"identical in {self.runs} run(s)"
        if self.processes:
            text += f" + {self.processes} fresh interpreter(s)"
        return text

    def evaluate(self, run: GateRun) -> CriterionResult:
        verdicts = _verdicts(run)
        if not verdicts:
            return CriterionResult.unmet(
                "0 deterministic tests", self.required, [NONE_NOTE], subjects=[("other", NONE_NOTE)]
            )
        bad = [v for v in verdicts.values() if v.get("status") != "identical"]
        measured = f"{len(verdicts) - len(bad)}/{len(verdicts)} identical"
        if not bad:
            return CriterionResult.met(measured, self.required)
        details = []
        for verdict in sorted(bad, key=lambda v: str(v["nodeid"])):
            status = verdict.get("status")
            lead = {
                "differs": "not deterministic",
                "unverified": "not verified in a fresh interpreter",
                "invalid": "bad marker",
            }.get(str(status), str(status))
            first = str(verdict.get("detail", "")).split("\n", 1)[0]
            details.append(f"{verdict['nodeid']}: {lead}: {first}")
        subjects = [("test", str(verdict["nodeid"])) for verdict in bad]
        return CriterionResult.unmet(measured, self.required, capped(details), subjects=subjects)
