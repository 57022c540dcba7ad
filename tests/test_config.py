"""Strict configuration: every mistake is a usage error naming file, key and expectation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Project, criterion
from pytest_graduation.config import DEFAULT_LEVELS, ConfigError, load, parse


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("typo = 1", "tool.graduation.typo: unknown key"),
        ("levels = []", "tool.graduation.levels: expected at least one level"),
        ('levels = ["Alpha"]', "tool.graduation.levels[0]: expected a name matching"),
        ('levels = ["a", "a"]', "tool.graduation.levels: expected unique names"),
        ("levels = 3", "tool.graduation.levels: expected an array of strings, got integer 3"),
        ('golden_dir = "../x"', "tool.graduation.golden_dir: expected a plain folder name"),
        ('github_summary = "yes"', "tool.graduation.github_summary: expected true or false"),
        ('phases = { "x*" = "gamma" }', 'tool.graduation.phases."x*": expected one of the levels'),
        ("[tool.graduation.criteria.gamma]", "tool.graduation.criteria.gamma: expected a table"),
        (
            "[tool.graduation.criteria.beta]\nmax_skiped = 1",
            "tool.graduation.criteria.beta.max_skiped: unknown key",
        ),
        (
            "[tool.graduation.criteria.beta]\nmax_skipped = -1",
            "tool.graduation.criteria.beta.max_skipped: expected an integer >= 0, got integer -1",
        ),
        (
            "[tool.graduation.criteria.beta]\nmax_skipped = true",
            "max_skipped: expected an integer >= 0, got boolean True",
        ),
        (
            "[tool.graduation.criteria.beta]\ncoverage = 101",
            "tool.graduation.criteria.beta.coverage: expected a number from 0 to 100",
        ),
        (
            "[tool.graduation.criteria.beta]\ndeterminism_runs = 0",
            "determinism_runs: expected an integer >= 1",
        ),
        (
            '[tool.graduation.criteria.beta]\nrequired_markers = { security = "one" }',
            "criteria.beta.required_markers.security: expected an integer >= 0",
        ),
        (
            '[tool.graduation.criteria.beta]\nline_limit = { "*.py" = 0 }',
            'criteria.beta.line_limit."*.py": expected an integer >= 1',
        ),
        (
            '[tool.graduation.criteria.beta]\ncompile = "src"',
            "criteria.beta.compile: expected an array of strings",
        ),
        (
            "[tool.graduation.criteria.beta]\nexamples_timeout = 0",
            "criteria.beta.examples_timeout: expected a number > 0",
        ),
        (
            '[[tool.graduation.criteria.beta.source_rules]]\nname = "x"\nfiles = "*"\n'
            'pattern = "("\nmessage = "m"',
            "source_rules[0].pattern: expected a valid regular expression",
        ),
        (
            '[[tool.graduation.criteria.beta.source_rules]]\nname = "x"\nfiles = "*"',
            "source_rules[0].pattern: expected this key to be set",
        ),
        (
            '[tool.graduation.capabilities.parser]\nlevel = "gamma"',
            "tool.graduation.capabilities.parser.level: expected one of the levels",
        ),
        (
            '[tool.graduation.capabilities.parser]\ntest = ["x"]',
            "tool.graduation.capabilities.parser.test: unknown key",
        ),
        (
            '[[tool.graduation.waivers]]\ncriterion = "tests"\nreason = "r"\n'
            'expires = "2030-01-01"',
            "tool.graduation.waivers[0].expires: expected a TOML date such as 2027-01-31",
        ),
        (
            '[[tool.graduation.waivers]]\ncriterion = "tests"\nexpires = 2030-01-01',
            "tool.graduation.waivers[0].reason: expected this key to be set",
        ),
        (
            '[[tool.graduation.waivers]]\ncriterion = "tests"\nreason = "r"\n'
            'expires = 2030-01-01\nlevels = ["gamma"]',
            "tool.graduation.waivers[0].levels[0]: expected one of the levels",
        ),
    ],
)
def test_bad_configuration_is_a_usage_error(project: Project, toml: str, message: str) -> None:
    if not toml.startswith("["):
        toml = "[tool.graduation]\n" + toml
    project.config(toml)
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=beta")
    assert result.ret == 4
    stderr = result.stderr.str()
    assert message in stderr
    assert str(project.path / "pyproject.toml") in stderr
    assert "1 passed" not in result.stdout.str()  # no test ran


def test_malformed_pyproject_names_file_line_and_column(project: Project) -> None:
    # pytest reads pyproject.toml before any plugin and reports it the same way
    project.config('[tool.graduation]\nlevels = ["a" "b"]\n')
    result = project.run("--graduation=beta")
    assert result.ret == 4
    assert re.search(r"pyproject\.toml: .*line 2, column \d+", result.stderr.str())


def test_malformed_config_file_names_file_line_and_column(project: Project) -> None:
    project.write("gate.toml", 'levels = ["a"]\n[criteria.a]\nmax_skipped = = 1\n')
    result = project.run("--graduation=a", "--graduation-config=gate.toml")
    assert result.ret == 4
    assert re.search(r"gate\.toml: invalid TOML: .*line 3, column \d+", result.stderr.str())


def test_explicit_config_file_uses_top_level_keys(project: Project) -> None:
    project.write(
        "gate.toml",
        """
        levels = ["one", "two"]
        [criteria.two]
        max_skipped = 0
        """,
    )
    project.write("test_x.py", "import pytest\ndef test_s():\n    pytest.skip('x')\n")
    result, report = project.gate("two", "--graduation-config=gate.toml")
    assert result.ret == 1
    assert report["levels"] == ["one", "two"]
    assert criterion(report, "skipped")["status"] == "unmet"


def test_explicit_config_errors_name_the_key_without_prefix(project: Project) -> None:
    project.write("gate.toml", "[criteria.beta]\nmax_xfailed = 'x'\n")
    result = project.run("--graduation=beta", "--graduation-config=gate.toml")
    assert result.ret == 4
    assert "gate.toml: criteria.beta.max_xfailed: expected an integer >= 0" in result.stderr.str()


def test_missing_explicit_config_is_a_usage_error(project: Project) -> None:
    result = project.run("--graduation=beta", "--graduation-config=nope.toml")
    assert result.ret == 4
    assert "nope.toml: configuration file not found" in result.stderr.str()


def test_higher_levels_inherit_and_replace_whole_values(tmp_path: Path) -> None:
    config = parse(
        {
            "criteria": {
                "alpha": {"max_skipped": 5, "required_markers": {"security": 1, "slow": 2}},
                "rc": {"required_markers": {"smoke": 1}, "max_xfailed": 0},
            }
        },
        source=tmp_path / "pyproject.toml",
        prefix="tool.graduation.",
    )
    beta = config.criteria_for("beta")
    assert beta.get("max_skipped") == 5
    assert beta.get("required_markers") == {"security": 1, "slow": 2}
    assert beta.get("max_xfailed") is None
    stable = config.criteria_for("stable")
    assert stable.get("max_skipped") == 5
    assert stable.get("required_markers") == {"smoke": 1}  # replaced whole, not merged
    assert stable.get("max_xfailed") == 0


def test_no_pyproject_means_defaults(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.levels == DEFAULT_LEVELS
    assert config.value("golden_dir") == "golden"
    assert config.criteria_for("stable").get("max_skipped") is None


# --- fuzzing: random documents either load or raise ConfigError naming a key ---------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
)
keys = st.sampled_from(
    [
        "levels",
        "phases",
        "criteria",
        "alpha",
        "beta",
        "max_skipped",
        "coverage",
        "waivers",
        "capabilities",
        "required_markers",
        "source_rules",
        "golden_dir",
        "deterministic",
        "criterion",
        "reason",
        "expires",
        "x",
    ]
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, documents, max_size=5))
def test_random_documents_never_crash(document: dict[str, Any]) -> None:
    try:
        config = parse(document, source=Path("pyproject.toml"), prefix="tool.graduation.")
    except ConfigError as exc:
        assert str(exc).startswith("pyproject.toml: tool.graduation.")
        assert "expected" in str(exc) or "unknown key" in str(exc)
    else:
        for level in config.levels:
            config.criteria_for(level)
