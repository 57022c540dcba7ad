"""Runs of the deterministic tests in fresh interpreters, one per ``PYTHONHASHSEED``.

Batched: each of the P seeds gets ONE child ``python -m pytest`` that runs every
deterministic test of the session once and writes their observations to a JSON
file. So P extra interpreter start-ups (plus collection) per session, whatever the
number of tests. The children are started as soon as the tests are known (serial:
after collection; xdist: on the controller, when the first worker has collected)
and run while the session runs its own tests; a test's process runs are awaited
only when that test has finished its in-process runs.

A monitor thread per child enforces the timeout and always leaves a result file
(observations or an error), written atomically, in a work folder that xdist workers
learn from ``workerinput``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, final

import pytest

from pytest_graduation.atomic import write_atomic
from pytest_graduation.determinism import JOB_ENV
from pytest_graduation.determinism.marker import DeterministicSpec, spec_key
from pytest_graduation.determinism.observation import Observation, decode_all

#: set in every fresh-interpreter run, to its hash seed (for users' information)
SEED_ENV: Final = "PYTEST_GRADUATION_DETERMINISM_SEED"
TIMEOUT_ENV: Final = "PYTEST_GRADUATION_DETERMINISM_TIMEOUT"
DEFAULT_TIMEOUT: Final = 600.0
WORKERINPUT_KEY: Final = "graduation_determinism_dir"
#: variables a child must not inherit: it is no xdist worker, measures no coverage and
#: appends no GitHub summary
_DROPPED_ENV: Final = (
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
    "GITHUB_STEP_SUMMARY",
    "COVERAGE_PROCESS_START",
)
_POLL: Final = 0.02
_TAIL_LINES: Final = 15


def hash_seeds(count: int, parent: str | None) -> list[int]:
    """``count`` distinct PYTHONHASHSEED values, 1, 2, ..., skipping the session's own."""
    seeds: list[int] = []
    candidate = 1
    while len(seeds) < count:
        if str(candidate) != parent:
            seeds.append(candidate)
        candidate += 1
    return seeds


def timeout_from(environ: Mapping[str, str]) -> float:
    raw = environ.get(TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise pytest.UsageError(
            f"pytest-graduation: {TIMEOUT_ENV}={raw!r}: expected a number of seconds > 0"
        )
    return value


#: pytest flags a child repeats when the session has them on
_COPIED_FLAGS: Final = (
    ("--noconftest", "noconftest"),
    ("--doctest-modules", "doctestmodules"),
    ("--strict-markers", "strict_markers"),
    ("--strict-config", "strict_config"),
    ("--runxfail", "runxfail"),
)
#: plugin options a child repeats with their value
_COPIED_VALUES: Final = (
    ("--hypothesis-profile", "hypothesis_profile"),
    ("--hypothesis-seed", "hypothesis_seed"),
    ("--randomly-seed", "randomly_seed"),
)


def child_command(
    config: pytest.Config, workdir: Path, index: int, paths: Sequence[str]
) -> list[str]:
    """``python -m pytest`` with the session's rootdir, configuration and plugins; it
    writes no report, no junit file, no cache and no coverage of its own."""
    args = [sys.executable, "-m", "pytest", f"--rootdir={config.rootpath}"]
    args += _session_options(config, workdir, index)
    args += _plugin_options(config)
    args += _own_outputs(config, workdir, index)
    return [*args, *paths]


def _session_options(config: pytest.Config, workdir: Path, index: int) -> list[str]:
    """The configuration the session ran with: plugins, ini file and overrides, import
    mode, warnings, capture, doctests and strictness."""
    option = config.option
    args: list[str] = []
    for plugin in getattr(option, "plugins", None) or ():
        args += ["-p", plugin]
    if getattr(option, "inifilename", None):
        args += ["-c", str(option.inifilename)]
    for override in getattr(option, "override_ini", None) or ():
        args += ["-o", override]
    args += ["-o", f"cache_dir={workdir / f'cache-{index}'}"]
    if getattr(option, "confcutdir", None):
        args.append(f"--confcutdir={option.confcutdir}")
    args.append(f"--import-mode={option.importmode}")
    for warning in getattr(option, "pythonwarnings", None) or ():
        args += ["-W", warning]
    args += [flag for flag, dest in _COPIED_FLAGS if getattr(option, dest, None) is True]
    args += [f"--doctest-glob={p}" for p in getattr(option, "doctestglob", None) or ()]
    args.append(f"--capture={option.capture}")
    return args


def _plugin_options(config: pytest.Config) -> list[str]:
    """The graduation configuration and the seeds of Hypothesis and pytest-randomly."""
    args: list[str] = []
    graduation_config = config.getoption("graduation_config", None)
    if graduation_config:
        args.append(f"--graduation-config={config.invocation_params.dir / graduation_config}")
    for flag, dest in _COPIED_VALUES:
        value = config.getoption(dest, None)
        if value is not None and not isinstance(value, bool):
            args.append(f"{flag}={value}")
    return args


def _own_outputs(config: pytest.Config, workdir: Path, index: int) -> list[str]:
    """One process, no coverage of its own, and every output in the work folder."""
    args: list[str] = []
    if config.pluginmanager.hasplugin("xdist"):
        args += ["-n", "0"]
    if config.pluginmanager.hasplugin("pytest_cov"):
        args.append("--no-cov")
    if getattr(config.option, "xmlpath", None):
        args.append(f"--junitxml={workdir / f'junit-{index}.xml'}")
    if config.getoption("graduation_report", None):
        args.append(f"--graduation-report={workdir / f'report-{index}.json'}")
    args += [f"--basetemp={workdir / f'basetemp-{index}'}", "--maxfail=0", "--color=no"]
    return args


def files_of(rootpath: Path, nodeids: Sequence[str]) -> list[str]:
    """The files to give a child: it runs only the node ids of its job among them."""
    return [str(rootpath / name) for name in dict.fromkeys(n.split("::", 1)[0] for n in nodeids)]


def _write_atomic(path: Path, payload: Any) -> None:
    write_atomic(path, json.dumps(payload).encode("utf-8"))


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-_TAIL_LINES:])


@final
class Child:
    """One fresh interpreter and the thread that watches it."""

    def __init__(
        self,
        index: int,
        seed: int,
        process: subprocess.Popen[bytes],
        workdir: Path,
        timeout: float,
    ):
        self.index = index
        self.seed = seed
        self.process = process
        self.workdir = workdir
        self.thread = threading.Thread(
            target=self.watch, args=(timeout,), name=f"graduation-seed-{seed}", daemon=True
        )

    def watch(self, timeout: float) -> None:
        result = self.workdir / f"result-{self.index}.json"
        output = self.workdir / f"out-{self.index}.json"
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            _write_atomic(
                result,
                {
                    "error": f"timed out after {timeout:g} s and was stopped (set "
                    f"{TIMEOUT_ENV} to allow more)"
                },
            )
            return
        if output.is_file():
            os.replace(output, result)
            return
        tail = _tail(self.workdir / f"log-{self.index}.txt")
        _write_atomic(
            result,
            {"error": f"exited with code {code} without observations; its output ends:\n{tail}"},
        )

    def kill(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            if hasattr(os, "killpg"):
                os.killpg(self.process.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                self.process.kill()
        except OSError:
            pass
        self.process.wait()


@final
class Spawner:
    """Starts the children (serial process or xdist controller) and cleans up after them."""

    def __init__(
        self, config: pytest.Config, seeds: Sequence[int], timeout: float, hypothesis: bool
    ):
        self.config = config
        self.seeds = list(seeds)
        self.timeout = timeout
        self.hypothesis = hypothesis
        self.workdir: Path | None = None
        self.children: list[Child] = []
        self.started = False

    def ensure_workdir(self) -> Path:
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="pytest-graduation-determinism-"))
        return self.workdir

    def start(self, nodeids: Sequence[str]) -> None:
        if self.started or not nodeids or self.config.option.collectonly:
            return
        self.started = True
        workdir = self.ensure_workdir()
        paths = files_of(self.config.rootpath, nodeids)
        for index, seed in enumerate(self.seeds):
            job = workdir / f"job-{index}.json"
            _write_atomic(
                job,
                {
                    "nodeids": list(nodeids),
                    "output": str(workdir / f"out-{index}.json"),
                    "hypothesis": self.hypothesis,
                },
            )
            env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
            env = {k: v for k, v in env.items() if not k.startswith("COV_CORE_")}
            env.update({"PYTHONHASHSEED": str(seed), JOB_ENV: str(job), SEED_ENV: str(seed)})
            with (workdir / f"log-{index}.txt").open("wb") as log:
                process = subprocess.Popen(
                    child_command(self.config, workdir, index, paths),
                    cwd=self.config.invocation_params.dir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=hasattr(os, "setsid"),
                )
            child = Child(index, seed, process, workdir, self.timeout)
            child.thread.start()
            self.children.append(child)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.start(
            [
                i.nodeid
                for i in session.items
                if isinstance(i.stash.get(spec_key, None), DeterministicSpec)
            ]
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKERINPUT_KEY] = str(self.ensure_workdir())

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self.start(list(ids))

    def pytest_unconfigure(self) -> None:
        for child in self.children:
            child.kill()
            child.thread.join(5)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


@final
class ProcessResults:
    """Where tests run: the observations of the children, awaited on first use."""

    def __init__(
        self, workdir: Callable[[], Path | None], seeds: Sequence[int], timeout: float
    ) -> None:
        self.workdir = workdir
        self.seeds = list(seeds)
        #: the monitor always writes a result within the timeout; this is a safety net
        self.patience = timeout + 60.0
        self.loaded: dict[int, dict[str, Observation] | str] = {}

    def _load(self, index: int) -> dict[str, Observation] | str:
        if index in self.loaded:
            return self.loaded[index]
        workdir = self.workdir()
        if workdir is None:
            found: dict[str, Observation] | str = "the fresh interpreters were not started"
        else:
            found = self._wait(workdir / f"result-{index}.json")
        self.loaded[index] = found
        return found

    def _wait(self, path: Path) -> dict[str, Observation] | str:
        deadline = time.monotonic() + self.patience
        while not path.is_file():
            if time.monotonic() > deadline:
                return f"no result after {self.patience:g} s"
            time.sleep(_POLL)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(raw, dict) and isinstance(raw.get("error"), str):
                return str(raw["error"])
            return decode_all(raw)
        except (OSError, ValueError) as exc:
            return f"unreadable result {path.name}: {exc}"

    def __call__(self, nodeid: str) -> list[tuple[str, Observation | str]]:
        out: list[tuple[str, Observation | str]] = []
        for index, seed in enumerate(self.seeds):
            label = f"fresh interpreter with PYTHONHASHSEED={seed}"
            found = self._load(index)
            if isinstance(found, str):
                out.append((label, found))
            elif nodeid not in found:
                out.append((label, "the test did not run there (not collected or deselected)"))
            else:
                out.append((label, found[nodeid]))
        return out
