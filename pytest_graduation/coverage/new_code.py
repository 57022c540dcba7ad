"""The ``coverage_new`` criterion: the covered share of the executable lines changed
since a base revision (SPEC section 16).

Two halves, so that the criterion itself is pure:

* :func:`measure_new_code` runs where coverage data and the git checkout are (the
  judging process of a live session, or ``merge --coverage-file``) and returns plain
  JSON-compatible data, which travels in the ``coverage_new`` fact stream::

      {"base": "origin/main", "precision": 0, "reported": 12,
       "files": {"pkg/mod.py": {"changed": [...], "statements": [...], "missing": [...]}}}

  or ``{"error": "not measured: ... (what to do)"}``;
* :class:`CoverageNewCriterion` judges that data (:func:`judge_new_coverage`).

"Changed" lines are those of :func:`~pytest_graduation.coverage.changed.changed_lines`,
each line inside a statement that spans several lines named by the statement's
first line (as coverage.py names statements), restricted to the files coverage.py
reports on. Lines, not branches, are counted.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from pytest_graduation.coverage.changed import GitProblem, changed_lines
from pytest_graduation.coverage.measure import (
    HINT,
    FileLines,
    _report_filter,
    digits_for,
    fmt,
    percent_of,
    reaches,
    relative,
)
from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun

if TYPE_CHECKING:
    import coverage

#: fact stream holding the run's single changed-line measurement
COVERAGE_NEW_STREAM: Final = "coverage_new"
#: fact stream holding the base given on the command line (``--graduation-base``, of
#: pytest or of ``merge``), which wins over ``[tool.graduation] base``: criteria are
#: built from the settings alone, so the command line reaches them as data
COVERAGE_NEW_BASE_STREAM: Final = "coverage_new_base"
#: at least this many decimals are shown and compared: a few dozen changed lines
#: make coarse steps (41 of 50 is 82.0%)
MIN_DIGITS: Final = 1
NOTHING_CHANGED: Final = "no changed executable lines"
_RANGE: Final = re.compile(r"(\d+)(?:-(\d+))?")
_LINE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def format_ranges(lines: Iterable[int]) -> str:
    """``12-14, 20`` for lines 12, 13, 14 and 20 (runs of consecutive numbers)."""
    numbers = sorted(set(lines))
    parts: list[str] = []
    start = previous = None
    for number in [*numbers, None]:
        if start is not None and previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None and previous is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    return ", ".join(parts)


def parse_ranges(text: str) -> frozenset[int]:
    """The lines of :func:`format_ranges`'s text; ``ValueError`` when it is not one."""
    lines: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _RANGE.fullmatch(part)
        if match is None:
            raise ValueError(f"not a line range: {part!r}")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise ValueError(f"backwards line range: {part!r}")
        lines.update(range(low, high + 1))
    return frozenset(lines)


def _physical_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer numbers them (``\n``, ``\r\n`` or ``\r``)."""
    return _LINE.findall(text)


def _decoded(source: bytes) -> str:
    try:  # the encoding Python reads the file with (a coding cookie, else UTF-8)
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return source.decode("utf-8", errors="replace")


def _logical_end(lines: Sequence[str], start: int) -> int:
    """The last line of the statement that begins on line ``start``: tokenizing only
    from there to its NEWLINE token keeps this cheap. ``start`` itself when the
    text does not tokenize."""
    rest = iter(lines[start - 1 :])
    try:
        for token in tokenize.generate_tokens(lambda: next(rest, "")):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                return start - 1 + token.end[0]
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return start


def on_statements(
    changed: Iterable[int], source: bytes, statements: Collection[int]
) -> frozenset[int]:
    """Changed lines as coverage.py's statements name them: a changed line inside a
    statement that spans several lines (brackets, ``\\``, a multi-line string) is
    that statement's first line, which is the line coverage.py counts. Other lines
    stay as they are (blank lines, comments: they count for nothing)."""
    ordered = sorted(statements)
    lines: list[str] | None = None
    ends: dict[int, int] = {}
    named: set[int] = set()
    for line in changed:
        before = bisect.bisect_right(ordered, line) - 1
        if line in statements or before < 0:
            named.add(line)
            continue
        # the only statement that can hold this line is the closest one above it
        start = ordered[before]
        if lines is None:
            lines = _physical_lines(_decoded(source))
        if start not in ends:
            ends[start] = _logical_end(lines, start)
        named.add(start if ends[start] >= line else line)
    return frozenset(named)


def reported_files(cov: coverage.Coverage) -> list[str]:
    """The files coverage.py's report covers (``[report] include/omit`` applied),
    including files under ``source`` that were never imported (coverage.py records
    them, without lines, when it saves), by their measured file names."""
    prepare = getattr(cov, "_prepare_data_for_reporting", None)
    if callable(prepare):  # as Coverage.report() does: apply [paths] remapping
        prepare()
    keeps = _report_filter(cov)
    return [name for name in sorted(cov.get_data().measured_files()) if keeps(name)]


def _by_relpath(cov: coverage.Coverage, rootdir: Path) -> dict[str, str]:
    return {relative(name, rootdir): name for name in reported_files(cov)}


def executable_lines(
    cov: coverage.Coverage, rootdir: Path, paths: Iterable[str]
) -> dict[str, FileLines]:
    """coverage.py's statements and missed statements of each of ``paths``
    (rootdir-relative, as :func:`changed_lines` names them) that its report covers;
    the others are left out. Raises ``CoverageException`` when a file cannot be
    analysed."""
    return _analysed(cov, _by_relpath(cov, rootdir), paths)


def _analysed(
    cov: coverage.Coverage, known: Mapping[str, str], paths: Iterable[str]
) -> dict[str, FileLines]:
    lines: dict[str, FileLines] = {}
    for path in paths:
        if path in known:
            _, statements, _, missing, _ = cov.analysis2(known[path])
            lines[path] = (frozenset(statements), frozenset(missing))
    return lines


def _changed_files(
    cov: coverage.Coverage,
    known: Mapping[str, str],
    changed: Mapping[str, frozenset[int]],
    reuse: Mapping[str, FileLines],
) -> dict[str, dict[str, list[int]]]:
    """Per changed file that coverage.py measured: its changed statements, its
    statements and its missed statements (files in ``reuse`` are not analysed again)."""
    done = {path: reuse[path] for path in changed if path in known and path in reuse}
    lines = {**done, **_analysed(cov, known, (p for p in changed if p not in done))}
    files: dict[str, dict[str, list[int]]] = {}
    for path, (statements, missing) in sorted(lines.items()):
        source = Path(known[path]).read_bytes()
        files[path] = {
            "changed": sorted(on_statements(changed[path], source, statements)),
            "statements": sorted(statements),
            "missing": sorted(missing),
        }
    return files


def measure_new_code(
    cov: coverage.Coverage,
    rootdir: Path,
    base: str,
    precision: int | None = None,
    analysed: Mapping[str, FileLines] | None = None,
) -> dict[str, Any]:
    """The changed-line measurement of the data ``cov`` holds against ``base`` (JSON
    data for the ``coverage_new`` fact stream). Never raises for git or coverage.py
    problems: they become ``{"error": hint}``.

    ``analysed`` may hold coverage.py's statements and missed statements of files
    already analysed from the same ``cov`` (by rootdir-relative path, e.g. from the
    pass that measures the total): those files are not analysed again, which is
    most of this function's cost (coverage.py parses each file)."""
    from coverage.exceptions import CoverageException

    try:
        known = _by_relpath(cov, rootdir)
        if not known:
            return {"error": f"not measured: coverage.py has no data; {HINT}"}
        files = _changed_files(
            cov, known, changed_lines(rootdir, base, keep=known.__contains__), analysed or {}
        )
    except GitProblem as problem:
        return {"error": problem.hint}
    except (CoverageException, OSError) as exc:
        return {"error": f"not measured: coverage.py cannot analyse a changed file: {exc}"}
    return {
        "base": base,
        "precision": cov.config.precision if precision is None else precision,
        "reported": len(known),
        "files": files,
    }


def judge_new_coverage(
    changed: Mapping[str, frozenset[int]],
    lines: Mapping[str, FileLines],
    floor: float,
    precision: int = 0,
) -> CriterionResult:
    """Whether the covered share of the changed executable lines reaches ``floor``
    percent, compared at the shown precision (at least :data:`MIN_DIGITS`
    decimals). Files of ``changed`` missing from ``lines`` are not reported on by
    coverage.py and do not count."""
    shown_precision = max(precision, MIN_DIGITS)
    uncovered: dict[str, frozenset[int]] = {}
    total = covered = 0
    for path, (statements, missing) in lines.items():
        executable = changed.get(path, frozenset()) & statements
        total += len(executable)
        covered += len(executable - missing)
        if executable & missing:
            uncovered[path] = executable & missing
    if not total:
        return CriterionResult.met(None, floor, [NOTHING_CHANGED])
    shown, ok = reaches(percent_of(covered, total), floor, shown_precision)
    digits = digits_for(floor, shown_precision)
    measured = f"{fmt(shown, digits)}% ({covered}/{total} changed line{'s' * (total != 1)} covered)"
    if ok:
        return CriterionResult.met(measured, floor, uncovered_details(uncovered))
    # with every file that has uncovered changed lines waived, the rest is covered
    subjects = [("file", path) for path in sorted(uncovered)] or [("other", measured)]
    return CriterionResult.unmet(measured, floor, uncovered_details(uncovered), subjects=subjects)


def uncovered_details(uncovered: Mapping[str, frozenset[int]]) -> list[str]:
    """``path: 12-14, 20`` per file, most uncovered lines first, capped."""
    worst = sorted(uncovered.items(), key=lambda item: (-len(item[1]), item[0]))
    return capped([f"{path}: {format_ranges(numbers)}" for path, numbers in worst])


def _numbers(raw: object, what: str) -> frozenset[int]:
    if not isinstance(raw, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in raw
    ):
        raise ValueError(f"{what} is not a list of line numbers")
    return frozenset(raw)


def from_measurement(
    measurement: Mapping[str, Any],
) -> tuple[dict[str, frozenset[int]], dict[str, FileLines]]:
    """The changed lines and executable lines of a ``coverage_new`` measurement;
    ``ValueError`` when it is malformed (a hand-edited or foreign report)."""
    files = measurement.get("files")
    if not isinstance(files, dict):
        raise ValueError('no "files" table')
    changed: dict[str, frozenset[int]] = {}
    lines: dict[str, FileLines] = {}
    for path, entry in files.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: not a table")
        changed[path] = _numbers(entry.get("changed"), f"{path}: changed")
        statements = _numbers(entry.get("statements"), f"{path}: statements")
        missing = _numbers(entry.get("missing"), f"{path}: missing")
        if not missing <= statements:
            raise ValueError(f"{path}: missing lines that are not statements")
        lines[path] = (statements, missing)
    return changed, lines


def measurement_of(run: GateRun) -> dict[str, Any]:
    """The run's changed-line measurement, or an ``{"error": ...}``."""
    found = [m for m in run.fact(COVERAGE_NEW_STREAM) if isinstance(m, dict)]
    if not found:
        return {"error": f"not measured: no changed-line measurement reached the gate; {HINT}"}
    if len(found) > 1:
        return {
            "error": f"not measured: {len(found)} separate changed-line measurements cannot "
            "be added up (shard reports?); merge them with --coverage-file F "
            "--graduation-base REF"
        }
    return found[0]


def given_base(run: GateRun) -> tuple[str | None, str | None]:
    """The base given on the command line (the ``coverage_new_base`` fact) or
    ``None``, and why it cannot be used (several different ones, not a string)."""
    given = list(run.fact(COVERAGE_NEW_BASE_STREAM))
    if not given:
        return None, None
    if not all(isinstance(base, str) for base in given):
        return None, f"not measured: a base given is not a revision: {given!r:.200}"
    if len(set(given)) > 1:
        shown = ", ".join(sorted({repr(base) for base in given}))
        return None, f"not measured: more than one base was given ({shown})"
    return str(given[0]), None


@final
class CoverageNewCriterion(Criterion):
    """The changed executable lines since the base are covered to ``floor`` percent.
    The base is the one given on the command line (:func:`given_base`), else
    ``base`` (``[tool.graduation] base``). Reads only plain data of the run."""

    name = "coverage_new"

    def __init__(self, floor: float, base: str | None) -> None:
        self.floor = floor
        self.base = base

    def evaluate(self, run: GateRun) -> CriterionResult:
        given, problem = given_base(run)
        if problem is not None:
            return self._unmet(problem)
        base = given if given is not None else self.base
        if base is None:
            return self._unmet(
                "not measured: no base to compare with; set --graduation-base=REF or "
                '[tool.graduation] base = "REF" (e.g. origin/main)'
            )
        measurement = measurement_of(run)
        if "error" in measurement:
            return self._unmet(str(measurement["error"]))
        measured_base = measurement.get("base")
        if measured_base != base:
            return self._unmet(
                f"not measured: the changed lines were measured against {measured_base!r}, "
                f"not the base {base!r}"
            )
        try:
            changed, lines = from_measurement(measurement)
            precision = int(measurement.get("precision", 0))
        except (ValueError, TypeError) as exc:
            return self._unmet(f"not measured: the changed-line measurement is malformed: {exc}")
        result = judge_new_coverage(changed, lines, self.floor, precision)
        if result.details == (NOTHING_CHANGED,):
            # say what was looked at: a wrong base or --cov also changes nothing
            note = f"compared with the merge-base of {base!r} and HEAD"
            reported = measurement.get("reported")
            if isinstance(reported, int):
                note += f", over the {reported} file(s) coverage.py reports on"
            return CriterionResult.met(None, self.floor, [NOTHING_CHANGED, note])
        return result

    def _unmet(self, detail: str) -> CriterionResult:
        return CriterionResult.unmet(None, self.floor, [detail])
