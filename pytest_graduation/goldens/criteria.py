"""The ``obsolete_goldens`` and ``frozen_goldens`` criteria."""

from __future__ import annotations

from pathlib import Path
from typing import final

from pytest_graduation.goldens.lockfile import LOCK_NAME, LockError, read_lock
from pytest_graduation.goldens.obsolete import scan
from pytest_graduation.goldens.paths import absolute
from pytest_graduation.goldens.storage import sha256_of
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.partial import partial_reason
from pytest_graduation.regular_files import NotAFile


@final
class ObsoleteGoldensCriterion(Criterion):
    """At most ``limit`` golden files are unused (judged per module, see obsolete.py)."""

    name = "obsolete_goldens"

    def __init__(self, limit: int, golden_dir: str) -> None:
        self.limit = limit
        self.golden_dir = golden_dir

    def evaluate(self, run: GateRun) -> CriterionResult:
        partial = partial_reason(run.facts)
        if partial:  # modules skipped at collection look complete and unused
            return CriterionResult.inconclusive(
                "not judged", f"<= {self.limit}", [f"obsolete goldens not judged: {partial}"]
            )
        found = scan(run.facts, run.rootdir, self.golden_dir)
        details = capped(
            [
                f"obsolete golden: {rel}"
                + (
                    f" (--update-goldens will not delete it: {found.kept[rel]})"
                    if rel in found.kept
                    else ""
                )
                for rel in found.obsolete
            ]
        )
        if len(found.obsolete) > len(found.kept):
            details.append("run pytest --update-goldens to delete obsolete goldens")
        if found.kept:
            details.append(f"{len(found.kept)} obsolete golden(s) must be removed by hand")
        for folder, reason in sorted(found.set_aside.items()):
            details.append(f"not judged: {folder} ({reason})")
        if found.unjudged:
            shown = ", ".join(found.unjudged[:NAMED])
            cut = len(found.unjudged) - NAMED
            more = f" and {cut} more" if cut > 0 else ""
            details.append(
                f"not judged ({len(found.unjudged)} module(s) did not run in full): {shown}{more}"
            )
        required = f"<= {self.limit}"
        if len(found.obsolete) > self.limit:
            subjects = [("file", rel) for rel in found.obsolete]
            return CriterionResult.unmet(
                len(found.obsolete), required, details, subjects=subjects, allowed=self.limit
            )
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
                    f"{LOCK_NAME} not found in {run.rootdir}, so nothing is frozen; "
                    "run pytest --freeze-goldens to record the golden files"
                ],
            )
        if not entries:
            # protection that protects nothing must not pass
            return CriterionResult.unmet(
                "nothing frozen",
                required,
                [
                    f"{LOCK_NAME} lists no golden file, so nothing is frozen; "
                    "run pytest --freeze-goldens to record the golden files"
                ],
            )
        changed = {
            rel: problem
            for rel, recorded in sorted(entries.items())
            if (problem := _changed(rel, recorded, run.rootdir)) is not None
        }
        details = list(changed.values())
        measured = f"{len(details)} of {len(entries)} changed"
        if details:
            subjects = [("file", rel) for rel in changed]
            return CriterionResult.unmet(measured, required, capped(details), subjects=subjects)
        return CriterionResult.met(measured, required)


def _changed(rel: str, recorded: str, rootdir: Path) -> str | None:
    """Why the frozen golden ``rel`` no longer has its ``recorded`` hash, or None.

    Only a regular file is read (a lock entry naming ``/dev/zero`` or a FIFO would
    never finish); it may lie outside the rootdir, since reading it harms nothing."""
    try:
        now = sha256_of(absolute(rel, rootdir))
    except FileNotFoundError:
        return f"frozen golden missing: {rel}"
    except NotAFile as exc:
        return f"frozen golden unreadable: {rel}: a {exc.kind}, not a regular file"
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return f"frozen golden unreadable: {rel}: {exc}"
    if now != recorded:
        return f"frozen golden changed: {rel} (sha256 {recorded[:12]}… recorded, {now[:12]}… now)"
    return None
