"""The gate's one invariant, over generated suites: the verdict is ``ready`` only if
every required test ran and passed and every configured criterion measured something
and met it — serial, under ``-n 2``, and split into shards joined by ``merge``."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_graduation.merge import main as merge_main

#: what a generated test does; "pending_*" tests are required only from ``stable``
KINDS = ("pass", "fail", "skip", "xfail", "pending_pass", "pending_fail")
BODIES = {
    "pass": "def test_{n}():\n    pass\n",
    "fail": "def test_{n}():\n    assert False\n",
    "skip": "def test_{n}():\n    pytest.skip('not here')\n",
    "xfail": "@pytest.mark.xfail(strict=True)\ndef test_{n}():\n    assert False\n",
    "pending_pass": "@pytest.mark.phase('stable')\ndef test_{n}():\n    pass\n",
    "pending_fail": "@pytest.mark.phase('stable')\ndef test_{n}():\n    assert False\n",
}


@dataclass(frozen=True)
class Suite:
    """A generated project: tests in two modules, one of which may be skipped at
    collection, some tests deselected, and the limits the gate is given."""

    kinds: tuple[str, ...]
    module_skipped: bool
    deselected: frozenset[int]
    max_skipped: int
    max_xfailed: int

    def module_of(self, n: int) -> str:
        return "test_b.py" if n % 2 else "test_a.py"

    def nodeid(self, n: int) -> str:
        return f"{self.module_of(n)}::test_{n}"

    def write(self, root: Path) -> None:
        root.mkdir()
        (root / "pyproject.toml").write_text(
            "[tool.graduation.criteria.alpha]\n"
            f"max_skipped = {self.max_skipped}\nmax_xfailed = {self.max_xfailed}\n",
            encoding="utf-8",
        )
        for module in ("test_a.py", "test_b.py"):
            head = "import pytest\n\n"
            if module == "test_b.py" and self.module_skipped:
                head += "pytest.skip('whole module', allow_module_level=True)\n\n"
            bodies = [
                BODIES[kind].format(n=n)
                for n, kind in enumerate(self.kinds)
                if self.module_of(n) == module
            ]
            (root / module).write_text(head + "\n".join(bodies), encoding="utf-8")

    def ready(self, ran: set[int] | None = None) -> bool:
        """The oracle: what the verdict must be when the tests in ``ran`` ran (all
        selected tests when ``None``)."""
        selected = set(range(len(self.kinds))) - self.deselected if ran is None else ran
        skipped_b = self.module_skipped
        required = [
            n
            for n, kind in enumerate(self.kinds)
            if not kind.startswith("pending")
            and not (skipped_b and self.module_of(n) == "test_b.py")
        ]
        if any(n not in selected for n in required):
            return False  # a partial run is not ready
        outcomes = [self.kinds[n] for n in required]
        executed = [k for k in outcomes if k in ("pass", "fail", "xfail")]
        skips = outcomes.count("skip") + (1 if skipped_b else 0)
        return (
            "fail" not in outcomes
            and bool(executed)
            and skips <= self.max_skipped
            and outcomes.count("xfail") <= self.max_xfailed
        )


suites = st.builds(
    Suite,
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6).map(tuple),
    module_skipped=st.booleans(),
    deselected=st.frozensets(st.integers(0, 5), max_size=2),
    max_skipped=st.integers(0, 2),
    max_xfailed=st.integers(0, 1),
)


class Runner:
    """Runs generated suites in fresh folders of one pytester."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.count = 0

    def fresh(self, suite: Suite) -> Path:
        self.count += 1
        root = self.pytester.path / f"suite{self.count}"
        suite.write(root)
        return root

    def gate(self, root: Path, *args: str) -> dict[str, Any]:
        report = root / f"report{self.count}-{len(args)}.json"
        os.chdir(root)
        self.pytester.runpytest(
            "-p", "no:randomly", "-p", "no:cacheprovider", f"--rootdir={root}",
            "--graduation=alpha", f"--graduation-report={report}", *args,
        )  # fmt: skip
        data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        return data


@pytest.fixture
def runner(pytester: pytest.Pytester) -> Runner:
    return Runner(pytester)


def _deselect(suite: Suite, keep: set[int]) -> list[str]:
    return [
        arg
        for n in range(len(suite.kinds))
        if n not in keep
        for arg in ("--deselect", suite.nodeid(n))
    ]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suite=suites)
def test_serial_verdict_is_ready_only_when_the_oracle_says_so(runner: Runner, suite: Suite) -> None:
    root = runner.fresh(suite)
    keep = set(range(len(suite.kinds))) - suite.deselected
    report = runner.gate(root, *_deselect(suite, keep))
    assert (report["verdict"] == "ready") is suite.ready(), report["criteria"]


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suite=suites)
def test_xdist_verdict_is_the_serial_verdict(runner: Runner, suite: Suite) -> None:
    root = runner.fresh(suite)
    keep = set(range(len(suite.kinds))) - suite.deselected
    serial = runner.gate(root, *_deselect(suite, keep))
    distributed = runner.gate(root, "-n", "2", *_deselect(suite, keep))
    assert (distributed["verdict"] == "ready") is suite.ready()
    statuses = [(c["name"], c["status"]) for c in serial["criteria"]]
    assert [(c["name"], c["status"]) for c in distributed["criteria"]] == statuses


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suite=suites, shard_of=st.lists(st.sampled_from([0, 1, None]), min_size=6, max_size=6))
def test_merged_shards_are_ready_only_when_every_required_test_ran_somewhere(
    runner: Runner, suite: Suite, shard_of: list[int | None], capsys: pytest.CaptureFixture[str]
) -> None:
    root = runner.fresh(suite)
    reports = []
    for shard in (0, 1):
        keep = {n for n in range(len(suite.kinds)) if shard_of[n] == shard}
        data = runner.gate(root, *_deselect(suite, keep))
        path = root / f"shard{shard}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        reports.append(str(path))
    code = merge_main(["merge", "--level", "alpha", "--rootdir", str(root), *reports])
    capsys.readouterr()
    ran = {n for n in range(len(suite.kinds)) if shard_of[n] is not None}
    assert (code == 0) is suite.ready(ran)
