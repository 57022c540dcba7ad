"""The shared model: what a criterion is, what it returns, and what it judges."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

if TYPE_CHECKING:
    from pytest_graduation.settings import GraduationConfig, LevelCriteria


class Status(str, enum.Enum):
    MET = "met"
    UNMET = "unmet"
    WAIVED = "waived"
    INCONCLUSIVE = "inconclusive"


#: what one unmet detail concerns, ``(kind, subject)``: ``("test", nodeid)``,
#: ``("file", rootdir-relative path)``, ``("capability", id)``, ``("item", checklist id)``;
#: any other kind (``"other"``: a glob that matched nothing, a lost worker) no
#: scoped waiver covers
Subject = tuple[str, str]


@final
@dataclass(frozen=True)
class CriterionResult:
    """The judgement of one criterion. Build it with :meth:`met`, :meth:`unmet` or
    :meth:`inconclusive`.

    ``subjects`` name what each problem of an unmet or inconclusive result concerns,
    so that a scoped waiver (``tests``, ``files``, ...) can cover part of it; a
    criterion that names none is covered only by an unscoped waiver. ``allowed`` is
    how many subjects may stay uncovered while the criterion would hold (the limit
    of a count such as ``max_skipped``)."""

    status: Status
    measured: Any = None
    required: Any = None
    details: tuple[str, ...] = ()
    # left out of ==, so that results compare as before (a project's own tests of its
    # criteria compare them whole)
    subjects: tuple[Subject, ...] = field(default=(), compare=False)
    allowed: int = field(default=0, compare=False)

    @classmethod
    def met(
        cls, measured: Any = None, required: Any = None, details: Sequence[str] = ()
    ) -> CriterionResult:
        return cls(Status.MET, measured, required, tuple(details))

    @classmethod
    def unmet(
        cls,
        measured: Any = None,
        required: Any = None,
        details: Sequence[str] = (),
        *,
        subjects: Iterable[Subject] = (),
        allowed: int = 0,
    ) -> CriterionResult:
        return cls(Status.UNMET, measured, required, tuple(details), tuple(subjects), allowed)

    @classmethod
    def inconclusive(
        cls,
        measured: Any = None,
        required: Any = None,
        details: Sequence[str] = (),
        *,
        subjects: Iterable[Subject] = (),
    ) -> CriterionResult:
        return cls(Status.INCONCLUSIVE, measured, required, tuple(details), tuple(subjects))


@final
class Outcome:
    """The outcomes a test record can have once all its reports are in: the one
    spelling of each, used everywhere (records carry them as plain strings, as the
    JSON report does)."""

    NOT_RUN: Final = "not-run"
    PASSED: Final = "passed"
    XPASSED: Final = "xpassed"
    SKIPPED: Final = "skipped"
    XFAILED: Final = "xfailed"
    FAILED: Final = "failed"
    ERROR: Final = "error"

    #: the worse outcome wins when a test has several reports
    SEVERITY: Final = (NOT_RUN, PASSED, XPASSED, SKIPPED, XFAILED, FAILED, ERROR)
    PASSING: Final = (PASSED, XPASSED)
    #: a failing required test: the ``tests`` criterion is unmet
    BAD: Final = (FAILED, ERROR, NOT_RUN)
    #: the body ran (a skip or a deselection measures nothing)
    EXECUTED: Final = (PASSED, XPASSED, FAILED, ERROR, XFAILED)
    #: counted in the report's ``tests`` tally, in this order
    TALLIED: Final = (PASSED, FAILED, ERROR, SKIPPED, XFAILED, XPASSED)


#: Outcomes a test record can have once all its reports are in.
OUTCOMES: Final = Outcome.SEVERITY


@final
@dataclass(frozen=True)
class TestRecord:
    """One collected test as the gate sees it."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: str
    phase: str
    markers: frozenset[str] = frozenset()
    required: bool = True
    reruns: int = 0
    capabilities: tuple[str, ...] = ()
    deselected: bool = False
    longrepr: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "outcome": self.outcome,
            "phase": self.phase,
            "markers": sorted(self.markers),
            "required": self.required,
            "reruns": self.reruns,
            "capabilities": list(self.capabilities),
            "deselected": self.deselected,
        }


def record_of_fields(fields: dict[str, Any]) -> TestRecord:
    """The record whose fields are ``fields`` (every field of :class:`TestRecord`, and
    nothing else: callers copy a complete template). It skips the frozen dataclass's
    ``__init__``, which sets each field through ``object.__setattr__``: ``merge`` and
    the report reader build a million records, and that costs half their time."""
    record = object.__new__(TestRecord)
    object.__setattr__(record, "__dict__", fields)
    return record


@final
@dataclass
class GateRun:
    """Everything a criterion may look at, as plain data: built from a live session or
    from merged reports alike, so judging never reaches back into a session."""

    level: str
    levels: tuple[str, ...]
    tests: tuple[TestRecord, ...]
    coverage: float | None
    rootdir: Path
    settings: GraduationConfig
    criteria_settings: LevelCriteria
    collection_errors: tuple[str, ...] = ()
    facts: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    #: Why an xdist worker's facts are missing ("gw1 was lost; its results are
    #: missing"), one sentence per worker: each makes ``tests`` unmet.
    lost_workers: tuple[str, ...] = ()
    #: scratch space the criteria of one run share (the walked tree); not judged data
    memo: dict[str, Any] = field(default_factory=dict)

    def is_required(self, phase: str) -> bool:
        """Whether a test of ``phase`` is required at this run's level."""
        try:
            return self.levels.index(phase) <= self.levels.index(self.level)
        except ValueError:
            return True

    @property
    def required_tests(self) -> tuple[TestRecord, ...]:
        return tuple(t for t in self.tests if t.required and not t.deselected)

    def fact(self, stream: str) -> Sequence[Any]:
        return self.facts.get(stream, ())


class Criterion(ABC):
    """A condition a release level requires. Subclass it, set ``name`` and implement
    :meth:`evaluate`; return instances from the ``pytest_graduation_criteria`` hook."""

    name: str

    @abstractmethod
    def evaluate(self, run: GateRun) -> CriterionResult:
        """Judge ``run`` and say whether this criterion is met."""
