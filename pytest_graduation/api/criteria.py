"""The ``api_frozen`` and ``api_documented`` criteria (SPEC section 14).

Both look only at ``run.rootdir`` and their settings, so they judge the same on the
controller, serial and in ``merge``; neither writes anything. Whatever stops a
measurement (griffe missing, a package griffe cannot load, a bad lock) is
``unmet`` with the reason, never skipped and never met.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final, final

from pytest_graduation.api import FREEZE_HINT, INSTALL_HINT
from pytest_graduation.api.settings import ApiSettings
from pytest_graduation.model import Criterion, CriterionResult, GateRun

if TYPE_CHECKING:
    from pytest_graduation.api.surface import Surface

MAX_BREAKAGES: Final = 50
MAX_UNDOCUMENTED: Final = 20


def griffe_available() -> bool:
    """Whether griffe can be imported (asked at judging time, not at plugin import)."""
    try:
        importlib.import_module("griffe")
    except ImportError:
        return False
    return True


def surface_of(run: GateRun, settings: ApiSettings) -> Surface:
    """The public API of ``settings.packages`` in ``run.rootdir``, loaded once per run
    for both criteria (griffe's load is most of their time); a load that failed
    fails again for the second criterion with the same :class:`ApiLoadError`."""
    from pytest_graduation.api.surface import ApiLoadError, load_surface

    key = f"api surface {settings!r}"
    if key not in run.memo:
        try:
            run.memo[key] = load_surface(run.rootdir, settings)
        except ApiLoadError as exc:
            run.memo[key] = exc
    found = run.memo[key]
    if isinstance(found, ApiLoadError):
        raise found
    surface: Surface = found
    return surface


def _capped(lines: list[str], limit: int) -> list[str]:
    if len(lines) > limit:
        return [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


@final
class ApiFrozenCriterion(Criterion):
    """No breaking change, by griffe's rules, between ``api.lock`` and the code."""

    name = "api_frozen"

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings

    def evaluate(self, run: GateRun) -> CriterionResult:
        required = "no breaking change"
        if not griffe_available():
            return CriterionResult.unmet("griffe missing", required, [INSTALL_HINT])
        from pytest_graduation.api.compare import compare
        from pytest_graduation.api.lockfile import LockError, read_lock
        from pytest_graduation.api.surface import ApiLoadError

        path = run.rootdir / self.settings.lock
        try:
            lock = read_lock(path)
        except LockError as exc:
            return CriterionResult.unmet("lock unreadable", required, [str(exc)])
        if lock is None:
            detail = f"{self.settings.lock} not found in {run.rootdir}: {FREEZE_HINT}"
            return CriterionResult.unmet("no lock", required, [detail])
        try:
            surface = surface_of(run, self.settings)
        except ApiLoadError as exc:
            return CriterionResult.unmet("not loaded", required, [str(exc)])
        found = compare(lock, surface)
        counts = f"{len(lock.entries)} objects in {self.settings.lock}, {len(surface.entries)} now"
        details = [counts]
        details += [
            f"{name}: recorded in {self.settings.lock} but no longer in [tool.graduation.api] "
            f"packages: {FREEZE_HINT} if that is intended"
            for name in found.dropped
        ]
        details += _capped([f"breaking: {line}" for line in found.breakages], MAX_BREAKAGES)
        details += _capped([f"addition: {line}" for line in found.additions], MAX_BREAKAGES)
        details += _capped([f"compatible: {line}" for line in found.changes], MAX_BREAKAGES)
        measured = f"{len(found.breakages) + len(found.dropped)} breaking change(s)"
        if found.breaking:
            details.append(f"review the breakages; once intended, {FREEZE_HINT}")
            return CriterionResult.unmet(measured, required, details)
        return CriterionResult.met(measured, required, details)


@final
class ApiDocumentedCriterion(Criterion):
    """At least ``percent`` % of the public modules, classes, functions and methods
    have a non-empty docstring."""

    name = "api_documented"

    def __init__(self, percent: float, settings: ApiSettings) -> None:
        self.percent = percent
        self.settings = settings

    def evaluate(self, run: GateRun) -> CriterionResult:
        required = f">= {self.percent:g}%"
        if not griffe_available():
            return CriterionResult.unmet("griffe missing", required, [INSTALL_HINT])
        from pytest_graduation.api.surface import ApiLoadError

        try:
            surface = surface_of(run, self.settings)
        except ApiLoadError as exc:
            return CriterionResult.unmet("not loaded", required, [str(exc)])
        objects = surface.documentables
        if not objects:
            detail = (
                "nothing measured: no public module, class, function or method in "
                + ", ".join(self.settings.packages)
            )
            return CriterionResult.unmet("nothing public", required, [detail])
        documented = sum(1 for item in objects if item.documented)
        measured = (
            f"{100 * documented / len(objects):.1f}% ({documented}/{len(objects)} documented)"
        )
        missing = [f"{item.location}: {item.path}" for item in objects if not item.documented]
        details = _capped([f"undocumented: {line}" for line in missing], MAX_UNDOCUMENTED)
        # compared exactly: 66.66...% must not round up to a required 66.67
        if documented * 100 >= self.percent * len(objects):
            return CriterionResult.met(measured, required, details)
        return CriterionResult.unmet(measured, required, details)
