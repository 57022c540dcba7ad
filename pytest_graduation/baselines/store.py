"""The baseline file: reading it strictly and writing it canonically.

Format (sorted keys, 2-space indent, final newline, strict JSON)::

    {
      "benchmarks": {"tests/test_x.py::test_sort": {"max": ..., "mean": ..., "median": ...,
                     "min": ..., "rounds": 12, "stddev": ...}},
      "coverage": {"files": {"pkg/core.py": 91.2}, "kind": "lines", "precision": 1,
                   "total": 87.6},
      "machine_info": {... as pytest-benchmark reports it ...},
      "schema_version": 1
    }

Coverage is recorded at the precision shown, so that 87.61 compares equal to 87.61.
A section is absent when nothing of its kind was ever recorded. The file is read only
when it is a regular file of at most :data:`MAX_BASELINE_BYTES`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pytest_graduation.atomic import write_atomic
from pytest_graduation.coverage.measure import MAX_DIGITS
from pytest_graduation.regular_files import NotAFile, read_regular

SCHEMA_VERSION: Final = 1
#: a benchmark takes about 200 bytes and a file about 60: room for huge suites
MAX_BASELINE_BYTES: Final = 16 * 1024 * 1024
#: the statistics recorded for each benchmark
STATS: Final = ("min", "median", "mean", "stddev")
UPDATE_HINT: Final = "run pytest --update-baseline"
KINDS: Final = ("lines", "lines+branches")


class BaselineError(Exception):
    """The baseline exists but cannot be used (or cannot be written)."""


def baseline_file(rootdir: Path, relpath: str) -> Path:
    return rootdir / relpath


def read_baseline(path: Path) -> dict[str, Any] | None:
    """The validated baseline at ``path``; ``None`` when there is none."""
    try:
        raw = read_regular(path, MAX_BASELINE_BYTES)
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        raise BaselineError(f"{path.name} is a {exc.kind}, not a regular file") from None
    except OSError as exc:
        raise BaselineError(f"cannot read {path.name}: {exc}") from None
    try:
        document = json.loads(
            raw.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_no_twins
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise BaselineError(f"{path.name} is not valid JSON: {exc}") from None
    problem = _problem(document)
    if problem:
        raise BaselineError(f"{path.name}: {problem}")
    return dict(document)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in strict JSON")


def _no_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise ValueError(f"key {key!r} appears twice")
        table[key] = value
    return table


def _number(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )


def _problem(document: object) -> str:
    """What is wrong with a parsed baseline, or ``""``."""
    if not isinstance(document, dict):
        return "expected a JSON object"
    if document.get("schema_version") != SCHEMA_VERSION:
        return f"expected schema_version {SCHEMA_VERSION}, got {document.get('schema_version')!r}"
    unknown = set(document) - {"schema_version", "coverage", "benchmarks", "machine_info"}
    if unknown:
        return f"unknown key {sorted(unknown)[0]!r}"
    if "machine_info" in document and not isinstance(document["machine_info"], dict):
        return "machine_info: expected an object"
    if "coverage" in document:
        problem = _coverage_problem(document["coverage"])
        if problem:
            return f"coverage: {problem}"
    if "benchmarks" in document:
        return _benchmarks_problem(document["benchmarks"])
    return ""


def _coverage_problem(section: object) -> str:
    if not isinstance(section, dict):
        return "expected an object"
    if section.get("kind") not in KINDS:
        return f"kind: expected one of {', '.join(KINDS)}"
    precision = section.get("precision")
    if not isinstance(precision, int) or isinstance(precision, bool):
        return "precision: expected a whole number"
    if not 0 <= precision <= MAX_DIGITS:
        return f"precision: expected 0 to {MAX_DIGITS}"
    if not _number(section.get("total"), 0, 100):
        return "total: expected a percentage from 0 to 100"
    files = section.get("files")
    if not isinstance(files, dict):
        return "files: expected an object of path: percentage"
    for name, value in files.items():
        if not name or not _number(value, 0, 100):
            return f"files[{name!r}]: expected a percentage from 0 to 100"
    return ""


def _benchmarks_problem(section: object) -> str:
    if not isinstance(section, dict):
        return "benchmarks: expected an object of name: statistics"
    for name, stats in section.items():
        where = f"benchmarks[{name!r}]"
        if not name or not isinstance(stats, dict):
            return f"{where}: expected an object of statistics"
        for field in STATS:
            if not _number(stats.get(field)):
                return f"{where}.{field}: expected a finite number >= 0"
        if not stats["median"] > 0:
            return f"{where}.median: expected a number > 0 (a ratio is taken)"
        rounds = stats.get("rounds")
        if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 1:
            return f"{where}.rounds: expected a whole number >= 1"
    return ""


def canonical(document: Mapping[str, Any]) -> str:
    """The baseline as written: sorted keys, 2-space indent, final newline, strict."""
    return json.dumps(document, sort_keys=True, indent=2, allow_nan=False) + "\n"


def write_baseline(rootdir: Path, relpath: str, document: Mapping[str, Any]) -> Path:
    """Write the baseline atomically inside the rootdir (never through a folder that
    resolves outside it)."""
    problem = _problem(document)
    if problem:  # the writer's own output must read back
        raise BaselineError(f"refusing to write an invalid baseline: {problem}")
    path = baseline_file(rootdir, relpath)
    root = rootdir.resolve()
    parent = path.parent.resolve()
    if parent != root and root not in parent.parents:
        raise BaselineError(f"{relpath}: its folder resolves outside the rootdir ({parent})")
    try:
        write_atomic(path, canonical(document).encode("utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot write {relpath}: {exc}") from None
    return path
