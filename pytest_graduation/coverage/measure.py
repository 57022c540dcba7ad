"""Reading what coverage.py measured, as plain JSON-compatible data.

Nothing here starts a tracer. :func:`measure` works on any loaded
``coverage.Coverage`` object: the one pytest-cov finished with in a live session
(:func:`read_pytest_cov`), or one loaded from combined shard data by ``merge``.

A *measurement* is a dict (it travels in the ``coverage`` fact stream and in the
JSON report)::

    {"kind": "lines" | "lines+branches", "precision": 2,
     "percent": 97.47368421052632,          # coverage.py's total, unrounded
     "files": {"pkg/core.py": [statements, missing, branches, missing_branches]}}

or, when nothing could be measured, ``{"error": "why, and what to do"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

import pytest

if TYPE_CHECKING:
    import coverage

#: the hint every "not measured" message ends with (SPEC section 3)
HINT: Final = "add --cov=<package> to the pytest command"


@final
@dataclass(frozen=True)
class FileCounts:
    """coverage.py's numbers for one file (or the sum of several)."""

    statements: int = 0
    missing: int = 0
    branches: int = 0
    missing_branches: int = 0

    @classmethod
    def from_list(cls, raw: Iterable[int]) -> FileCounts:
        return cls(*(int(n) for n in raw))

    def to_list(self) -> list[int]:
        return [self.statements, self.missing, self.branches, self.missing_branches]

    def __add__(self, other: FileCounts) -> FileCounts:
        return FileCounts(
            self.statements + other.statements,
            self.missing + other.missing,
            self.branches + other.branches,
            self.missing_branches + other.missing_branches,
        )

    @property
    def covered(self) -> int:
        """Executed lines plus taken branches, as coverage.py counts its total."""
        return self.statements - self.missing + self.branches - self.missing_branches

    @property
    def measurable(self) -> int:
        return self.statements + self.branches

    @property
    def percent(self) -> float:
        """coverage.py's percentage: an empty file is 100% covered."""
        return 100.0 * self.covered / self.measurable if self.measurable else 100.0


def total(counts: Iterable[FileCounts]) -> FileCounts:
    return sum(counts, FileCounts())


def digits_for(floor: float, precision: int) -> int:
    """Decimal places to show and compare: pytest-cov's precision, or more when the
    floor itself has more (as coverage.py's ``fail_under`` does)."""
    if floor == int(floor):
        return precision
    exponent = Decimal(str(floor)).as_tuple().exponent
    return max(precision, -int(exponent))


def displayed(percent: float, digits: int) -> float:
    """``percent`` rounded as coverage.py displays it: never 100 unless truly 100,
    never 0 unless truly 0. The gate compares exactly this number with the floor, so
    what the report shows can never contradict the verdict."""
    unit = 1.0 / 10**digits
    if 0 < percent < unit:
        percent = unit
    elif 100.0 - unit < percent < 100.0:
        percent = 100.0 - unit
    return round(percent, digits)


def reaches(percent: float, floor: float, precision: int) -> tuple[float, bool]:
    """The value to show for ``percent`` against ``floor``, and whether it reaches it."""
    shown = displayed(percent, digits_for(floor, precision))
    return shown, shown >= floor


def fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def relative(filename: str, rootdir: Path) -> str:
    """A measured file as a rootdir-relative POSIX path (absolute when outside it)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def measure(cov: coverage.Coverage, rootdir: Path, precision: int | None = None) -> dict[str, Any]:
    """The measurement of the data ``cov`` holds, over the files its report would show
    (``[report] include/omit`` applied). Raises ``CoverageException`` when there is
    nothing to report."""
    try:
        from coverage.report_core import get_analysis_to_report
    except ImportError:  # pragma: no cover - coverage < 7.3 named the module ``report``
        from coverage.report import (  # type: ignore[attr-defined,no-redef,unused-ignore]
            get_analysis_to_report,
        )

    prepare = getattr(cov, "_prepare_data_for_reporting", None)
    if callable(prepare):  # what Coverage.report() does first: apply [paths] remapping
        prepare()
    has_arcs = cov.get_data().has_arcs()
    files: dict[str, list[int]] = {}
    saved = cov.config.ignore_errors
    cov.config.ignore_errors = True  # as pytest-cov reports: skip unparsable files
    try:
        for _, analysis in get_analysis_to_report(cov, None):
            n = analysis.numbers
            counts = FileCounts(n.n_statements, n.n_missing, n.n_branches, n.n_missing_branches)
            files[relative(analysis.filename, rootdir)] = counts.to_list()
    finally:
        cov.config.ignore_errors = saved
    counts = total(FileCounts.from_list(c) for c in files.values())
    return {
        "kind": "lines+branches" if has_arcs else "lines",
        "precision": cov.config.precision if precision is None else precision,
        "percent": counts.percent,
        "files": dict(sorted(files.items())),
    }


def read_pytest_cov(config: pytest.Config) -> dict[str, Any]:
    """The measurement pytest-cov finished with (combined over xdist workers), or an
    ``{"error": ...}`` saying why there is none. Call it after pytest-cov's
    ``pytest_runtestloop`` wrapper has finished, e.g. in ``pytest_sessionfinish``."""
    manager = config.pluginmanager
    plugin: Any = manager.getplugin("_cov")
    if plugin is None:
        if manager.hasplugin("pytest_cov"):
            return {"error": f"not measured: pytest-cov is not active; {HINT}"}
        return {
            "error": "not measured: pytest-cov is not installed or is disabled "
            f"(-p no:pytest_cov); install it and {HINT}"
        }
    options = getattr(plugin, "options", None)
    if getattr(plugin, "_disabled", False) or getattr(options, "no_cov", False):
        return {"error": f"not measured: --no-cov switched pytest-cov off; drop it and {HINT}"}
    # imported only now: passive runs, and gated runs without pytest-cov, never load it
    import coverage
    from coverage.exceptions import CoverageException

    controller = getattr(plugin, "cov_controller", None)
    cov = getattr(controller, "cov", None)
    combined: object = getattr(controller, "combining_cov", cov)
    if not isinstance(cov, coverage.Coverage):
        return {"error": f"not measured: pytest-cov has no coverage data; {HINT}"}
    if cov is not combined:
        return {
            "error": "not measured: pytest-cov did not finish measuring (the session "
            "stopped before the end of its test loop, e.g. on a collection error)"
        }
    precision = getattr(options, "cov_precision", None)
    try:
        return measure(cov, config.rootpath, precision if isinstance(precision, int) else None)
    except CoverageException as exc:
        return {
            "error": f"not measured: coverage.py has no data ({exc}); check that "
            f"--cov=<package> names the code under test"
        }
