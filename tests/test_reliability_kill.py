"""A run killed with SIGKILL while it writes golden files or ``goldens.lock`` leaves every
file either old or new, never partial (SPEC section 4: writes are atomic).

Real processes: pytest runs as a subprocess of the test and is killed either from
outside, as soon as it has replaced its first golden file, or from inside, by a
``conftest.py`` that SIGKILLs the process at the N-th ``os.fsync`` (the worst
moment: the new bytes are in the temporary file, the rename has not happened).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import Project

pytestmark = pytest.mark.skipif(os.name == "nt", reason="needs POSIX signals")

#: parametrized tests, each writing a JSON golden and a text golden of ~20 KB
SUITE = """
    import pathlib

    import pytest

    VERSION = (pathlib.Path(__file__).parent / "version.txt").read_text()

    @pytest.mark.parametrize("i", range({count}))
    def test_big(golden, i):
        rows = [f"{{VERSION}}-{{i}}-{{k}}" for k in range(1500)]
        golden.check({{"version": VERSION, "rows": rows}})
        golden.check((VERSION + str(i)) * 4000, name="text")
"""

#: SIGKILLs this pytest process at the KILL_AT_FSYNC-th os.fsync (golden and lock writes)
KILLER = """
    import os
    import signal

    _kill_at = int(os.environ.get("KILL_AT_FSYNC", "0"))
    _calls = [0]
    _fsync = os.fsync

    def _killing_fsync(fd):
        _calls[0] += 1
        if _calls[0] == _kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        _fsync(fd)

    os.fsync = _killing_fsync
"""

TEMP = re.compile(r"\..+\.tmp\Z")
DEADLINE = 120.0


COUNT = 100  # tests, so 200 golden files
FROZEN = "test_big[1] or test_big[2]"  # their 4 golden files are listed in goldens.lock


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *args]


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> int:
    done = subprocess.run(
        _command(*args),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=DEADLINE,
        check=False,
    )
    return done.returncode


def _version(root: Path, text: str) -> None:
    (root / "tests/version.txt").write_text(text)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with 200 "old" golden files, 4 of them frozen in goldens.lock."""
    root = tmp_path_factory.mktemp("kill-template")
    (root / "pyproject.toml").write_text("[tool.graduation]\n")
    (root / "tests").mkdir()
    (root / "tests/test_big.py").write_text(textwrap.dedent(SUITE.format(count=COUNT)))
    _version(root, "old")
    assert _run(root, "--update-goldens", "--freeze-goldens", "-k", FROZEN) == 0
    assert _run(root, "--update-goldens") == 0
    return root


@pytest.fixture
def killable(project: Project, template: Path) -> Path:
    """A fresh copy of the template in this test's pytester folder."""
    shutil.copytree(template, project.path, dirs_exist_ok=True)
    return project.path


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every golden file, goldens.lock and any leftover temporary file, by relative path."""
    files = [p for p in (root / "tests/golden").rglob("*") if p.is_file()]
    files += [p for p in root.iterdir() if p.name.startswith((".goldens", "goldens"))]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def _assert_old_or_new(
    killed: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]
) -> None:
    """Each file of the killed run is whole: byte-equal to its old or its new content."""
    for rel, content in killed.items():
        if TEMP.match(Path(rel).name):
            continue  # a hidden temporary file: never read as a golden (checked below)
        assert content in (old.get(rel), new.get(rel)), f"{rel} is neither old nor new"
        if rel.endswith((".json", ".lock")):
            json.loads(content)
    leftovers = {rel for rel in killed if TEMP.match(Path(rel).name)}
    assert set(killed) - leftovers <= set(old) | set(new)


def _inodes(folder: Path) -> dict[str, int]:
    try:
        return {entry.name: entry.inode() for entry in os.scandir(folder)}
    except FileNotFoundError:
        return {}


def test_sigkill_during_a_large_update_leaves_old_or_new_files(killable: Path) -> None:
    old = _snapshot(killable)
    assert len(old) == 2 * COUNT + 1  # the goldens and goldens.lock
    _version(killable, "new")
    folder = killable / "tests/golden/test_big"
    before = _inodes(folder)
    args = ("--update-goldens", "--freeze-goldens")
    process = subprocess.Popen(
        _command(*args), cwd=killable, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + DEADLINE
        # poll (no sleep) until the first golden file has been replaced by its new content
        while time.monotonic() < deadline and process.poll() is None:
            now = _inodes(folder)
            if any(now.get(name) != inode for name, inode in before.items()):
                break
        assert process.poll() is None, "the update finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    killed = _snapshot(killable)

    assert _run(killable, *args) == 1  # completes; the 2 frozen tests fail (their goldens differ)
    new = _snapshot(killable)
    assert old != killed != new  # the kill landed in the middle of the update
    _assert_old_or_new(killed, old, new)
    assert killed["goldens.lock"] == old["goldens.lock"] != new["goldens.lock"]


@pytest.mark.parametrize(
    ("args", "kill_at"),
    [
        (["--update-goldens"], 50),
        (["--update-goldens", "--freeze-goldens"], 2 * COUNT - 4 + 1),  # after every golden
        (["--freeze-goldens"], 1),  # nothing to update: goldens.lock is the only write
    ],
    ids=["fiftieth-golden", "lock-after-update", "lock-only"],
)
def test_sigkill_between_write_and_rename_leaves_old_or_new_files(
    killable: Path, args: list[str], kill_at: int
) -> None:
    (killable / "tests/conftest.py").write_text(textwrap.dedent(KILLER))
    old = _snapshot(killable)
    if "--update-goldens" in args:
        _version(killable, "new")

    assert _run(killable, *args, env={"KILL_AT_FSYNC": str(kill_at)}) == -signal.SIGKILL
    killed = _snapshot(killable)
    leftovers = {rel: data for rel, data in killed.items() if TEMP.match(Path(rel).name)}
    assert len(leftovers) == 1  # killed inside exactly one write

    assert _run(killable, *args) in (0, 1)  # the same command again completes the job
    new = _snapshot(killable)
    _assert_old_or_new(killed, old, new)
    # the hidden leftover is never taken for an obsolete golden: the update kept it
    assert all(new[rel] == data for rel, data in leftovers.items())
    if "--freeze-goldens" in args:
        assert killed["goldens.lock"] == old["goldens.lock"] != new["goldens.lock"]
