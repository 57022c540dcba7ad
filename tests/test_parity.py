"""Every criterion judges the same serial, under `-n 2` and under `-n 2 --dist loadfile`.

Two projects exercise all criteria at once: one meets every criterion, the other
misses every one of them (one is waived). Each is gated in the three modes and the
reports must agree criterion by criterion.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

MODES = {
    "serial": [],
    "xdist": ["-n", "2"],
    "loadfile": ["-n", "2", "--dist", "loadfile"],
}
ALL_CRITERIA = [
    "tests",
    "skipped",
    "xfailed",
    "flaky",
    "required_markers",
    "coverage",
    "coverage_paths",
    "coverage_new",
    "determinism",
    "capabilities",
    "checklist",
    "obsolete_goldens",
    "frozen_goldens",
    "line_limit",
    "compile",
    "source_rules",
    "examples",
    "custom",
]

CONFIG = """
    [tool.pytest.ini_options]
    markers = ["security"]

    [tool.graduation]
    deterministic = ["tests/test_det.py::*"]
    base = "main"

    [tool.graduation.capabilities.core]
    title = "Core"
    tests = ["tests/test_core.py::test_double"]

    [tool.graduation.capabilities.extra]
    title = "Extra"
    tests = ["{extra_glob}"]

    [[tool.graduation.checklist]]
    id = "audit"
    evidence = ["docs/audit.md"]

    [tool.graduation.criteria.beta]
    max_skipped = {max_skipped}
    max_xfailed = 0
    max_flaky = 0
    required_markers = {{ security = {security} }}
    coverage = 100
    coverage_paths = {{ "pkg/**" = 100 }}
    coverage_new = 100
    determinism_runs = 2
    capabilities = true
    checklist = true
    max_obsolete_goldens = 0
    frozen_goldens = true
    line_limit = {{ "pkg/**/*.py" = {line_limit} }}
    compile = ["pkg"]
    examples = ["scripts/*.py"]
    examples_timeout = 30

    [[tool.graduation.criteria.beta.source_rules]]
    name = "no-print"
    files = "pkg/**/*.py"
    pattern = '^\\s*print\\('
    message = "use logging"

    [[tool.graduation.waivers]]
    criterion = "skipped"
    reason = "waived in both projects"
    expires = 2999-01-01
"""

CUSTOM = """
    from pathlib import Path
    from pytest_graduation import Criterion, CriterionResult

    class Custom(Criterion):
        name = "custom"
        def evaluate(self, run):
            ok = (run.rootdir / "OK").exists()
            return CriterionResult.met() if ok else CriterionResult.unmet(details=["no OK"])

    def pytest_graduation_criteria(config):
        return [Custom()]
"""


def _write(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _git_repository(root: Path) -> None:
    """``main`` holds only pyproject.toml: every line of the package is a changed line
    (untracked) for ``coverage_new``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    identity = ["-c", "user.name=Tester", "-c", "user.email=tester@example.com"]
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "pyproject.toml"],
        ["commit", "-qm", "base"],
    ):
        subprocess.run(["git", *identity, *args], cwd=root, env=env, check=True)


def make_project(root: Path, good: bool) -> None:
    """A project meeting every criterion (``good``) or missing every one."""
    _write(
        root,
        "pyproject.toml",
        CONFIG.format(
            extra_glob="tests/test_core.py::test_double" if good else "tests/nothing/*",
            max_skipped=1 if good else 0,
            line_limit=100 if good else 3,
            security=1 if good else 2,
        ),
    )
    _git_repository(root)
    _write(root, "conftest.py", CUSTOM)
    if good:
        (root / "OK").write_text("")
        _write(root, "docs/audit.md", "No findings.\n")
    _write(
        root,
        "pkg/__init__.py",
        """
        def double(x):
            return 2 * x
        """
        + (
            ""
            if good
            else """

        def untested():
            print("never called")
            return None
        """
        ),
    )
    if not good:
        _write(root, "pkg/broken.py", "def f(:\n    pass\n")
    _write(
        root,
        "tests/test_core.py",
        f"""
        import itertools
        import pytest
        from pkg import double

        attempts = itertools.count()

        @pytest.mark.security
        def test_double():
            assert double(2) == 4

        def test_skipped():
            pytest.skip("platform")

        def test_flaky():
            {"pass" if good else "assert next(attempts) >= 1"}

        def test_xfail():
            {"pass" if good else "pytest.xfail('known bug')"}
        """,
    )
    _write(
        root,
        "tests/test_det.py",
        f"""
        import itertools
        counter = itertools.count()

        def test_stable(observe, golden):
            observe({"1" if good else "next(counter)"})
            golden.check({{"answer": 42}})
        """,
    )
    golden = root / "tests/golden/test_det/test_stable.json"
    _write(root, "tests/golden/test_det/test_stable.json", '{\n  "answer": 42\n}\n')
    if not good:
        _write(root, "tests/golden/test_det/test_gone.txt", "obsolete\n")
    digest = hashlib.sha256(golden.read_bytes()).hexdigest()
    lock = {
        "goldens": {"tests/golden/test_det/test_stable.json": digest if good else "0" * 64},
        "version": 1,
    }
    (root / "goldens.lock").write_text(json.dumps(lock, sort_keys=True, indent=2) + "\n")
    _write(
        root, "scripts/demo.py", "import sys\nsys.exit(0)\n" if good else "raise SystemExit(3)\n"
    )


def gate(pytester: pytest.Pytester, mode: list[str]) -> dict[str, Any]:
    report = pytester.path / "report.json"
    if report.exists():
        report.unlink()
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "--reruns=1",
        "--cov=pkg",
        "--cov-report=",
        "--graduation=beta",
        f"--graduation-report={report}",
        *mode,
    )
    assert report.exists(), result.stdout.str()[-3000:] + result.stderr.str()[-2000:]
    data: dict[str, Any] = json.loads(report.read_text())
    data["exit"] = result.ret
    return data


def _view(report: dict[str, Any]) -> dict[str, Any]:
    return {
        c["name"]: (c["status"], json.dumps(c["measured"], sort_keys=True), c["details"])
        for c in report["criteria"]
    }


@pytest.mark.parametrize("good", [True, False], ids=["meets", "misses"])
def test_every_criterion_agrees_across_distribution_modes(
    pytester: pytest.Pytester, good: bool
) -> None:
    pytester.syspathinsert()
    make_project(pytester.path, good)
    reports = {name: gate(pytester, mode) for name, mode in MODES.items()}
    serial = reports["serial"]
    names = [c["name"] for c in serial["criteria"]]
    assert names == ALL_CRITERIA
    expected = "met" if good else "unmet"
    statuses = {c["name"]: c["status"] for c in serial["criteria"]}
    assert statuses.pop("skipped") == ("met" if good else "waived")
    assert set(statuses.values()) == {expected}, statuses
    assert serial["verdict"] == ("ready" if good else "not-ready")
    obsolete = next(c for c in serial["criteria"] if c["name"] == "obsolete_goldens")
    assert not any("not judged" in d for d in obsolete["details"])  # examples are no modules
    for name in ("xdist", "loadfile"):
        assert _view(reports[name]) == _view(serial), name
        assert reports[name]["verdict"] == serial["verdict"]
        assert reports[name]["capabilities"] == serial["capabilities"]
        assert reports[name]["checklist"] == serial["checklist"]
        assert reports[name]["exit"] == serial["exit"]
