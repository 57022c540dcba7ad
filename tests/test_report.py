"""The readiness report in all its forms, and the exit code."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pytest_graduation
from conftest import Project, make_run, records_of, serial_only
from pytest_graduation.report import GraduationReport
from pytest_graduation.report_reader import ReportError

CONFIG = """
    [tool.graduation.criteria.beta]
    max_skipped = 0
"""
SUITE = """
    import pytest

    def test_ok():
        pass

    def test_skip():
        pytest.skip("later")
"""


def test_terminal_section_layout(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    result = project.run("--graduation=beta")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*= graduation: beta =*",
            "criterion  status  measured    required",
            "tests      met     1/2 passed  all required pass",
            "skipped    unmet   1           <= 0",
            "",
            "skipped (unmet):",
            "  - test_x.py::test_skip (skipped): Skipped: later",
            "",
            "beta: NOT READY (1 of 2 criteria unmet)",
            "*1 passed, 1 skipped*",
        ]
    )


def test_section_comes_after_the_short_summary(project: Project) -> None:
    project.write("test_x.py", "def test_bad():\n    assert False\n")
    result = project.run("--graduation=alpha")
    out = result.stdout.str()
    assert out.index("short test summary info") < out.index("graduation: alpha")
    assert result.ret == 1


def test_json_report_schema(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    _, report = project.gate("beta")
    assert report["schema_version"] == 3
    assert isinstance(report["run_id"], str) and len(report["run_id"]) == 32
    assert report["lost_workers"] == []
    assert report["level"] == "beta"
    assert report["levels"] == ["alpha", "beta", "rc", "stable"]
    assert report["verdict"] == "not-ready"
    assert report["plugin_version"] == pytest_graduation.__version__
    assert report["pytest_version"] == pytest.__version__
    assert report["tests"] == {
        "passed": 1,
        "failed": 0,
        "error": 0,
        "skipped": 1,
        "xfailed": 0,
        "xpassed": 0,
        "not_run": 0,
        "deselected": 0,
        "pending": [],
    }
    assert report["criteria"][1] == {
        "name": "skipped",
        "status": "unmet",
        "measured": 1,
        "required": "<= 0",
        "details": ["test_x.py::test_skip (skipped): Skipped: later"],
        "waiver": None,
    }
    assert {r["nodeid"]: r["outcome"] for r in records_of(report)} == {
        "test_x.py::test_ok": "passed",
        "test_x.py::test_skip": "skipped",
    }


def test_markdown_report(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    project.run("--graduation=beta", "--graduation-report=out/report.md")  # folder missing
    assert not (project.path / "out").exists()
    (project.path / "out").mkdir()
    result = project.run("--graduation=beta", "--graduation-report=out/report.md")
    assert result.ret == 1
    text = (project.path / "out" / "report.md").read_text()
    assert text.startswith("## graduation: beta\n\n**beta: NOT READY (1 of 2 criteria unmet)**")
    assert "| skipped | ❌ unmet | 1 | <= 0 |" in text
    assert "- test_x.py::test_skip (skipped): Skipped: later" in text


def test_unwritable_report_path_is_a_usage_error_before_tests(project: Project) -> None:
    project.write("test_x.py", "def test_ok():\n    open('ran', 'w').close()\n")
    result = project.run("--graduation=beta", "--graduation-report=missing/dir/r.json")
    assert result.ret == 4
    assert "--graduation-report: folder" in result.stderr.str()
    assert not (project.path / "ran").exists()
    (project.path / "adir").mkdir()
    result = project.run("--graduation=beta", "--graduation-report=adir")
    assert result.ret == 4
    assert "is a directory" in result.stderr.str()


def test_github_step_summary_is_appended(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    project.write("test_x.py", "def test_ok():\n    pass\n")
    assert project.run("--graduation=alpha").ret == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n## graduation: alpha")
    assert "**alpha: READY**" in text


def test_github_summary_can_be_switched_off(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    project.config("[tool.graduation]\ngithub_summary = false\n")
    project.write("test_x.py", "def test_ok():\n    pass\n")
    assert project.run("--graduation=alpha").ret == 0
    assert not summary.exists()


def test_unwritable_github_summary_is_a_note_not_a_crash(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "file"))
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=alpha")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["graduation: cannot append to $GITHUB_STEP_SUMMARY*"])


def test_serial_and_xdist_reports_agree(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    project.write(
        "test_y.py", "import pytest\n\n@pytest.mark.phase('rc')\ndef test_f():\n    1/0\n"
    )
    serial_result, serial = project.gate("beta")
    xdist_result, xdist = project.gate("beta", "-n", "2")
    assert serial_result.ret == xdist_result.ret == 1
    for key in ("verdict", "criteria", "tests", "capabilities"):
        assert serial[key] == xdist[key], key
    assert sorted(records_of(serial), key=lambda r: r["nodeid"]) == sorted(
        records_of(xdist), key=lambda r: r["nodeid"]
    )
    assert "graduation: beta" not in "".join(
        line for line in xdist_result.stdout.lines if line.startswith("[gw")
    )


def test_keyboard_interrupt_prints_no_verdict(project: Project) -> None:
    project.write(
        "test_x.py",
        "def test_a():\n    raise KeyboardInterrupt\n\ndef test_b():\n    pass\n",
    )
    result = project.pytester.runpytest(
        "--graduation=alpha", "--graduation-report=r.json", no_reraise_ctrlc=True
    )
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*graduation: alpha: not judged (session interrupted)*"])
    assert "READY" not in result.stdout.str().replace("NOT JUDGED", "")
    written = json.loads((project.path / "r.json").read_text(encoding="utf-8"))
    assert (written["verdict"], written["reason"]) == ("not-judged", "session interrupted")


def test_collect_only_is_not_judged(project: Project) -> None:
    project.write("test_x.py", "def test_a():\n    pass\n")
    result = project.run("--graduation=alpha", "--collect-only")
    assert result.ret == 0
    assert "READY" not in result.stdout.str()


def test_report_is_written_atomically_and_is_valid_json(project: Project) -> None:
    project.write("test_x.py", "def test_a():\n    pass\n")
    project.run("--graduation=alpha", "--graduation-report=r.json")
    assert json.loads((project.path / "r.json").read_text())["verdict"] == "ready"
    assert [p for p in os.listdir(project.path) if p.endswith(".tmp")] == []


PENDING = "".join(
    f"@pytest.mark.phase('rc')\ndef test_later_{i:02}():\n    assert {i} not in (3, 7)\n\n"
    for i in range(14)
)


def test_pending_tests_that_passed_are_counted_and_the_failing_ones_listed(
    project: Project, dist: list[str]
) -> None:
    project.write("test_x.py", "import pytest\n\ndef test_now():\n    pass\n\n" + PENDING)
    result = project.run("--graduation=alpha", *dist)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "pending (14, required from a later level): 12 passed, listed with -v",
            "  - test_x.py::test_later_03 [[]rc[]]: xfailed",
            "  - test_x.py::test_later_07 [[]rc[]]: xfailed",
            "",
            "alpha: READY",
        ]
    )
    assert "[rc]: passed" not in result.stdout.str()


@serial_only
def test_pending_tests_are_all_listed_with_v(project: Project, dist: list[str]) -> None:
    project.write("test_x.py", "import pytest\n\ndef test_now():\n    pass\n\n" + PENDING)
    result = project.run("--graduation=alpha", "-v", *dist)
    assert result.ret == 0
    out = result.stdout.str()
    assert "pending (14, required from a later level):\n" in out
    assert "listed with -v" not in out
    for i in range(14):
        outcome = "xfailed" if i in (3, 7) else "passed"  # a pending failure is an xfail
        assert f"  - test_x.py::test_later_{i:02} [rc]: {outcome}\n" in out


def test_a_long_list_of_failing_pending_tests_is_cut_after_ten(project: Project) -> None:
    tests = "".join(
        f"@pytest.mark.phase('rc')\ndef test_later_{i:02}():\n    assert 0\n\n" for i in range(12)
    )
    project.write("test_x.py", "import pytest\n\ndef test_now():\n    pass\n\n" + tests)
    result = project.run("--graduation=alpha")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "pending (12, required from a later level):",
            "  - test_x.py::test_later_00 [[]rc[]]: xfailed",
            "*",
            "  - test_x.py::test_later_09 [[]rc[]]: xfailed",
            "  ... and 2 more",
        ]
    )
    assert "test_later_10" not in result.stdout.str()


def test_a_report_that_cannot_replace_its_target_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    from pytest_graduation.config import GraduationConfig
    from pytest_graduation.judge import judge
    from pytest_graduation.report import write_report

    settings = GraduationConfig()
    run = make_run(
        level="alpha",
        tests=(),
        rootdir=tmp_path,
        settings=settings,
    )
    report = judge(run, [])
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the report should go
    with pytest.raises(IsADirectoryError):
        write_report(report, target)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    write_report(report, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["level"] == "alpha"


def test_table_valued_cells_get_one_line_per_entry(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "src/**/*.py" = 100, "tests/**/*.py" = 300 }
        """
    )
    project.write("src/a.py", "x = 1\n" * 3)
    project.write("tests/test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=alpha")
    result.stdout.fnmatch_lines(
        [
            "criterion   status  measured         required",
            "tests       met     1/1 passed       all required pass",
            "line_limit  met     src/**/*.py=3    src/**/*.py=100",
            "                    tests/**/*.py=2  tests/**/*.py=300",
        ]
    )


def test_the_json_report_round_trips_through_from_dict(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    _, report = project.gate("beta")
    assert GraduationReport.from_dict(report).to_dict() == report


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(verdict="ready"), "'verdict' does not follow from its criteria"),
        (
            lambda r: r["records"]["kinds"][0].update(required="yes"),
            "records.kinds[0] is not a kind",
        ),
        (lambda r: r.update(schema_version=1), "schema_version 1 is not supported"),
        (lambda r: r["criteria"][0].update(status="fine"), "criteria[0] is not a criterion"),
    ],
)
def test_from_dict_refuses_what_to_dict_never_writes(
    project: Project, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    project.config(CONFIG)
    project.write("test_x.py", SUITE)
    _, report = project.gate("beta")
    change(report)
    with pytest.raises(ReportError, match=re.escape(message)):
        GraduationReport.from_dict(report)


def test_one_listing_policy_cuts_long_lists() -> None:
    from pytest_graduation.listing import DETAILS, NAMED, capped

    assert (DETAILS, NAMED) == (50, 10)
    assert capped(["a"] * 51) == ["a"] * 50 + ["... and 1 more"]
    assert capped(["a"] * 11, NAMED, "more files") == ["a"] * 10 + ["... and 1 more files"]
