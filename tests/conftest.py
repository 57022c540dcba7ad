"""The project fixture: a throwaway project driven through pytester, as a user would."""

from __future__ import annotations

import functools
import importlib
import json
import os
import pkgutil
import textwrap
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import pytest_graduation
from pytest_graduation.config import GraduationConfig
from pytest_graduation.model import GateRun, TestRecord
from pytest_graduation.record_table import decode, encode

pytest_plugins = ["pytester", "pytest_graduation.plugin"]

# Some machines set PYTHONDONTWRITEBYTECODE=1. pytest then cannot cache the modules it
# rewrites, and it rewrites every module of each plugin's distribution (Hypothesis's
# alone is about 0.7 s) again in every process this suite starts: each xdist worker of
# a `-n 2` run, each fresh interpreter. The processes started from here cache
# bytecode as a default Python does; the setting of the session itself is unchanged.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _import_everything_inner_runs_import() -> None:
    """pytester forgets the modules first imported inside an in-process run, so each
    run would import the plugin's feature modules (and xdist's controller) again;
    imported here once, they stay. None of them keeps state between sessions."""
    for module in pkgutil.walk_packages(pytest_graduation.__path__, "pytest_graduation."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for name in ("xdist.dsession", "xdist.workermanage", "execnet"):
        importlib.import_module(name)


_import_everything_inner_runs_import()


def python_cache(path: Path) -> bool:
    """Whether ``path`` is Python's bytecode cache or in it (pytest's rewritten test
    modules among them), which a machine with PYTHONDONTWRITEBYTECODE does not write."""
    return path.name == "__pycache__" or path.parent.name == "__pycache__"


@functools.cache
def _validator() -> Any:
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    schema = json.loads(
        resources.files("pytest_graduation").joinpath("report.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_schema(report: dict[str, Any]) -> None:
    """Every report the suite reads is checked against the shipped JSON Schema."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def records_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-test records of a JSON report, one object each (the report keeps them
    as a table: docs/report.md)."""
    return [record.to_dict() for record in decode(report["records"]).records()]


def table_of(*records: dict[str, Any]) -> dict[str, Any]:
    """The records table the writer makes of ``records`` (objects with at least
    ``nodeid``, ``outcome`` and ``phase``), for documents written by hand."""
    made = [
        TestRecord(
            **{
                **r,
                "markers": frozenset(r.get("markers", ())),
                "capabilities": tuple(r.get("capabilities", ())),
            }
        )
        for r in records
    ]
    return encode(made)


class Project:
    """A user's project: its pyproject.toml, its test files, and pytest runs of it."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path: Path = pytester.path

    def config(self, toml: str) -> None:
        """Write pyproject.toml (the text is dedented)."""
        self.pytester.makepyprojecttoml(textwrap.dedent(toml))

    def write(self, relpath: str, text: str) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    def run(self, *args: str) -> pytest.RunResult:
        return self.pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)

    def gate(self, level: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
        """Gate at ``level`` and return the run and its JSON report."""
        report = self.path / "graduation-report.json"
        if report.exists():
            report.unlink()
        result = self.run(f"--graduation={level}", f"--graduation-report={report}", *args)
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        if data:
            check_schema(data)
        return result, data


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)


@pytest.fixture(params=["serial", "xdist"])
def dist(request: pytest.FixtureRequest) -> list[str]:
    """Extra arguments for a run: nothing, or two xdist workers."""
    return [] if request.param == "serial" else ["-n", "2"]


#: for a test whose behaviour distribution cannot change (judged on the controller, or
#: held by tests/test_parity.py for every criterion): its ``dist`` twin under ``-n 2``
#: would only cost time
serial_only = pytest.mark.parametrize("dist", [[]], ids=["serial"])


def criterion(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The report entry of criterion ``name`` (fails clearly when it is absent)."""
    found: list[dict[str, Any]] = [c for c in report["criteria"] if c["name"] == name]
    assert found, f"criterion {name!r} not in report: {[c['name'] for c in report['criteria']]}"
    return found[0]


@pytest.fixture
def criterion_of() -> Callable[[dict[str, Any], str], dict[str, Any]]:
    """:func:`criterion` as a fixture, for test files that prefer injection."""
    return criterion


def make_run(
    *,
    level: str = "alpha",
    tests: tuple[TestRecord, ...] | list[TestRecord] = (),
    settings: GraduationConfig | None = None,
    facts: dict[str, Any] | None = None,
    rootdir: Path | None = None,
    **extra: Any,
) -> GateRun:
    """A :class:`GateRun` of plain data, as a criterion sees it, for judging in process."""
    settings = settings or GraduationConfig()
    from pytest_graduation.coverage import total_of

    facts = facts or {}
    return GateRun(
        level=level,
        levels=extra.pop("levels", settings.levels),
        tests=tuple(tests),
        coverage=extra.pop("coverage", total_of(facts)),
        rootdir=rootdir or Path("."),
        settings=settings,
        criteria_settings=extra.pop("criteria_settings", settings.criteria_for(level)),
        facts=facts,
        **extra,
    )
