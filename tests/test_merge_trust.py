"""``merge`` trusts no shard blindly (SPEC 12): every shard report comes from a real
gated session here, and each test asks how a merge could say ``ready`` when the
shards do not prove it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, criterion
from pytest_graduation._version import __version__
from pytest_graduation.merge import main

SUITE = {
    "test_a.py": "def test_a():\n    pass\n",
    "test_b.py": "def test_b():\n    pass\n",
    "test_c.py": "def test_c():\n    pass\n",
}
#: an xdist worker that dies after its tests passed, before it sends its facts
LOSE_GW1 = """
    import os

    def pytest_sessionfinish(session):
        workerinput = getattr(session.config, "workerinput", None)
        if workerinput is not None and workerinput["workerid"] == "gw1":
            os._exit(0)
"""


def _suite(project: Project, files: dict[str, str] = SUITE) -> None:
    project.config("[tool.graduation.criteria.alpha]\n")
    for name, text in files.items():
        project.write(name, text)


def _shard(project: Project, name: str, *args: str, expect: tuple[int, ...] = (0, 1)) -> Path:
    """One real shard: a gated session writing ``name``; exit 1 is for merge to judge."""
    target = project.path / name
    result = project.run("--graduation=alpha", f"--graduation-report={target}", *args)
    assert result.ret in expect, result.stdout.str()
    return target


def _merge(project: Project, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["merge", "--level", "alpha", f"--rootdir={project.path}", *args], out)
    return code, out.getvalue(), err.getvalue()


def _merged(project: Project, *shards: Path) -> tuple[int, str, dict[str, Any]]:
    target = project.path / "merged.json"
    code, out, err = _merge(project, f"--graduation-report={target}", *map(str, shards))
    assert err == ""
    return code, out, json.loads(target.read_text())


def _edit(path: Path, **changes: Any) -> Path:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
    return path


def _split(project: Project) -> list[Path]:
    """The suite in two shards that together ran every test."""
    return [
        _shard(project, "shard0.json", "--deselect=test_c.py"),
        _shard(project, "shard1.json", "--deselect=test_a.py", "--deselect=test_b.py"),
    ]


# --- 1. a worker lost in a shard is lost to the merge ------------------------------


def test_a_worker_lost_in_a_shard_makes_the_merge_not_ready(project: Project) -> None:
    _suite(project, {**SUITE, "conftest.py": LOSE_GW1})
    parametrized = (
        "import pytest\n\n@pytest.mark.parametrize('i', range(6))\ndef test_p(i):\n    pass\n"
    )
    project.write("test_p.py", parametrized)
    lost = _shard(project, "shard0.json", "-n", "2", "-k", "test_p", expect=(1,))
    assert json.loads(lost.read_text())["lost_workers"] == ["gw1 was lost; its results are missing"]
    rest = _shard(project, "shard1.json", "--deselect=test_p.py")
    code, out, merged = _merged(project, lost, rest)
    assert code == 1
    assert "alpha: NOT READY" in out
    tests = criterion(merged, "tests")
    assert tests["status"] == "unmet"
    assert tests["details"] == ["xdist worker gw1 was lost; its results are missing (shard0.json)"]
    assert merged["lost_workers"] == ["gw1 was lost; its results are missing (shard0.json)"]
    # the merged report is a report of its own
    shard_ids = {json.loads(p.read_text())["run_id"] for p in (lost, rest)}
    assert re.fullmatch("[0-9a-f]{32}", merged["run_id"])
    assert merged["run_id"] not in shard_ids


@pytest.mark.parametrize(
    ("value", "what"),
    [
        (None, "'lost_workers' missing or not a list"),
        ("gw1 was lost", "'lost_workers' missing or not a list"),
        ({"gw1": "lost"}, "'lost_workers' missing or not a list"),
        (["gw1 was lost", 2], "'lost_workers' is not a list of strings"),
    ],
)
def test_lost_workers_must_be_a_list_of_strings(project: Project, value: Any, what: str) -> None:
    _suite(project)
    shards = _split(project)
    _edit(shards[1], lost_workers=value)
    code, out, err = _merge(project, *map(str, shards))
    assert (code, out) == (4, "")
    assert err == f"error: {shards[1]}: not a pytest-graduation report: {what}\n"


# --- 2. every report once -------------------------------------------------------------


def test_the_same_shard_given_twice_is_a_usage_error(project: Project) -> None:
    _suite(project)
    shards = _split(project)
    copy = project.path / "copy-of-shard0.json"
    copy.write_bytes(shards[0].read_bytes())
    for twice in ([shards[0], shards[1], shards[0]], [shards[0], shards[1], copy]):
        code, out, err = _merge(project, *map(str, twice))
        run_id = json.loads(shards[0].read_text())["run_id"]
        assert (code, out) == (4, "")
        assert err == (
            f"error: {twice[0]} and {twice[2]} are the same report (run_id {run_id!r}): "
            "give each shard's report once\n"
        )
    assert _merged(project, *shards)[0] == 0  # each once: ready


@pytest.mark.parametrize(
    ("run_id", "what"),
    [
        (None, "'run_id' missing or not a str"),
        (17, "'run_id' missing or not a str"),
        ("", "'run_id' is empty"),
        ("  ", "'run_id' is empty"),
    ],
)
def test_a_report_without_a_run_id_is_not_a_schema_2_report(
    project: Project, run_id: Any, what: str
) -> None:
    _suite(project)
    shards = _split(project)
    _edit(shards[0], run_id=run_id)
    code, out, err = _merge(project, *map(str, shards))
    assert (code, out) == (4, "")
    assert err == f"error: {shards[0]}: not a pytest-graduation report: {what}\n"


# --- 3. a required test that ran in no shard --------------------------------------------


def test_a_test_deselected_in_every_shard_leaves_tests_inconclusive(project: Project) -> None:
    _suite(project)
    # test_c is in no shard's selection: a shard of the matrix is missing
    shards = [
        _shard(project, "shard0.json", "--deselect=test_b.py", "--deselect=test_c.py"),
        _shard(project, "shard1.json", "--deselect=test_a.py", "--deselect=test_c.py"),
    ]
    code, out, merged = _merged(project, *shards)
    assert code == 1
    assert "alpha: NOT READY (1 of 1 criteria unmet)" in out
    tests = criterion(merged, "tests")
    assert tests["status"] == "inconclusive"
    assert tests["details"] == [
        "1 required test ran in no shard: is a shard missing?",
        "test_c.py::test_c (deselected in every shard)",
    ]
    assert merged["verdict"] == "not-ready"


def test_a_pending_test_in_no_shard_is_not_missing(project: Project) -> None:
    later = "import pytest\n\n@pytest.mark.phase('beta')\ndef test_later():\n    assert False\n"
    _suite(project, {**SUITE, "test_later.py": later})
    shards = [
        _shard(project, "shard0.json", "--deselect=test_c.py", "--deselect=test_later.py"),
        _shard(project, "shard1.json", "-k", "test_c"),
    ]
    code, _, merged = _merged(project, *shards)
    assert (code, criterion(merged, "tests")["status"]) == (0, "met")
    assert merged["tests"]["deselected"] == 1  # in no shard, but required only from beta on


def test_many_tests_in_no_shard_are_listed_up_to_ten(project: Project) -> None:
    many = "import pytest\n\n@pytest.mark.parametrize('i', range(12))\ndef test_m(i):\n    pass\n"
    _suite(project, {**SUITE, "test_m.py": many})
    shards = [_shard(project, "shard0.json", "--deselect=test_m.py")]
    code, _, merged = _merged(project, *shards)
    details = criterion(merged, "tests")["details"]
    assert code == 1
    assert details[0] == "12 required tests ran in no shard: is a shard missing?"
    assert details[1:11] == [
        f"test_m.py::test_m[{i}] (deselected in every shard)" for i in range(10)
    ]
    assert details[11:] == ["... and 2 more"]


def test_failures_stay_unmet_beside_tests_that_ran_in_no_shard(project: Project) -> None:
    failing = "def test_a1():\n    assert False\n\ndef test_a2():\n    pass\n"
    _suite(project, {**SUITE, "test_a.py": failing})
    # -x stops after test_a1: test_a2 is collected but never runs; test_c in no shard
    shards = [
        _shard(project, "shard0.json", "-x", "--deselect=test_b.py", "--deselect=test_c.py"),
        _shard(project, "shard1.json", "--deselect=test_a.py", "--deselect=test_c.py"),
    ]
    code, _, merged = _merged(project, *shards)
    tests = criterion(merged, "tests")
    assert code == 1
    assert tests["status"] == "unmet"
    assert tests["details"][0].startswith("test_a.py::test_a1 (failed)")
    assert tests["details"][-3:] == [
        "2 required tests ran in no shard: is a shard missing?",
        "test_c.py::test_c (deselected in every shard)",
        "test_a.py::test_a2 (not run in any shard)",
    ]


def test_a_test_deselected_in_one_shard_and_run_in_another_counts_as_run(
    project: Project,
) -> None:
    _suite(project)
    # test_b is in both selections, test_a and test_c in one each
    shards = [
        _shard(project, "shard0.json", "--deselect=test_c.py"),
        _shard(project, "shard1.json", "--deselect=test_a.py"),
    ]
    code, out, merged = _merged(project, *shards)
    tests = criterion(merged, "tests")
    assert (code, tests["status"], tests["details"]) == (0, "met", [])
    assert tests["measured"] == "3/3 passed"
    assert "alpha: READY" in out


# --- 4.-7. what a shard report may be --------------------------------------------------


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "NaN is not allowed in a report (strict JSON)"),
        ("Infinity", "Infinity is not allowed in a report (strict JSON)"),
        ("-Infinity", "-Infinity is not allowed in a report (strict JSON)"),
        ("1e999", "number 1e999 is out of range (strict JSON)"),
        ("-1.5e400", "number -1.5e400 is out of range (strict JSON)"),
        (_deep(62), "nested deeper than 64"),  # 3 levels above it: 65 in all
        (_deep(900), "nested deeper than 64"),
        (_deep(200_000), "nested deeper than 64"),
    ],
    ids=["nan", "inf", "-inf", "1e999", "-1.5e400", "65-deep", "900-deep", "200000-deep"],
)
def test_strict_json_only(project: Project, value: str, message: str) -> None:
    _suite(project)
    shards = _split(project)
    text = shards[1].read_text()
    assert text.count('"facts": {') == 1
    shards[1].write_text(text.replace('"facts": {', f'"facts": {{"x": [{value}], ', 1))
    code, out, err = _merge(project, *map(str, shards))
    assert (code, out) == (4, "")
    assert err == f"error: {shards[1]}: not valid JSON: {message}\n"


def test_nesting_up_to_the_limit_is_read(project: Project) -> None:
    _suite(project)
    shards = _split(project)
    text = shards[1].read_text()
    shards[1].write_text(text.replace('"facts": {', f'"facts": {{"x": [{_deep(61)}], ', 1))
    assert _merged(project, *shards)[0] == 0


CUSTOM = """
    from pytest_graduation import Criterion, CriterionResult

    class Odd(Criterion):
        name = "odd"

        def evaluate(self, run):
            deep = []
            for _ in range(50):
                deep = [deep]
            measured = {"nan": float("nan"), "inf": float("inf"), "deep": deep,
                        "obj": object(), "big": 1e308, "text": "a\\nb | c"}
            return CriterionResult.met(measured, {"at most": [1.5, None, True]})

    def pytest_graduation_criteria(config):
        return [Odd()]
"""


@pytest.mark.parametrize("suffix", [".json", ".md"])
def test_odd_values_of_custom_criteria_render(project: Project, suffix: str) -> None:
    _suite(project, {**SUITE, "conftest.py": CUSTOM})
    shards = _split(project)
    data = json.loads(shards[0].read_text())
    odd = criterion(data, "odd")
    assert odd["measured"]["nan"] == "nan"  # the shard wrote strict JSON
    odd["required"] = json.loads(_deep(61))  # under the report, criteria, odd: 64 deep
    shards[0].write_text(json.dumps(data))
    target = project.path / f"merged{suffix}"
    code, out, err = _merge(project, f"--graduation-report={target}", *map(str, shards))
    assert (code, err) == (0, "")
    assert re.search(r"^odd\s+met\s", out, re.MULTILINE)
    written = target.read_text()
    assert "NaN" not in written and "Infinity" not in written
    if suffix == ".json":
        assert criterion(json.loads(written), "odd")["status"] == "met"


def test_a_not_judged_shard_is_refused(project: Project) -> None:
    stop = "import pytest\n\ndef test_c():\n    pytest.exit('runner cancelled', returncode=0)\n"
    _suite(project, {**SUITE, "test_c.py": stop})
    shards = [
        _shard(project, "shard0.json", "--deselect=test_c.py"),
        _shard(project, "shard1.json", "-k", "test_c", expect=(2,)),
    ]
    assert json.loads(shards[1].read_text())["verdict"] == "not-judged"
    code, out, err = _merge(project, *map(str, shards))
    assert (code, out) == (4, "")
    assert err == (
        f"error: {shards[1]}: the shard judged nothing "
        "(verdict not-judged: pytest.exit(): runner cancelled); run it again\n"
    )


def test_schema_version_1_says_which_version_to_use(project: Project) -> None:
    _suite(project)
    shards = _split(project)
    _edit(shards[0], schema_version=1)
    code, out, err = _merge(project, *map(str, shards))
    assert (code, out) == (4, "")
    assert err == (
        f"error: {shards[0]}: schema_version 1 is not supported, written by "
        "pytest-graduation 0.1.0 (this merge reads 3); use the same pytest-graduation "
        f"version for shards and merge: run the shards again with pytest-graduation "
        f"{__version__}\n"
    )


@pytest.mark.parametrize("where", ["folder", "device"])
def test_a_folder_or_a_device_is_not_a_shard_report(project: Project, where: str) -> None:
    if where == "device" and not Path(os.devnull).exists():
        pytest.skip("no null device")
    path = project.path if where == "folder" else Path(os.devnull)
    kind = "a directory" if where == "folder" else "a character device"
    code, out, err = _merge(project, str(path))
    assert (code, out) == (4, "")
    assert err == f"error: {path}: cannot read: it is {kind}, not a regular file\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_a_shard_report_and_never_hangs(project: Project) -> None:
    fifo = project.path / "shard.json"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "pytest_graduation", "merge", "--level", "alpha", str(fifo)]
    # a reader that opened the FIFO would wait for a writer forever: the timeout ends it
    done = subprocess.run(
        command, cwd=project.path, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (4, "")
    assert done.stderr == f"error: {fifo}: cannot read: it is a FIFO, not a regular file\n"
