"""Scale (SPEC section 20): compact per-test records, ``.json.gz`` reports, which
records a report keeps, and the reading limits of ``merge``."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Project, check_schema, records_of
from pytest_graduation import shards
from pytest_graduation._version import __version__
from pytest_graduation.item_facts import ItemKind, described_items, item_batch
from pytest_graduation.merge import MergeError, main, read_shard
from pytest_graduation.model import OUTCOMES, TestRecord
from pytest_graduation.record_table import TableError, decode, encode, kept
from pytest_graduation.report import GraduationReport

SUITE = """
import pytest

def test_ok():
    pass

def test_bad():
    assert 1 == 2

@pytest.mark.parametrize("n", range(3))
def test_many(n):
    pass
"""


def _suite(project: Project) -> None:
    project.config("[tool.graduation.criteria.alpha]\n")
    project.write("test_x.py", SUITE)


def _merge(project: Project, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["merge", "--level", "alpha", f"--rootdir={project.path}", *args], out)
    return code, out.getvalue(), err.getvalue()


def _shard(project: Project, name: str, *args: str) -> Path:
    target = project.path / name
    result = project.run("--graduation=alpha", f"--graduation-report={target}", *args)
    assert result.ret == 1, result.stdout.str()  # test_bad fails: merge judges that
    return target


# --- .json.gz ---------------------------------------------------------------------


def test_a_json_gz_report_is_gzip_and_merges_like_plain_json(project: Project) -> None:
    _suite(project)
    packed = _shard(project, "shard0.json.gz", "-k", "ok or bad")
    plain = _shard(project, "shard1.json", "-k", "many")
    raw = packed.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    data = json.loads(gzip.decompress(raw))
    check_schema(data)
    assert data["schema_version"] == 3
    assert {r["nodeid"]: r["outcome"] for r in records_of(data)} == {
        "test_x.py::test_ok": "passed",
        "test_x.py::test_bad": "failed",
        "test_x.py::test_many[0]": "not-run",
        "test_x.py::test_many[1]": "not-run",
        "test_x.py::test_many[2]": "not-run",
    }
    code, out, err = _merge(project, str(packed), str(plain))
    assert (code, err) == (1, "")
    assert re.search(r"^tests +unmet +4/5 passed", out, re.M)
    assert "test_x.py::test_bad (failed)" in out
    assert "ran in no shard" not in out  # every test ran in one of the two


def test_a_gzip_report_is_the_same_bytes_for_the_same_report(tmp_path: Path) -> None:
    from pytest_graduation.report import write_report

    report = GraduationReport("alpha", ("alpha",), [], [TestRecord("t.py::a", "passed", "alpha")])
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    write_report(report, first)
    write_report(report, second)
    assert first.read_bytes() == second.read_bytes()  # mtime 0: no timestamp inside
    assert GraduationReport.from_dict(json.loads(gzip.decompress(first.read_bytes()))).records[
        0
    ] == TestRecord("t.py::a", "passed", "alpha")


def _gz_shard(tmp_path: Path, payload: bytes) -> Path:
    path = tmp_path / "shard.json.gz"
    path.write_bytes(payload)
    return path


def test_a_gzip_bomb_is_cut_off_at_the_decompressed_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "MAX_REPORT_BYTES", 10_000)
    bomb = gzip.compress(b"[" + b"0," * 1_000_000 + b"0]")  # 2 MB inflated, 2 kB on disk
    assert len(bomb) < 10_000
    path = _gz_shard(tmp_path, bomb)
    with pytest.raises(MergeError) as caught:
        read_shard(path)
    assert str(caught.value) == f"{path}: over the 10000 byte limit once decompressed"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (gzip.compress(b'{"schema_version": 3}')[:-12], "it ends before its data does"),
        (gzip.compress(b"{}") + gzip.compress(b"{}"), "data after the end of the report"),
        (b"\x1f\x8b" + b"not deflate data", "not a valid gzip file: "),
    ],
    ids=["truncated", "two-members", "not-deflate"],
)
def test_broken_gzip_shards_are_usage_errors(tmp_path: Path, payload: bytes, message: str) -> None:
    path = _gz_shard(tmp_path, payload)
    with pytest.raises(MergeError) as caught:
        read_shard(path)
    assert str(caught.value).startswith(f"{path}: not a valid gzip file")
    assert message in str(caught.value)


# --- --graduation-report-tests --------------------------------------------------------


@pytest.mark.parametrize(
    ("included", "expected"),
    [("failed", ["test_x.py::test_bad"]), ("none", [])],
)
def test_a_report_keeps_only_the_records_asked_for_and_merge_refuses_it(
    project: Project, included: str, expected: list[str]
) -> None:
    _suite(project)
    result, report = project.gate("alpha", f"--graduation-report-tests={included}")
    assert result.ret == 1
    assert report["records"]["included"] == included
    assert [r["nodeid"] for r in records_of(report)] == expected
    # the counts are the whole run's, whatever the records kept
    assert (report["tests"]["passed"], report["tests"]["failed"]) == (4, 1)
    assert GraduationReport.from_dict(report).to_dict() == report
    path = project.path / "graduation-report.json"
    code, out, err = _merge(project, str(path))
    held = "no test records" if included == "none" else "only the failed tests' records"
    assert (code, out) == (4, "")
    assert err == (
        f"error: {path}: the report holds {held} (--graduation-report-tests={included}); "
        "merge judges every test, so run the shard with --graduation-report-tests=all "
        "(the default)\n"
    )


def test_report_tests_takes_only_its_three_values(project: Project) -> None:
    _suite(project)
    result = project.run("--graduation=alpha", "--graduation-report-tests=some")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--graduation-report-tests: invalid choice: 'some'*"])


# --- old reports ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "written"),
    [
        (1, "pytest-graduation 0.1.0"),
        (2, "development versions after 0.1.0 (records as one object per test)"),
    ],
)
def test_an_old_report_is_refused_with_the_version_to_use(
    project: Project, version: int, written: str
) -> None:
    _suite(project)
    path = _shard(project, "old.json")
    data = json.loads(path.read_text())
    data["schema_version"] = version
    data["records"] = records_of(data)  # the old form: one object each
    path.write_text(json.dumps(data))
    code, out, err = _merge(project, str(path))
    assert (code, out) == (4, "")
    assert err == (
        f"error: {path}: schema_version {version} is not supported, written by {written} "
        "(this merge reads 3); use the same pytest-graduation version for shards and merge: "
        f"run the shards again with pytest-graduation {__version__}\n"
    )


# --- the table (properties) -----------------------------------------------------------

nodeids = st.text(min_size=1, max_size=30)
records_strategy = st.lists(
    st.builds(
        TestRecord,
        nodeid=nodeids,
        outcome=st.sampled_from(OUTCOMES),
        phase=st.sampled_from(["alpha", "beta", "rc", "odd phase"]),
        markers=st.frozensets(st.sampled_from(["slow", "parametrize", "smoke"])),
        required=st.booleans(),
        reruns=st.integers(min_value=0, max_value=3),
        capabilities=st.lists(st.sampled_from(["a", "b"]), unique=True).map(tuple),
        deselected=st.booleans(),
        longrepr=st.sampled_from(["", "AssertionError: one is not two"]) | st.text(max_size=8),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(records=records_strategy, included=st.sampled_from(["all", "failed", "none"]))
def test_the_table_round_trips_through_json(records: list[TestRecord], included: str) -> None:
    table = encode(kept(records, included), included)
    decoded = decode(json.loads(json.dumps(table)))
    assert decoded.included == included
    assert list(decoded.records()) == kept(records, included)


table_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2, max_value=40) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(
        [
            *("included", "count", "legend", "kinds", "prefix", "suffix", "outcome", "kind"),
            *("reruns", "texts", "messages"),
        ]
    ),
    value=table_values,
)
def test_a_table_with_any_odd_column_is_read_or_refused_cleanly(key: str, value: Any) -> None:
    records = [
        TestRecord("t.py::a", "passed", "alpha", reruns=1),
        TestRecord("t.py::b", "failed", "beta", frozenset({"slow"}), longrepr="boom"),
    ]
    table = encode(records)
    table[key] = value
    try:
        decoded = decode(table)
    except TableError as exc:
        assert str(exc).startswith("records")
    else:  # accepted: then it is a table of as many records as it says
        assert len(decoded.records()) == table["count"]


# --- the items stream that xdist workers ship -----------------------------------------

WORKER_SIZES = """
import json, pathlib

def pytest_testnodedown(node, error):
    payload = json.loads(node.workeroutput["graduation_facts"])
    sizes = pathlib.Path("worker-sizes.txt")
    with sizes.open("a") as out:
        out.write(f"{len(json.dumps(payload['items'], separators=(',', ':')))}\\n")
"""


def test_workers_ship_item_facts_at_a_few_bytes_a_test(project: Project) -> None:
    project.config(
        """
        [tool.graduation]
        levels = ["alpha", "beta"]
        [tool.graduation.capabilities.parser]
        tests = ["test_parse.py::*"]
        [tool.graduation.criteria.alpha]
        """
    )
    project.write("conftest.py", WORKER_SIZES)
    body = "import pytest\n" + "".join(
        f"@pytest.mark.slow\n@pytest.mark.phase('beta')\ndef test_{n}():\n    pass\n"
        if n % 2
        else f"def test_{n}():\n    pass\n"
        for n in range(200)
    )
    project.write("test_parse.py", body)
    project.write("test_other.py", body)
    result, report = project.gate("alpha", "-n", "2", "-k", "not test_199")
    assert result.ret == 0, result.stdout.str()
    sizes = [int(line) for line in (project.path / "worker-sizes.txt").read_text().split()]
    assert len(sizes) == 2  # every worker collects the whole suite and ships it
    # one object per test (schema 2's way) was about 100 bytes a test here
    assert all(size < 400 * 16 for size in sizes), sizes
    records = {r["nodeid"]: r for r in records_of(report)}
    assert len(records) == 400
    slow = records["test_parse.py::test_1"]
    assert (slow["phase"], slow["required"], slow["capabilities"]) == ("beta", False, ["parser"])
    assert set(slow["markers"]) >= {"slow", "phase"}
    plain = records["test_other.py::test_0"]
    assert (plain["phase"], plain["required"], plain["capabilities"]) == ("alpha", True, [])
    assert records["test_other.py::test_199"]["deselected"] is True


item_kinds = st.tuples(
    st.sampled_from(["alpha", "beta"]),
    st.sampled_from([(), ("slow",), ("parametrize", "slow")]),
    st.sampled_from([(), ("parser",)]),
    st.booleans(),
)
item_lists = st.lists(st.tuples(st.sampled_from(["a", "a::b", "ab", "b", ""]), item_kinds))


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(item_lists, max_size=4))
def test_item_batches_read_back_as_one_fact_per_test(
    batches: list[list[tuple[str, ItemKind]]],
) -> None:
    expected: dict[str, ItemKind] = {}  # a process that ran a test beats one that deselected it
    for nodeid, kind in (pair for batch in batches for pair in batch):
        if nodeid not in expected or expected[nodeid][3]:
            expected[nodeid] = kind
    shipped = json.loads(json.dumps([item_batch(batch) for batch in batches]))
    read = described_items(shipped)
    assert list(read) == list(expected)
    assert {
        nodeid: (f["phase"], tuple(sorted(f["markers"])), f["capabilities"], f["deselected"])
        for nodeid, f in read.items()
    } == expected


@pytest.mark.parametrize(
    "batch",
    [{}, {"kinds": [], "prefix": [0], "suffix": ["a"], "kind": [0]}, {"kinds": [[1]]}],
)
def test_a_broken_items_batch_is_an_error_not_fewer_tests(batch: dict[str, Any]) -> None:
    with pytest.raises(TableError, match="an items batch that the recorder would not write"):
        described_items([batch])
