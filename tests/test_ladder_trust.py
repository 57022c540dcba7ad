"""The ladder never says more than separate runs would: merged shards climb it as an
unsharded run does, and over generated projects each conclusive rung is the verdict of
a separate ``--graduation=<level>`` run."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Project, check_schema
from pytest_graduation.merge import main as merge_main

CONFIG = """
    [tool.graduation.criteria.beta]
    max_skipped = 1

    [tool.graduation.criteria.rc]
    determinism_runs = 2
"""
CONFTEST = """
    from pytest_graduation import Criterion, CriterionResult

    class ReleaseNotes(Criterion):
        name = "release_notes"

        def evaluate(self, run):
            if run.level == "stable":
                return CriterionResult.unmet("missing", "present")
            return CriterionResult.met("not needed", "at stable")

    def pytest_graduation_criteria(config):
        return [ReleaseNotes()]
"""
FIRST = """
    import pytest

    @pytest.mark.deterministic
    def test_one(observe):
        observe(1)

    def test_skipped():
        pytest.skip("here")
"""
SECOND = """
    import pytest

    def test_two():
        pass

    @pytest.mark.phase("stable")
    def test_later():
        assert False
"""


def _project(project: Project) -> None:
    project.config(CONFIG)
    project.write("conftest.py", CONFTEST)
    project.write("test_first.py", FIRST)
    project.write("test_second.py", SECOND)


def _shard(project: Project, name: str, *args: str) -> Path:
    target = project.path / name
    result = project.run("--graduation=rc", f"--graduation-report={target}", *args)
    assert result.ret in (0, 1)
    return target


def _merge(project: Project, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = merge_main(["merge", "--level", "rc", "--rootdir", str(project.path), *args], out)
    # one space between words: the table's columns are as wide as their widest cell
    return code, " ".join((out.getvalue() + err.getvalue()).split())


def test_merged_shards_climb_as_the_unsharded_run(project: Project, dist: list[str]) -> None:
    _project(project)
    _, whole = project.gate("rc", "--graduation-ladder", "--graduation-badge=whole.json", *dist)
    shards = [
        _shard(project, f"shard{i}.json", "--graduation-ladder", f"--deselect={other}", *dist)
        for i, other in enumerate(["test_second.py", "test_first.py"])
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest_graduation", "merge", "--level", "rc", "--badge=merged.json",
         "--graduation-report=merged-report.json", *map(str, shards)],
        cwd=project.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    merged = json.loads((project.path / "merged-report.json").read_text())
    check_schema(merged)
    assert merged["ladder"] == whole["ladder"]
    assert [r["verdict"] for r in whole["ladder"]] == ["ready", "ready", "ready", "not-ready"]
    assert whole["ladder"][3]["unmet"] == ["tests", "release_notes"]
    assert merged["highest_ready"] == whole["highest_ready"] == "rc"
    badges = [json.loads((project.path / n).read_text()) for n in ("whole.json", "merged.json")]
    assert badges[0] == badges[1] == {**badges[0], "message": "rc", "color": "green"}
    assert "highest ready level: rc" in done.stdout


def test_shards_without_the_ladder_leave_custom_criteria_inconclusive(project: Project) -> None:
    _project(project)
    shards = [
        str(_shard(project, f"shard{i}.json", f"--deselect={other}"))
        for i, other in enumerate(["test_second.py", "test_first.py"])
    ]
    code, out = _merge(project, "--ladder", *shards)
    assert code == 0  # rc's verdict
    assert "alpha inconclusive release_notes (inconclusive: a shard did not judge it" in out
    assert "stable not-ready tests, release_notes (inconclusive: a shard did not judge it" in out
    assert "run the shards with --graduation-ladder): gate at stable to measure it)" in out


def test_a_missing_shard_leaves_every_rung_unready(project: Project) -> None:
    _project(project)
    shard = _shard(project, "shard0.json", "--deselect=test_second.py::test_two")
    code, out = _merge(project, "--ladder", str(shard))
    assert code == 1
    assert "alpha inconclusive tests (inconclusive: 1 required test ran in no shard" in out
    assert "highest ready level: none" in out


def test_a_shard_with_fewer_runs_leaves_the_rung_inconclusive(project: Project) -> None:
    _project(project)
    project.config("[tool.graduation.criteria.stable]\ndeterminism_runs = 3\n")
    shards = [
        str(_shard(project, "shard0.json", "--deselect=test_second.py", "--determinism-runs=3")),
        str(_shard(project, "shard1.json", "--deselect=test_first.py")),
    ]
    code, _ = _merge(project, "--ladder", "--graduation-report=m.json", *shards)
    assert code == 0
    merged = json.loads((project.path / "m.json").read_text())
    assert merged["ladder"][3] == {
        "level": "stable",
        "verdict": "not-ready",
        "unmet": ["tests"],
        # neither shard ran with --graduation-ladder
        "inconclusive": ["determinism", "release_notes"],
    }
    assert merged["facts"].get("determinism_plan") is None  # the least of the shards: none


def test_an_unwritable_merge_badge_is_a_usage_error(project: Project) -> None:
    _project(project)
    shard = _shard(project, "shard0.json")
    code, out = _merge(project, "--badge=missing/badge.json", str(shard))
    assert code == 4
    assert "--badge: folder missing does not exist" in out


# --- the property ----------------------------------------------------------------

LEVELS = ("alpha", "beta", "rc", "stable")
BODIES = {
    "pass": "def test_{n}():\n    pass\n",
    "fail": "def test_{n}():\n    assert False\n",
    "skip": "def test_{n}():\n    pytest.skip('no')\n",
    "xfail": "@pytest.mark.xfail(reason='bug')\ndef test_{n}():\n    assert False\n",
}


@dataclass(frozen=True)
class Suite:
    tests: tuple[tuple[str, str], ...]  # (phase, kind)
    #: per level: (max_skipped, max_xfailed), None when the level sets none
    limits: tuple[tuple[int | None, int | None], ...]
    #: the level that sets ``coverage``: never measured here (no --cov), so inconclusive
    #: on every rung but the gated one, where it is unmet
    coverage_at: str | None
    gated: str

    def write(self, root: Path) -> None:
        root.mkdir()
        config = []
        for level, (skipped, xfailed) in zip(LEVELS, self.limits, strict=True):
            config.append(f"[tool.graduation.criteria.{level}]")
            config += [f"max_skipped = {skipped}"] if skipped is not None else []
            config += [f"max_xfailed = {xfailed}"] if xfailed is not None else []
            if level == self.coverage_at:
                config.append("coverage = 50")
        (root / "pyproject.toml").write_text("\n".join(config) + "\n", encoding="utf-8")
        bodies = ["import pytest\n"]
        for n, (phase, kind) in enumerate(self.tests):
            marks = f"@pytest.mark.phase({phase!r})\n"
            bodies.append(marks + BODIES[kind].format(n=n))
        (root / "test_gen.py").write_text("\n".join(bodies), encoding="utf-8")


limits = st.tuples(st.sampled_from([None, 0, 1]), st.sampled_from([None, 0, 1]))
suites = st.builds(
    Suite,
    tests=st.lists(
        st.tuples(st.sampled_from(LEVELS), st.sampled_from(tuple(BODIES))), min_size=1, max_size=5
    ).map(tuple),
    limits=st.tuples(limits, limits, limits, limits),
    coverage_at=st.sampled_from([None, *LEVELS]),
    gated=st.sampled_from(LEVELS),
)


def _gate(pytester: pytest.Pytester, root: Path, level: str, *args: str) -> dict[str, Any]:
    report = root / f"report-{level}-{len(args)}.json"
    os.chdir(root)
    pytester.runpytest(
        "-p", "no:randomly", "-p", "no:cacheprovider", f"--rootdir={root}",
        f"--graduation={level}", f"--graduation-report={report}", *args,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suite=suites)
def test_each_conclusive_rung_is_the_verdict_of_a_separate_run(
    pytester: pytest.Pytester, suite: Suite
) -> None:
    root = pytester.path / f"suite{len(list(pytester.path.iterdir()))}"
    suite.write(root)
    climbed = _gate(pytester, root, suite.gated, "--graduation-ladder")
    ladder = {r["level"]: r["verdict"] for r in climbed["ladder"]}
    assert (ladder[suite.gated] == "ready") is (climbed["verdict"] == "ready")
    for level, verdict in ladder.items():
        if verdict == "inconclusive":
            # only what this run did not measure: coverage, on another level
            assert suite.coverage_at is not None and level != suite.gated
            assert LEVELS.index(suite.coverage_at) <= LEVELS.index(level)
            continue
        alone = _gate(pytester, root, level)
        assert verdict == alone["verdict"], (level, climbed["ladder"], alone["criteria"])
