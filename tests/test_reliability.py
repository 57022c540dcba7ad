"""Bad input the other test files do not reach: each test is a row of docs/reliability.md.

Every test drives the plugin as a user would (a pytester project, or the merge
command) and pins what the user sees: the message and the exit code or outcome.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import pytest_graduation.shards as shards_module
from conftest import Project, criterion, python_cache, table_of
from pytest_graduation.config import GraduationConfig
from pytest_graduation.merge import main


def _usage_error(project: Project, *args: str) -> str:
    """Run a gate that must stop with a usage error before any test; its stderr."""
    project.write("test_x.py", "def test_ok():\n    open('ran', 'w').close()\n")
    result = project.run("--graduation=beta", *args)
    assert result.ret == 4, result.stdout.str()
    assert not (project.path / "ran").exists()
    return result.stderr.str()


# --- configuration -----------------------------------------------------------------------


def test_deeply_nested_toml_is_a_usage_error(project: Project) -> None:
    (project.path / "gate.toml").write_text("levels = " + "[" * 2000 + "]" * 2000 + "\n")
    err = _usage_error(project, "--graduation-config=gate.toml")
    assert "gate.toml: invalid TOML: arrays or tables nested too deeply" in err


def test_undecodable_config_file_is_a_usage_error(project: Project) -> None:
    (project.path / "gate.toml").write_bytes(b'levels = ["\xff"]\n')
    err = _usage_error(project, "--graduation-config=gate.toml")
    assert "gate.toml: cannot read configuration: 'utf-8' codec can't decode byte 0xff" in err


@pytest.mark.parametrize(
    "pattern",
    ["a{4294967296}", "(" * 1200 + ")" * 1200, "(?P<x>a)(?P=y)", "[[x]"],
    ids=["repeat-too-large", "nested-too-deep", "unknown-group", "future-warning"],
)
def test_regex_the_engine_cannot_compile_is_a_usage_error(project: Project, pattern: str) -> None:
    project.config(
        "[[tool.graduation.criteria.beta.source_rules]]\n"
        f'name = "r"\nfiles = "*.py"\npattern = \'{pattern}\'\nmessage = "m"\n'
    )
    err = _usage_error(project)
    assert "criteria.beta.source_rules[0].pattern: expected a valid regular expression" in err


@pytest.mark.parametrize("value", ["inf", "nan", "1e9", "-1"])
def test_examples_timeout_out_of_range_is_a_usage_error(project: Project, value: str) -> None:
    project.config(f"[tool.graduation.criteria.beta]\nexamples_timeout = {value}\n")
    err = _usage_error(project)
    assert "criteria.beta.examples_timeout: expected a number" in err


@pytest.mark.parametrize("value", ["/tmp/g", "C:g", "a\\\\b", ".", "..", "", "sp ace"])
def test_golden_dir_must_be_a_plain_folder_name(project: Project, value: str) -> None:
    project.config(f'[tool.graduation]\ngolden_dir = "{value}"\n')
    err = _usage_error(project)
    assert "tool.graduation.golden_dir: expected a" in err


@pytest.mark.parametrize(
    "value", ["2030-01-01T00:00:00", "2030-01-01T00:00:00Z", "10:00:00", "20300101"]
)
def test_waiver_expiry_must_be_a_toml_date(project: Project, value: str) -> None:
    project.config(
        f'[[tool.graduation.waivers]]\ncriterion = "tests"\nreason = "r"\nexpires = {value}\n'
    )
    err = _usage_error(project)
    assert "tool.graduation.waivers[0].expires: expected a TOML date such as 2027-01-31" in err


@pytest.mark.parametrize("key", ["phases", "capabilities", "criteria", "waivers"])
def test_a_scalar_where_a_table_belongs_is_a_usage_error(project: Project, key: str) -> None:
    project.config(f"[tool.graduation]\n{key} = 1\n")
    err = _usage_error(project)
    assert f"tool.graduation.{key}: expected a" in err


def test_odd_globs_match_nothing_and_say_so(project: Project) -> None:
    project.config(
        "[tool.graduation]\n"
        'phases = { "[" = "stable", "[z-a]" = "stable" }\n'
        "[tool.graduation.criteria.alpha]\n"
        'line_limit = { "[" = 1, "**/[!" = 1, "\\\\" = 1 }\n'
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert report["tests"]["pending"] == []  # no phase glob matched
    entry = criterion(report, "line_limit")
    assert entry["status"] == "unmet"
    assert sorted(entry["details"]) == [
        "**/[!: no file matches this glob",
        "[: no file matches this glob",
        "\\: no file matches this glob",
        "checked 0 files",
    ]


# --- command line and environment --------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-2", "three", "1.5"])
def test_bad_determinism_runs_option_is_a_usage_error(project: Project, value: str) -> None:
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run(f"--determinism-runs={value}")
    assert result.ret == 4
    assert f"expected a whole number >= 1, got {value!r}" in result.stderr.str()


def test_update_goldens_while_gating_is_a_usage_error(project: Project) -> None:
    err = _usage_error(project, "--update-goldens")
    assert "--update-goldens cannot be combined with --graduation" in err


@pytest.mark.parametrize("value", ["0", "soon", "inf"])
def test_bad_determinism_timeout_variable_is_a_usage_error(
    project: Project, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PYTEST_GRADUATION_DETERMINISM_TIMEOUT", value)
    project.config("[tool.graduation.criteria.beta]\ndeterminism_processes = 1\n")
    err = _usage_error(project)
    assert f"PYTEST_GRADUATION_DETERMINISM_TIMEOUT={value!r}: expected a number of seconds" in err


# --- markers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marker", ["capability()", "capability(1)", 'capability("a", "b")', 'capability(id="a")']
)
def test_bad_capability_marker_arguments_fail_only_that_test(project: Project, marker: str) -> None:
    project.config('[tool.graduation.capabilities.a]\ntitle = "A"\n')
    project.write(
        "test_x.py",
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_bad():
            pass

        def test_good():
            pass
        """,
    )
    result, report = project.gate("alpha")
    result.assert_outcomes(passed=1, errors=1)
    assert "@pytest.mark.capability takes exactly one capability name as a string" in (
        result.stdout.str()
    )
    assert report["verdict"] == "not-ready"


# --- golden files --------------------------------------------------------------------------


def test_a_folder_where_a_golden_belongs_fails_only_that_test(project: Project) -> None:
    project.write(
        "test_g.py",
        "def test_dir(golden):\n    golden.check('x')\n\ndef test_ok(golden):\n"
        "    golden.check('y')\n",
    )
    (project.path / "golden/test_g/test_dir.txt").mkdir(parents=True)
    result = project.run("--update-goldens")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*golden path *test_dir.txt is a directory, not a file*"])


def test_golden_names_from_other_platforms_fail_only_their_test(project: Project) -> None:
    project.write(
        "test_names.py",
        """
        import pytest

        @pytest.mark.parametrize("name", ["C:x", "/etc/passwd", "\\\\\\\\server\\\\x", "a\\x00b"])
        def test_bad(golden, name):
            golden.check("value", name=name)
        """,
    )
    result = project.run("--update-goldens")
    result.assert_outcomes(failed=4)
    written = [p for p in project.path.rglob("*") if p.is_file() and not python_cache(p)]
    assert [p.name for p in written] == ["test_names.py"]


# --- shard reports and coverage data for merge ---------------------------------------------


def _shard(tmp_path: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "schema_version": 3,
        "tests": {},
        "level": "beta",
        "records": table_of({"nodeid": "t.py::test_a", "outcome": "passed", "phase": "alpha"}),
        "facts": {},
        "criteria": [],
        "collection_errors": [],
        "config_digest": GraduationConfig().digest,
        "plugin_version": "x",
        "run_id": "r1",
        "verdict": "ready",
        "lost_workers": [],
        **changes,
    }
    path = tmp_path / "shard.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"schema_version": 4}', "schema_version 4 is not supported"),
        (b'{"schema_version": "1"}', "schema_version '1' is not supported"),
        (b'{"level": "beta"}', "no schema_version"),
    ],
    ids=["undecodable", "nested-too-deep", "newer-schema", "schema-as-text", "no-schema"],
)
def test_unreadable_shard_reports_are_usage_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    message: str,
) -> None:
    (tmp_path / "bad.json").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    code = main(["merge", "--level", "beta", "--rootdir", str(tmp_path), "bad.json"])
    out, err = capsys.readouterr()
    assert (code, out) == (4, "")
    assert message in err


def test_oversized_shard_report_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards_module, "MAX_REPORT_BYTES", 100)
    path = _shard(tmp_path, padding="x" * 200)
    assert main(["merge", "--level", "beta", "--rootdir", str(tmp_path), str(path)]) == 4
    assert re.search(r"shard\.json: \d+ bytes is over the 100 byte limit", capsys.readouterr().err)


def test_a_folder_given_as_a_shard_report_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merge", "--level", "beta", "--rootdir", str(tmp_path), str(tmp_path)]) == 4
    expected = f"{tmp_path}: cannot read: it is a directory, not a regular file"
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"garbage" * 50, b""], ids=["garbage", "empty"])
def test_corrupt_coverage_data_leaves_coverage_unmet(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "gate.toml"
    config.write_text("[criteria.beta]\ncoverage = 10\n")
    from pytest_graduation.config import load

    shard = _shard(tmp_path, config_digest=load(tmp_path, config).digest)
    (tmp_path / ".coverage").write_bytes(content)
    args = ["--rootdir", str(tmp_path), "--graduation-config", str(config)]
    code = main(["merge", "--level", "beta", *args, "--coverage-file", ".coverage", str(shard)])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"^coverage\s+unmet", out, re.MULTILINE)
    assert "not measured" in out
    assert "beta: NOT READY" in out


def test_a_failed_report_write_keeps_the_old_report_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_graduation import report as report_module
    from pytest_graduation.merge import merge

    result = merge("beta", [_shard(tmp_path)], GraduationConfig(), tmp_path)
    target = tmp_path / "r.json"
    target.write_text("old")

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pytest_graduation.report.os.replace", no_space)
    with pytest.raises(OSError, match="No space left"):
        report_module.write_report(result, target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "shard.json"]
