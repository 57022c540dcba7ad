"""``merge`` in process: what it takes from shard reports (custom criteria, validated
fields), its coverage file and its command-line options."""

from __future__ import annotations

import copy
import io
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pytest_graduation.shards as shards_module
from conftest import Project, criterion
from pytest_graduation import merge as merge_module
from pytest_graduation.config import load
from pytest_graduation.merge import main

CONFTEST = """
    from pytest_graduation import Criterion, CriterionResult

    class FromFile(Criterion):
        def __init__(self, name):
            self.name = name

        def evaluate(self, run):
            status = (run.rootdir / f"{self.name}.txt").read_text().strip()
            make = getattr(CriterionResult, status)
            details = [f"{self.name}: {status}"]
            return make(f"{self.name} measured", f"{self.name} required", details)

    def pytest_graduation_criteria(config):
        return [FromFile("docs"), FromFile("api")]
"""
CONFIG = """
    [tool.graduation.criteria.beta]
    max_skipped = 0

    [tool.graduation.criteria.rc]
    coverage = 50

    [[tool.graduation.waivers]]
    criterion = "docs"
    reason = "docs sprint next month"
    expires = 2999-01-01
"""
TESTS = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


#: shard reports are data: each is made by one real run per process, then copied
_MADE: dict[str, dict[str, Any]] = {}


def _shard(project: Project, level: str, deselect: str = "test_two") -> dict[str, Any]:
    """One real shard report (docs unmet, so waived; api met) and its project."""
    project.write("conftest.py", CONFTEST)
    project.config(CONFIG)
    project.write("test_x.py", TESTS)
    (project.path / "docs.txt").write_text("unmet")
    (project.path / "api.txt").write_text("met")
    key = f"{level} {deselect}"
    if key not in _MADE:
        _, report = project.gate(level, f"--deselect=test_x.py::{deselect}")
        assert criterion(report, "docs")["status"] == "waived"
        assert criterion(report, "api")["status"] == "met"
        _MADE[key] = report
    return copy.deepcopy(_MADE[key])


@pytest.fixture
def shard(project: Project) -> dict[str, Any]:
    return _shard(project, "beta")


@pytest.fixture
def other_shard(project: Project) -> dict[str, Any]:
    """The rest of the suite: with :func:`shard`, every test ran in one shard."""
    return _shard(project, "beta", deselect="test_one")


def _merge(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    reports: list[Any],
    *args: str,
    level: str = "beta",
) -> tuple[int, str, str]:
    paths = []
    for index, report in enumerate(reports):
        path = project.path / f"shard{index}.json"
        path.write_text(report if isinstance(report, str) else json.dumps(report))
        paths.append(str(path))
    out = io.StringIO()
    code = main(["merge", "--level", level, f"--rootdir={project.path}", *args, *paths], out)
    return code, out.getvalue(), capsys.readouterr().err


def _with_api(report: dict[str, Any], status: str) -> dict[str, Any]:
    changed = copy.deepcopy(report)
    criterion(changed, "api").update(status=status, details=[f"api: {status}"])
    return changed


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("met", "met"), "met"),
        (("met", "inconclusive"), "inconclusive"),
        (("inconclusive", "unmet"), "unmet"),
        (("unmet", "met"), "unmet"),
    ],
)
def test_custom_criteria_are_carried_over_from_the_shards(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    shard: dict[str, Any],
    other_shard: dict[str, Any],
    statuses: tuple[str, str],
    expected: str,
) -> None:
    reports = [_with_api(shard, statuses[0]), _with_api(other_shard, statuses[1])]
    code, out, err = _merge(project, capsys, reports, "--graduation-report=merged.json")
    assert err == ""
    merged = json.loads((project.path / "merged.json").read_text())
    api = criterion(merged, "api")
    assert api["status"] == expected
    # the shards' own numbers and every shard's details are kept
    assert api["measured"] == ["api measured", "api measured"]
    assert api["required"] == "api required"
    assert api["details"] == [f"api: {status}" for status in statuses]
    # a waived result is judged again here, and the waiver still applies
    assert criterion(merged, "docs")["status"] == "waived"
    assert merged["tests"]["passed"] == 2
    assert code == (0 if expected == "met" else 1)
    assert ("beta: READY" in out) is (expected == "met")


Mutation = Callable[[dict[str, Any]], None]


KIND = "records.kinds[0] is not a kind ({phase, markers, capabilities, required, deselected})"


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("schema_version", None), "no schema_version"),
        (_set("config_digest", 3), "'config_digest' missing or not a str"),
        (_set("facts", []), "'facts' missing or not a dict"),
        (_set("records", []), "'records' missing or not a dict"),
        (_set("records.included", "some"), "records.included is not one of none, failed, all"),
        (_set("records.count", -1), "records.count is not a count"),
        (_set("records.kinds.0", "x"), KIND),
        (_set("records.kinds.0.phase", None), KIND),
        (_set("records.kinds.0.markers", "smoke"), KIND),
        (_set("records.kinds.0.required", 1), KIND),
        (
            _set("records.legend.p", "great"),
            "records.legend does not map single characters to outcomes",
        ),
        (_set("records.outcome", ""), "records.outcome is not `count` long"),
        (_set("records.suffix.0", 1), "records.suffix is not `count` strings"),
        (_set("records.prefix.0", 5), "records.prefix[0] is not a length of the node id before it"),
        (_set("records.kind.0", 99), "records.kind is not `count` indices into records.kinds"),
        (
            _set("records.reruns", [["0", 2]]),
            "records.reruns is not a list of distinct [record index, count] pairs",
        ),
        (_set("records.texts", None), "records.texts is not a list of strings"),
        (
            _set("records.messages", [[0, 0]]),
            "records.messages is not a list of distinct [record index, text index] pairs",
        ),
        (_set("facts.coverage", {}), "facts['coverage'] is not a list"),
        (_set("criteria.0", "met"), "criteria[0] is not a criterion result"),
        (_set("criteria.0.name", None), "criteria[0] is not a criterion result"),
        (_set("criteria.0.status", "fine"), "criteria[0] is not a criterion result"),
    ],
)
def test_malformed_fields_of_a_shard_are_usage_errors(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    shard: dict[str, Any],
    mutate: Mutation,
    message: str,
) -> None:
    bad = copy.deepcopy(shard)
    mutate(bad)
    code, out, err = _merge(project, capsys, [shard, bad])
    assert code == 4
    assert out == ""
    shard1 = project.path / "shard1.json"
    assert err == f"error: {shard1}: not a pytest-graduation report: {message}\n"


def test_a_merged_verdict_names_why_tests_failed_or_were_skipped_as_the_live_one(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.config("""
        [tool.graduation.criteria.alpha]
        max_skipped = 0
    """)
    project.write(
        "test_y.py",
        """
        import pytest

        def test_bad():
            assert 1 == 2, "one is not two"

        @pytest.mark.skip(reason="not on this box")
        def test_skipped():
            pass

        @pytest.mark.skip(reason="not on this box")
        def test_skipped_too():
            pass
        """,
    )
    _, live = project.gate("alpha")
    code, out, err = _merge(
        project, capsys, [live], "--graduation-report=merged.json", level="alpha"
    )
    merged = json.loads((project.path / "merged.json").read_text())
    for name in ("tests", "skipped"):
        assert criterion(merged, name)["details"] == criterion(live, name)["details"]
    assert "AssertionError: one is not two" in " ".join(criterion(merged, "tests")["details"])
    assert "test_y.py::test_bad (failed): AssertionError: one is not two" in out
    assert (code, err) == (1, "")
    # the reason of two skipped tests is written once
    texts = ["AssertionError: one is not two (test_y.py:5)", "Skipped: not on this box"]
    assert merged["records"]["texts"] == texts
    assert [pair[1] for pair in merged["records"]["messages"]] == [0, 1, 1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not valid JSON: 'utf-8' codec can't decode"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
)
def test_undecodable_and_deeply_nested_shards_are_usage_errors(
    project: Project, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    (project.path / "bad.json").write_bytes(content)
    out = io.StringIO()
    code = main(["merge", "--level", "beta", str(project.path / "bad.json")], out)
    assert code == 4
    assert message in capsys.readouterr().err
    assert out.getvalue() == ""


def test_a_shard_over_the_size_limit_is_not_read(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.path / "big.json").write_text("{}" + " " * 98)
    monkeypatch.setattr(shards_module, "MAX_REPORT_BYTES", 99)
    assert main(["merge", "--level", "beta", str(project.path / "big.json")]) == 4
    assert "big.json: 100 bytes is over the 99 byte limit" in capsys.readouterr().err


def test_a_corrupt_coverage_file_leaves_coverage_unmeasured(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    shard = _shard(project, "rc")
    (project.path / ".coverage").write_bytes(b"this is no coverage database")
    args = ["--coverage-file", str(project.path / ".coverage"), "--graduation-report=m.json"]
    code, out, err = _merge(project, capsys, [shard], *args, level="rc")
    assert (code, err) == (1, "")
    merged = json.loads((project.path / "m.json").read_text())
    coverage = criterion(merged, "coverage")
    assert coverage["status"] == "unmet"
    [detail] = coverage["details"]
    assert detail.startswith(f"not measured: {project.path / '.coverage'}: ")
    assert "graduation report written to m.json" in out


def test_an_unwritable_report_path_is_a_usage_error_before_merging(
    project: Project, capsys: pytest.CaptureFixture[str], shard: dict[str, Any]
) -> None:
    target = project.path / "missing" / "merged.json"
    code, out, err = _merge(project, capsys, [shard], f"--graduation-report={target}")
    assert code == 4
    assert out == ""
    assert err == f"error: --graduation-report: folder {target.parent} does not exist\n"


def test_the_configuration_file_can_be_named(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    shard: dict[str, Any],
    other_shard: dict[str, Any],
) -> None:
    # the shards were made with pyproject.toml; the same table elsewhere has the same digest
    moved = project.path / "ci" / "graduation.toml"
    moved.parent.mkdir()
    moved.write_text(textwrap.dedent(CONFIG).replace("tool.graduation.", ""))
    (project.path / "pyproject.toml").write_text("[tool.graduation.criteria.beta]\n")
    shards = [shard, other_shard]
    code, out, err = _merge(project, capsys, shards, f"--graduation-config={moved}")
    assert (code, err) == (0, "")
    assert "beta: READY" in out
    code, _, err = _merge(project, capsys, [shard], f"--graduation-config={moved}.nope")
    assert code == 4
    assert "graduation.toml.nope" in err


def test_merging_nothing_is_an_error(tmp_path: Path) -> None:
    # the command line requires a report; the function says so itself
    with pytest.raises(merge_module.MergeError, match="no shard reports given"):
        merge_module.merge("beta", [], load(tmp_path), tmp_path)
