"""The ``examples`` criterion: example scripts as test items, run without a shell."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from conftest import Project, criterion, serial_only

CONFIG = """
    [tool.pytest.ini_options]
    testpaths = ["tests"]

    [tool.graduation.criteria.alpha]
    examples = ["examples/**/*.py"]
    examples_timeout = {timeout}
"""

PASSING_TEST = "def test_ok():\n    pass\n"

# reads a file beside it: proves it runs from its own folder
GOOD = """
    import pathlib
    print(pathlib.Path("data.txt").read_text().strip())
"""

BAD = """
    import sys
    for n in range(30):
        print(f"noise {n}", file=sys.stderr)
    raise SystemExit("something broke")
"""


def _passed_examples(result: pytest.RunResult) -> set[str]:
    """Example node ids reported PASSED in ``-v`` output (serial or xdist layout)."""
    pattern = re.compile(r"(examples/.*?\.py::example)")
    matches = (pattern.search(line) for line in result.outlines if "PASSED" in line)
    return {m.group(1) for m in matches if m}


def _project(project: Project, timeout: float = 60) -> None:
    project.config(CONFIG.format(timeout=timeout))
    project.write("tests/test_ok.py", PASSING_TEST)


def test_passing_examples_are_items_and_meet_the_criterion(
    project: Project, dist: list[str]
) -> None:
    _project(project)
    project.write("examples/hello.py", GOOD)
    project.write("examples/data.txt", "hello from data\n")
    project.write("examples/nested/odd name;$(echo).py", "print('no shell here')\n")
    result, report = project.gate("alpha", "-v", *dist)
    assert result.ret == 0, result.stdout.str()
    assert _passed_examples(result) == {
        "examples/hello.py::example",
        "examples/nested/odd name;$(echo).py::example",
    }
    result.assert_outcomes(passed=3)
    examples = criterion(report, "examples")
    assert examples["status"] == "met"
    assert (examples["measured"], examples["required"]) == ("2/2 passed", "all pass")
    # example items are judged by `examples`, not counted again by `tests`
    assert criterion(report, "tests")["measured"] == "1/1 passed"


@serial_only
def test_failing_example_shows_exit_code_and_stderr_tail(project: Project, dist: list[str]) -> None:
    _project(project)
    project.write("examples/bad.py", BAD)
    project.write("examples/good.py", "print('fine')\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*example examples/bad.py: exit code 1",
            "stderr (last 20 lines):",
            "noise 11",
            "noise 29",
            "something broke",
        ]
    )
    assert "noise 10\n" not in result.stdout.str()
    examples = criterion(report, "examples")
    assert examples["status"] == "unmet"
    assert examples["measured"] == "1/2 passed"
    assert examples["details"] == [
        "checked 2 files",
        "examples/bad.py: exit code 1: something broke",
    ]
    tests = criterion(report, "tests")
    assert tests["status"] == "met"
    result.stdout.fnmatch_lines(["alpha: NOT READY (1 of 2 criteria unmet)"])


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie waiting for its reaper counts as exited)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir() and Path("/proc/self").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True
    try:  # pragma: no cover - without /proc
        os.kill(pid, 0)
    except ProcessLookupError:  # pragma: no cover
        return True
    return False  # pragma: no cover


@serial_only
@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_timeout_kills_the_whole_process_tree(project: Project, dist: list[str]) -> None:
    _project(project, timeout=2)
    project.write("examples/hang.py", "import threading\nthreading.Event().wait()\n")
    project.write(
        "examples/spawner.py",
        """
        import pathlib, subprocess, sys, threading
        block = "import threading; threading.Event().wait()"
        child = subprocess.Popen([sys.executable, "-c", block])
        pathlib.Path("child.pid").write_text(str(child.pid))
        threading.Event().wait()
        """,
    )
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        ["*example examples/hang.py: timed out after 2 s (process tree killed)"]
    )
    assert criterion(report, "examples")["details"] == [
        "checked 2 files",
        "examples/hang.py: timed out after 2 s (process tree killed)",
        "examples/spawner.py: timed out after 2 s (process tree killed)",
    ]
    child = int((project.path / "examples/child.pid").read_text())
    assert _gone(child)


@serial_only
def test_examples_skip_what_exclude_lists(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.pytest.ini_options]
        testpaths = ["tests"]

        [tool.graduation]
        exclude = ["examples/broken/**", "**/_*.py"]

        [tool.graduation.criteria.alpha]
        examples = ["examples/**/*.py"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("examples/hello.py", "print('hi')\n")
    project.write("examples/build/nested.py", "print('a build folder below the rootdir')\n")
    project.write("examples/broken/bad.py", BAD)
    project.write("examples/_helper.py", BAD)
    result, report = project.gate("alpha", "-v", *dist)
    assert result.ret == 0, result.stdout.str()
    assert _passed_examples(result) == {
        "examples/build/nested.py::example",
        "examples/hello.py::example",
    }
    result.assert_outcomes(passed=3)
    examples = criterion(report, "examples")
    assert (examples["status"], examples["measured"]) == ("met", "2/2 passed")
    assert examples["details"] == ["checked 2 files"]


def test_example_killed_by_a_signal(project: Project) -> None:
    _project(project)
    project.write("examples/die.py", "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "examples")["details"] == [
        "checked 1 file",
        "examples/die.py: killed by signal SIGTERM",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["-k", "not bad"],
        ["--deselect", "examples/bad.py::example"],
        ["-m", "not graduation_example"],
    ],
)
def test_deselected_examples_are_inconclusive(project: Project, args: list[str]) -> None:
    _project(project)
    project.write("examples/bad.py", BAD)
    project.write("examples/good.py", "print('fine')\n")
    result, report = project.gate("alpha", *args)
    assert result.ret == 1
    examples = criterion(report, "examples")
    assert examples["status"] == "inconclusive"
    assert "examples/bad.py: deselected" in examples["details"]
    assert "run the full suite" in examples["details"][-1]


def test_examples_spread_over_workers_with_loadfile(project: Project) -> None:
    _project(project)
    for name in "abcd":
        project.write(f"examples/{name}.py", f"print({name!r})\n")
    result, report = project.gate("alpha", "-n", "2", "--dist", "loadfile", "-v")
    assert result.ret == 0
    result.assert_outcomes(passed=5)
    assert criterion(report, "examples")["measured"] == "4/4 passed"
    workers = {line.split("]")[0] for line in result.outlines if "PASSED examples/" in line}
    assert workers <= {"[gw0", "[gw1"} and workers


def test_examples_collected_only_while_gating_a_level_with_examples(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.beta]
        examples = ["examples/*.py"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("examples/bad.py", BAD)
    passive = project.run()
    passive.assert_outcomes(passed=1)
    below, report = project.gate("alpha")
    below.assert_outcomes(passed=1)
    assert [c["name"] for c in report["criteria"]] == ["tests"]
    at_level, report = project.gate("beta", "--collect-only", "-q")
    at_level.stdout.fnmatch_lines(["tests/test_ok.py::test_ok", "examples/bad.py::example"])


def test_example_glob_matching_nothing_is_unmet(project: Project) -> None:
    _project(project)
    result, report = project.gate("alpha")
    assert result.ret == 1
    examples = criterion(report, "examples")
    assert examples["status"] == "unmet"
    assert examples["details"] == ["checked 0 files", "examples/**/*.py: no file matches this glob"]


def test_how_a_script_ended_in_one_line() -> None:
    from pytest_graduation.repository.examples import Finished

    assert Finished(3, "", "warning\nboom: bad input\n", False).summary(5) == (
        "exit code 3: boom: bad input"
    )
    assert Finished(-9, "", "", False).summary(5) == "killed by signal SIGKILL"
    # a number that is no signal of this platform is shown as it is
    assert Finished(-200, "", "  \n", False).summary(5) == "killed by signal 200"
    assert Finished(-9, "", "", True).summary(2.5) == "timed out after 2.5 s (process tree killed)"
