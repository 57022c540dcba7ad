"""The gating side of ``determinism_processes`` in process: the command a child gets,
the monitor of one child, the results tests read, and the xdist worker's view."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_graduation.determinism import _process_results
from pytest_graduation.determinism.observation import Observation, encode_all
from pytest_graduation.determinism.processes import (
    WORKERINPUT_KEY,
    Child,
    ProcessResults,
    child_command,
)


def test_a_child_gets_the_options_that_change_what_or_how_tests_run(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("grad.toml").write_text("")
    pytester.mkdir("sub")
    config = pytester.parseconfig(
        "-p", "no:randomly",
        "-c", "tox.ini",
        "-o", "xfail_strict=true",
        "--confcutdir=sub",
        "--import-mode=importlib",
        "-W", "error::UserWarning",
        "--noconftest", "--doctest-modules", "--strict-markers", "--strict-config",
        "--runxfail",
        "--doctest-glob=*.rst",
        "--capture=sys",
        "--graduation-config=grad.toml",
        "--hypothesis-seed=7",
        "--junitxml=mine.xml",
        "--graduation-report=mine.json",
        "tests/test_a.py",
    )  # fmt: skip
    command = child_command(config, tmp_path, 3, ["/r/test_a.py", "/r/test_b.py"])
    assert command[:4] == [sys.executable, "-m", "pytest", f"--rootdir={config.rootpath}"]
    for part in (
        ["-p", "no:randomly"],
        ["-c", "tox.ini"],
        ["-o", "xfail_strict=true"],
        ["-o", f"cache_dir={tmp_path / 'cache-3'}"],
        ["-W", "error::UserWarning"],
        ["-n", "0"],  # a child is no xdist session
    ):
        assert any(command[i : i + 2] == part for i in range(len(command))), part
    for flag in (
        "--confcutdir=sub",
        "--import-mode=importlib",
        "--noconftest",
        "--doctest-modules",
        "--strict-markers",
        "--strict-config",
        "--runxfail",
        "--doctest-glob=*.rst",
        "--capture=sys",
        f"--graduation-config={pytester.path / 'grad.toml'}",
        "--hypothesis-seed=7",
        "--no-cov",  # its own coverage would count nothing of the session's
        # the user's files are never overwritten by a child: its own go to the work folder
        f"--junitxml={tmp_path / 'junit-3.xml'}",
        f"--graduation-report={tmp_path / 'report-3.json'}",
        f"--basetemp={tmp_path / 'basetemp-3'}",
        "--maxfail=0",
        "--color=no",
    ):
        assert flag in command, flag
    assert "--junitxml=mine.xml" not in command
    assert command[-2:] == ["/r/test_a.py", "/r/test_b.py"]


def test_a_plain_session_gives_a_plain_child_command(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    config = pytester.parseconfig("-p", "no:randomly", "-p", "no:xdist", "-p", "no:pytest_cov")
    command = child_command(config, tmp_path, 0, ["/r/t.py"])
    assert not [a for a in command if a.startswith(("--junitxml", "--graduation", "-W", "-c"))]
    assert "-n" not in command and "--no-cov" not in command
    assert "--strict-markers" not in command
    # pytest's defaults, given explicitly
    assert "--import-mode=prepend" in command and "--capture=fd" in command


def _child(workdir: Path, code: str, timeout: float = 60.0) -> Child:
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL)
    return Child(0, 1, process, workdir, timeout)


def test_a_child_without_observations_or_log_leaves_an_error_result(tmp_path: Path) -> None:
    child = _child(tmp_path, "raise SystemExit(3)")
    child.watch(60.0)
    result = json.loads((tmp_path / "result-0.json").read_text())
    assert result == {
        "error": "exited with code 3 without observations; its output ends:\n"  # no log file
    }
    assert child.thread.name == "graduation-seed-1"


def test_a_child_with_observations_hands_them_over(tmp_path: Path) -> None:
    observations = encode_all({"t.py::test": Observation("passed")})
    (tmp_path / "out-0.json").write_text(json.dumps(observations))
    _child(tmp_path, "pass").watch(60.0)
    assert json.loads((tmp_path / "result-0.json").read_text()) == observations
    assert not (tmp_path / "out-0.json").exists()


def test_stopping_a_child_outside_a_process_group_still_waits_for_it(tmp_path: Path) -> None:
    # not started in a session of its own: there is no process group to signal
    child = _child(tmp_path, "pass")
    child.kill()
    assert child.process.returncode == 0  # waited for (it was not killed)


def _results(tmp_path: Path | None, seeds: list[int]) -> tuple[ProcessResults, list[int]]:
    asked: list[int] = []

    def workdir() -> Path | None:
        asked.append(1)
        return tmp_path

    return ProcessResults(workdir, seeds, timeout=1.0), asked


def test_results_say_why_a_fresh_interpreter_run_is_missing(tmp_path: Path) -> None:
    observation = Observation("passed", (("observe:#1", "1"),))
    (tmp_path / "result-0.json").write_text(json.dumps(encode_all({"t.py::a": observation})))
    (tmp_path / "result-1.json").write_text(json.dumps({"error": "it crashed"}))
    (tmp_path / "result-2.json").write_text("{not json")
    (tmp_path / "result-3.json").write_text(json.dumps({"version": 99}))
    results, _ = _results(tmp_path, [1, 2, 3, 4, 5])
    results.patience = 0.0  # result-4.json never comes
    found = results("t.py::a")
    labels = [label for label, _ in found]
    assert labels == [f"fresh interpreter with PYTHONHASHSEED={seed}" for seed in (1, 2, 3, 4, 5)]
    values = [value for _, value in found]
    assert values[0] == observation
    assert values[1] == "it crashed"
    assert isinstance(values[2], str) and values[2].startswith("unreadable result result-2.json: ")
    assert values[3] == (
        "unreadable result result-3.json: not an observation file of this pytest-graduation version"
    )
    assert values[4] == "no result after 0 s"
    # another test of the same session: read from memory, not the disk
    for path in tmp_path.iterdir():
        path.unlink()
    assert results("t.py::b")[0][1] == "the test did not run there (not collected or deselected)"


def test_results_before_the_children_started(tmp_path: Path) -> None:
    results, asked = _results(None, [1, 2])
    assert results("t.py::a") == [
        ("fresh interpreter with PYTHONHASHSEED=1", "the fresh interpreters were not started"),
        ("fresh interpreter with PYTHONHASHSEED=2", "the fresh interpreters were not started"),
    ]
    results("t.py::b")
    assert len(asked) == 2  # once per child, then remembered


@pytest.mark.parametrize("shared", [True, False])
def test_an_xdist_worker_reads_the_work_folder_of_its_controller(
    pytester: pytest.Pytester, tmp_path: Path, shared: bool
) -> None:
    config = pytester.parseconfig("-p", "no:randomly")
    config.workerinput = {WORKERINPUT_KEY: str(tmp_path)} if shared else {}  # type: ignore[attr-defined]
    (tmp_path / "result-0.json").write_text(json.dumps({"error": "from the controller"}))
    results = _process_results(config, 1, hypothesis=False)
    # a worker starts no children of its own
    assert config.pluginmanager.get_plugin("graduation-determinism-spawner") is None
    expected = "from the controller" if shared else "the fresh interpreters were not started"
    assert results("t.py::a") == [("fresh interpreter with PYTHONHASHSEED=1", expected)]
