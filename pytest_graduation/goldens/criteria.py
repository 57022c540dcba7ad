"""The ``obsolete_goldens`` and ``frozen_goldens`` criteria."""

from __future__ import annotations

from typing import Final, final

from pytest_graduation.goldens.lockfile import LOCK_NAME, LockError, read_lock
from pytest_graduation.goldens.obsolete import absolute, scan
from pytest_graduation.goldens.storage import sha256_of
from pytest_graduation.model import Criterion, CriterionResult, GateRun

MAX_LISTED: Final = 50


def _capped(lines: list[str]) -> list[str]:
    if len(lines) > MAX_LISTED:
        return [*lines[:MAX_LISTED], f"... and {len(lines) - MAX_LISTED} more"]
    return lines


@final
class ObsoleteGoldensCriterion(Criterion):
    """At most ``limit`` golden files are unused (judged per module, see obsolete.py)."""

    name = "obsolete_goldens"

    def __init__(self, limit: int, golden_dir: str) -> None:
        self.limit = limit
        self.golden_dir = golden_dir

    def evaluate(self, run: GateRun) -> CriterionResult:
        found = scan(run.facts, run.rootdir, self.golden_dir)
        details = _capped([f"obsolete golden: {rel}" for rel in found.obsolete])
        if found.obsolete:
            details.append("run pytest --update-goldens to delete obsolete goldens")
        if found.unjudged:
            shown = ", ".join(found.unjudged[:10])
            more = f" and {len(found.unjudged) - 10} more" if len(found.unjudged) > 10 else ""
            details.append(
                f"not judged ({len(found.unjudged)} module(s) did not run in full): {shown}{more}"
            )
        required = f"<= {self.limit}"
        if len(found.obsolete) > self.limit:
            return CriterionResult.unmet(len(found.obsolete), required, details)
        return CriterionResult.met(len(found.obsolete), required, details)


@final
class FrozenGoldensCriterion(Criterion):
    """Every golden file listed in ``goldens.lock`` still has its recorded sha256."""

    name = "frozen_goldens"

    def evaluate(self, run: GateRun) -> CriterionResult:
        required = "0 changed"
        try:
            entries = read_lock(run.rootdir)
        except LockError as exc:
            return CriterionResult.unmet("unreadable", required, [str(exc)])
        if entries is None:
            return CriterionResult.unmet(
                "no lock file",
                required,
                [
                    f"{LOCK_NAME} not found in {run.rootdir}; "
                    "run pytest --freeze-goldens to record the golden files"
                ],
            )
        details = []
        for rel, recorded in sorted(entries.items()):
            path = absolute(rel, run.rootdir)
            try:
                now = sha256_of(path)
            except FileNotFoundError:
                details.append(f"frozen golden missing: {rel}")
                continue
            except OSError as exc:
                details.append(f"frozen golden unreadable: {rel}: {exc}")
                continue
            if now != recorded:
                details.append(
                    f"frozen golden changed: {rel} (sha256 {recorded[:12]}… recorded, "
                    f"{now[:12]}… now)"
                )
        measured = f"{len(details)} of {len(entries)} changed"
        if details:
            return CriterionResult.unmet(measured, required, _capped(details))
        return CriterionResult.met(measured, required)
