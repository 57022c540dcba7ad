"""Reading what coverage.py measured, as plain JSON-compatible data.

Nothing here starts a tracer. :func:`measure` works on any loaded
``coverage.Coverage`` object: the one pytest-cov finished with in a live session
(:func:`read_pytest_cov`), or one loaded from combined shard data by ``merge``.

A *measurement* is a dict (it travels in the ``coverage`` fact stream and in the
JSON report)::

    {"kind": "lines" | "lines+branches", "precision": 2,
     "percent": 97.47368421052632,          # coverage.py's total, unrounded
     "files": {"pkg/core.py": [statements, missing, branches, missing_branches]}}

or, when nothing could be measured, ``{"error": "why, and what to do"}``. Measured
files whose source is missing on disk (data combined elsewhere, a folder moved) are
listed under ``"missing"`` (rootdir-relative); such a measurement, and one that
counts no statement at all, has no ``"percent"``: its total is unknown, never 100.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

import pytest

if TYPE_CHECKING:
    import coverage

#: the hint every "not measured" message ends with (SPEC section 3)
HINT: Final = "add --cov=<package> to the pytest command"
#: the most decimals compared and shown: more would show a float's noise (99.99999999
#: at 15 decimals is 99.999999990000006)
MAX_DIGITS: Final = 12


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
        return percent_of(self.covered, self.measurable)


def percent_of(covered: int, measurable: int) -> float:
    return 100.0 * covered / measurable if measurable else 100.0


def total(counts: Iterable[FileCounts]) -> FileCounts:
    return sum(counts, FileCounts())


def decimals(floor: float) -> int:
    """How many decimals the floor is written with (``1e-320`` has 320)."""
    if floor == int(floor):
        return 0
    exponent = Decimal(repr(floor)).as_tuple().exponent
    return max(0, -int(exponent))


def digits_for(floor: float, precision: int) -> int:
    """Decimal places to show and compare: pytest-cov's precision, or more when the
    floor itself has more (as coverage.py's ``fail_under`` does), at most
    :data:`MAX_DIGITS` (a floor such as ``1e-320`` is then compared exactly with the
    value shown at 12 decimals, which is never 0 unless nothing is covered)."""
    return min(max(0, precision, decimals(floor)), MAX_DIGITS)


def floor_text(floor: float, digits: int) -> str:
    """The floor as written when it has more decimals than are shown (``1e-320``)."""
    return fmt(floor, digits) if decimals(floor) <= digits else repr(floor)


def displayed(percent: float, digits: int) -> float:
    """``percent`` rounded as coverage.py displays it: never 100 unless truly 100,
    never 0 unless truly 0. The gate compares exactly this number with the floor, so
    what the report shows can never contradict the verdict."""
    unit = 10.0**-digits
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


def needed(counts: FileCounts, floor: float, precision: int) -> int:
    """The fewest more covered lines (or branches) that make ``counts`` reach
    ``floor`` as the gate judges it (at the shown precision)."""

    def enough(more: int) -> bool:
        return reaches(percent_of(counts.covered + more, counts.measurable), floor, precision)[1]

    low, high = -1, counts.measurable - counts.covered  # everything covered is 100%
    while high - low > 1:  # reaching is monotone in the number covered
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def relative(filename: str, rootdir: Path) -> str:
    """A measured file as a rootdir-relative POSIX path (absolute when outside it)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _report_filter(cov: coverage.Coverage) -> Callable[[str], bool]:
    """Whether ``[report] include/omit`` keeps a file, as coverage.py's report decides."""
    from coverage.files import GlobMatcher, prep_patterns

    include, omit = cov.config.report_include, cov.config.report_omit
    included = GlobMatcher(prep_patterns(include), "report_include") if include else None
    omitted = GlobMatcher(prep_patterns(omit), "report_omit") if omit else None

    def keeps(filename: str) -> bool:
        if included is not None and not included.match(filename):
            return False
        return omitted is None or not omitted.match(filename)

    return keeps


#: per rootdir-relative path: coverage.py's statements and the statements not run
#: (what ``coverage_new`` needs of a file; :func:`measure` can hand them on)
FileLines = tuple[frozenset[int], frozenset[int]]


def _analysed(
    cov: coverage.Coverage,
    filenames: list[str],
    rootdir: Path,
    lines: dict[str, FileLines] | None = None,
) -> dict[str, list[int]]:
    try:
        from coverage.report_core import get_analysis_to_report
    except ImportError:  # pragma: no cover - coverage < 7.3 named the module ``report``
        from coverage.report import (  # type: ignore[attr-defined,no-redef,unused-ignore]
            get_analysis_to_report,
        )

    files: dict[str, list[int]] = {}
    saved = cov.config.ignore_errors
    cov.config.ignore_errors = True  # as pytest-cov reports: skip unparsable files
    try:
        for _, analysis in get_analysis_to_report(cov, filenames):
            n = analysis.numbers
            counts = FileCounts(n.n_statements, n.n_missing, n.n_branches, n.n_missing_branches)
            name = relative(analysis.filename, rootdir)
            files[name] = counts.to_list()
            if lines is not None:
                lines[name] = (frozenset(analysis.statements), frozenset(analysis.missing))
    finally:
        cov.config.ignore_errors = saved
    return files


def measure(
    cov: coverage.Coverage,
    rootdir: Path,
    precision: int | None = None,
    lines: dict[str, FileLines] | None = None,
) -> dict[str, Any]:
    """The measurement of the data ``cov`` holds, over the files its report would show
    (``[report] include/omit`` applied). Raises ``CoverageException`` when there is
    nothing to report. ``lines``, when given, receives each analysed file's
    :data:`FileLines`: ``coverage_new`` reuses them instead of parsing the files again."""
    from coverage.exceptions import NoDataError

    _apply_path_mapping(cov)
    data = cov.get_data()
    keeps = _report_filter(cov)
    reported = [name for name in sorted(data.measured_files()) if keeps(name)]
    # a missing source cannot be analysed; coverage.py would skip it and report a
    # total without it, so it is listed instead and the total stays unknown
    # (a folder or FIFO where the source should be is missing too, never read)
    present = [name for name in reported if os.path.isfile(name)]
    missing = sorted(relative(name, rootdir) for name in set(reported).difference(present))
    if not reported:
        raise NoDataError("No data to report.")
    files = _analysed(cov, present, rootdir, lines) if present else {}
    counts = total(FileCounts.from_list(c) for c in files.values())
    measurement: dict[str, Any] = {
        "kind": "lines+branches" if data.has_arcs() else "lines",
        "precision": cov.config.precision if precision is None else precision,
    }
    if not missing and counts.measurable:
        measurement["percent"] = counts.percent
    measurement["files"] = dict(sorted(files.items()))
    if missing:
        measurement["missing"] = missing
    return measurement


def _apply_path_mapping(cov: coverage.Coverage) -> None:
    """What ``Coverage.report()`` does first: apply ``[paths]`` remapping. coverage.py
    has no public name for it; without it (a future coverage.py) mapped paths stay as
    measured, which tests/test_coverage_measure.py notices."""
    prepare = getattr(cov, "_prepare_data_for_reporting", None)  # no public name
    if callable(prepare):
        prepare()


def pytest_cov_state(plugin: Any) -> tuple[bool, object, object]:
    """(disabled, the Coverage object, the one it combined into) of pytest-cov's
    plugin object. pytest-cov documents no API for these: this is the one place that
    reads its attributes, and tests/test_coverage_measure.py fails loudly if a release of
    pytest-cov renames them."""
    controller = getattr(plugin, "cov_controller", None)
    cov = getattr(controller, "cov", None)
    return bool(getattr(plugin, "_disabled", False)), cov, getattr(controller, "combining_cov", cov)


def finished_coverage(config: pytest.Config) -> coverage.Coverage | str:
    """The ``Coverage`` object pytest-cov finished with (combined over xdist workers),
    or why there is none (a ``not measured: ...`` sentence). Call it after
    pytest-cov's ``pytest_runtestloop`` wrapper has finished, e.g. in
    ``pytest_sessionfinish``."""
    manager = config.pluginmanager
    plugin: Any = manager.getplugin("_cov")
    if plugin is None:
        if manager.hasplugin("pytest_cov"):
            return f"not measured: pytest-cov is not active; {HINT}"
        return (
            "not measured: pytest-cov is not installed or is disabled "
            f"(-p no:pytest_cov); install it and {HINT}"
        )
    options = getattr(plugin, "options", None)
    disabled, cov, combined = pytest_cov_state(plugin)
    if disabled or getattr(options, "no_cov", False):
        return f"not measured: --no-cov switched pytest-cov off; drop it and {HINT}"
    # imported only now: passive runs, and gated runs without pytest-cov, never load it
    import coverage

    if not isinstance(cov, coverage.Coverage):
        return f"not measured: pytest-cov has no coverage data; {HINT}"
    if cov is not combined:
        return (
            "not measured: pytest-cov did not finish measuring (the session "
            "stopped before the end of its test loop, e.g. on a collection error)"
        )
    return cov


def pytest_cov_precision(config: pytest.Config) -> int | None:
    """``--cov-precision``, when pytest-cov was given one."""
    plugin: Any = config.pluginmanager.getplugin("_cov")
    precision = getattr(getattr(plugin, "options", None), "cov_precision", None)
    return precision if isinstance(precision, int) else None


def read_pytest_cov(
    config: pytest.Config, lines: dict[str, FileLines] | None = None
) -> dict[str, Any]:
    """The measurement pytest-cov finished with (see :func:`finished_coverage`), or an
    ``{"error": ...}`` saying why there is none; ``lines`` as for :func:`measure`."""
    cov = finished_coverage(config)
    if isinstance(cov, str):
        return {"error": cov}
    from coverage.exceptions import CoverageException

    try:
        return measure(cov, config.rootpath, pytest_cov_precision(config), lines)
    except CoverageException as exc:
        return {
            "error": f"not measured: coverage.py has no data ({exc}); check that "
            f"--cov=<package> names the code under test"
        }
