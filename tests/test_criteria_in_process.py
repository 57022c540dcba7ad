"""Built-in criteria judged in process on given runs (as ``merge`` judges them): long
listings are cut, line-only coverage, met path floors, unreadable frozen goldens, and
the readers of untrusted JSON (lock file, observations) refusing malformed input."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import make_run
from pytest_graduation.config import GraduationConfig
from pytest_graduation.coverage import CoverageCriterion, CoveragePathsCriterion
from pytest_graduation.determinism.criterion import DeterminismCriterion
from pytest_graduation.determinism.observation import decode, decode_all
from pytest_graduation.determinism.runner import VERDICT_STREAM
from pytest_graduation.goldens.criteria import FrozenGoldensCriterion
from pytest_graduation.goldens.lockfile import LOCK_NAME, LockError, read_lock, write_lock
from pytest_graduation.model import GateRun, Status, TestRecord
from pytest_graduation.outcome_criteria import TestsCriterion


def _run(
    tests: Sequence[TestRecord] = (),
    facts: dict[str, list[Any]] | None = None,
    rootdir: Path = Path("."),
) -> GateRun:
    return make_run(
        level="beta",
        tests=tuple(tests),
        rootdir=rootdir,
        settings=GraduationConfig(),
        facts=facts or {},
    )


def test_a_long_list_of_failures_is_cut_after_fifty() -> None:
    failed = [TestRecord(f"t.py::test_{i:03}", "failed", "alpha") for i in range(53)]
    result = TestsCriterion().evaluate(_run(failed))
    assert (result.status, result.measured) == (Status.UNMET, "0/53 passed")
    assert len(result.details) == 51
    assert result.details[49] == "t.py::test_049 (failed)"
    assert result.details[50] == "... and 3 more"


def test_tests_of_an_unknown_phase_are_required() -> None:
    run = _run([TestRecord("t.py::test", "failed", "gamma")])
    assert run.is_required("gamma")
    assert not run.is_required("rc")
    assert TestsCriterion().evaluate(run).status is Status.UNMET


def test_a_long_list_of_nondeterministic_tests_is_cut_after_fifty() -> None:
    verdicts = [
        {"nodeid": f"t.py::test_{i:03}", "status": "differs", "runs": 2, "detail": "d\nmore"}
        for i in range(52)
    ]
    result = DeterminismCriterion(2, 0).evaluate(_run(facts={VERDICT_STREAM: verdicts}))
    assert result.measured == "0/52 identical"
    assert result.details[0] == "t.py::test_000: not deterministic: d"
    assert result.details[50:] == ("... and 2 more",)


LINES_ONLY = {
    "kind": "lines",
    "precision": 1,
    "percent": 0.0,
    "files": {"pkg/a.py": [10, 0, 0, 0], "pkg/b.py": [10, 4, 0, 0], "other/c.py": [1, 1, 0, 0]},
}


def test_line_coverage_floors_met_and_unmet() -> None:
    run = _run(facts={"coverage": [LINES_ONLY]})
    # 16 of 21 lines: 76.2%
    met = CoverageCriterion(76).evaluate(run)
    assert (met.status, met.measured) == (Status.MET, 76.2)
    assert met.details == (
        "total 76.2% of lines over 3 measured file(s) reaches the floor of 76.0%",
    )
    unmet = CoverageCriterion(80).evaluate(run)
    assert unmet.status is Status.UNMET
    # ranked by the lines each file needs to reach 80%, not by its percentage
    assert unmet.details == (
        "total 76.2% of lines over 3 measured file(s) is below the floor of 80.0%: "
        "1 more line needed",
        "most needed: pkg/b.py 60.0% (4 missing lines): 2 more lines needed",
        "most needed: other/c.py 0.0% (1 missing line): 1 more line needed",
    )
    paths = CoveragePathsCriterion({"pkg/**": 80, "other/**": 0}).evaluate(run)
    assert paths.status is Status.MET
    assert paths.measured == {"pkg/**": 80.0, "other/**": 0.0}
    below = CoveragePathsCriterion({"pkg/**": 81}).evaluate(run)
    assert below.status is Status.UNMET
    assert below.details == (
        "pkg/**: 80.0% of lines over 2 file(s) is below the floor of 81.0%: 1 more line needed",
        "pkg/**: most needed: pkg/b.py 60.0% (4 missing lines): 3 more lines needed",
    )


def test_a_frozen_golden_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    golden = tmp_path / "golden" / "t" / "x.txt"
    golden.parent.mkdir(parents=True)
    golden.write_text("x")
    write_lock(
        tmp_path,
        {
            "golden/t/x.txt": hashlib.sha256(b"x").hexdigest(),
            "golden/t/dir.txt": hashlib.sha256(b"y").hexdigest(),
        },
    )
    (tmp_path / "golden" / "t" / "dir.txt").mkdir()  # now a folder: cannot be hashed
    result = FrozenGoldensCriterion().evaluate(_run(rootdir=tmp_path))
    assert (result.status, result.measured) == (Status.UNMET, "1 of 2 changed")
    [detail] = result.details
    assert detail.startswith("frozen golden unreadable: golden/t/dir.txt: ")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"goldens": {"a.txt": "abc"}, "version": 1}, "entry 'a.txt': expected a sha256"),
        ({"goldens": {"a.txt": 3}, "version": 1}, "entry 'a.txt': expected a sha256"),
        ({"goldens": {}, "version": 2}, 'expected {"goldens": {path: sha256, ...}'),
    ],
)
def test_a_malformed_lock_file_is_refused(
    tmp_path: Path, document: dict[str, Any], message: str
) -> None:
    (tmp_path / LOCK_NAME).write_text(json.dumps(document))
    with pytest.raises(LockError, match=r"goldens\.lock: ") as info:
        read_lock(tmp_path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"outcome": 1, "values": []},
        {"outcome": "passed", "values": {}},
        {"outcome": "passed", "values": [], "stdout": 3},
        {"outcome": "passed", "values": [], "failure": None},
        {"outcome": "passed", "values": [["label", "text"]]},
        {"outcome": "passed", "values": [["label", "pickle", "x"]]},
        {"outcome": "passed", "values": [["label", "bytes", "not base64!"]]},
    ],
)
def test_a_malformed_observation_is_refused(raw: Any) -> None:
    with pytest.raises(ValueError):
        decode(raw)
    with pytest.raises(ValueError):
        decode_all({"version": 1, "observations": {"t.py::test": raw}})


def test_an_observation_file_without_observations_is_refused() -> None:
    with pytest.raises(ValueError, match="observation file without observations"):
        decode_all({"version": 1, "observations": []})
