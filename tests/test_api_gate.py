"""The public-API criteria in a gated session, serial and under `-n 2`, through
`pytest --freeze-api` and through the real `python -m pytest_graduation merge`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Project, criterion, serial_only
from pytest_graduation.config import ConfigError, parse
from pytest_graduation.features import builtin_criteria

CONFIG = """
    [tool.graduation.api]
    packages = ["pkg"]

    [tool.graduation.criteria.alpha]
    api_frozen = true
    api_documented = {documented}
"""
INIT = "src/pkg/__init__.py"
#: three public objects (the module, greet, Client) and a private helper
PACKAGE = '''
    """The package."""


    def greet(name: str, *, loud: bool = False) -> str:
        """Say hello."""
        return name.upper() if loud else name


    class Client:
        """A client."""


    def _helper() -> None:
        pass
'''
TESTS = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


def make_project(project: Project, documented: float = 100) -> None:
    project.config(CONFIG.format(documented=documented))
    project.write(INIT, PACKAGE)
    project.write("tests/test_x.py", TESTS)


def freeze_api(project: Project, *args: str) -> pytest.RunResult:
    result = project.run("--freeze-api", *args)
    assert result.ret == 0, result.stdout.str()
    return result


def break_greet(project: Project) -> None:
    """Swap greet's parameters: a breaking change by griffe's rules."""
    text = (project.path / INIT).read_text(encoding="utf-8")
    changed = text.replace("def greet(name: str, *, loud: bool = False)", "def greet(loud, name)")
    assert changed != text
    (project.path / INIT).write_text(changed, encoding="utf-8")


def test_both_met_with_a_fresh_lock_and_every_object_documented(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    freeze_api(project)
    result, report = project.gate("alpha", *dist)
    frozen, documented = criterion(report, "api_frozen"), criterion(report, "api_documented")
    assert (frozen["status"], frozen["measured"]) == ("met", "0 breaking change(s)")
    assert (documented["status"], documented["measured"]) == ("met", "100.0% (3/3 documented)")
    assert (report["verdict"], result.ret) == ("ready", 0)
    result.stdout.fnmatch_lines(["api_frozen * met *", "api_documented * met *", "alpha: READY"])


def test_a_breaking_change_and_missing_docstrings_are_unmet(
    project: Project, dist: list[str]
) -> None:
    make_project(project, documented=80)
    freeze_api(project)
    break_greet(project)
    project.write("src/pkg/extra.py", "def undocumented():\n    pass\n")
    result, report = project.gate("alpha", *dist)
    frozen = criterion(report, "api_frozen")
    assert frozen["status"] == "unmet"
    assert any(
        d.startswith("breaking: src/pkg/__init__.py:") and "pkg.greet(name)" in d
        for d in frozen["details"]
    ), frozen["details"]
    assert "addition: src/pkg/extra.py:1: pkg.extra: added module" in frozen["details"]
    documented = criterion(report, "api_documented")
    # the new module and its function lack docstrings: 3 of 5, below 80
    assert (documented["status"], documented["measured"]) == ("unmet", "60.0% (3/5 documented)")
    assert "undocumented: src/pkg/extra.py:1: pkg.extra.undocumented" in documented["details"]
    assert (report["verdict"], result.ret) == ("not-ready", 1)
    result.stdout.fnmatch_lines(["alpha: NOT READY (2 of 3 criteria unmet)"])


@serial_only
def test_without_a_lock_api_frozen_is_unmet_with_the_freeze_hint(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    result, report = project.gate("alpha", *dist)
    frozen = criterion(report, "api_frozen")
    assert (frozen["status"], frozen["measured"]) == ("unmet", "no lock")
    assert frozen["details"] == [f"api.lock not found in {project.path}: run pytest --freeze-api"]
    assert result.ret == 1
    assert not (project.path / "api.lock").exists()  # judging writes nothing


@serial_only
def test_a_package_that_is_not_there_is_unmet_naming_it(project: Project, dist: list[str]) -> None:
    make_project(project)
    freeze_api(project)
    project.config(CONFIG.format(documented=0).replace('["pkg"]', '["pkg", "gone"]'))
    _, report = project.gate("alpha", *dist)
    for name in ("api_frozen", "api_documented"):
        entry = criterion(report, name)
        assert (entry["status"], entry["measured"]) == ("unmet", "not loaded")
        assert "gone" in entry["details"][0]


def test_freeze_api_prints_what_it_recorded_and_writes_the_lock_once(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    result = freeze_api(project, *dist)
    assert result.stdout.lines.count("api.lock: 3 objects recorded (new lock)") == 1
    result.stdout.fnmatch_lines(["*- public API -*", "api.lock: 3 objects recorded (new lock)"])
    lock = json.loads((project.path / "api.lock").read_text(encoding="utf-8"))
    assert sorted(lock["api"]) == ["pkg", "pkg.Client", "pkg.greet"]
    assert lock["packages"] == ["pkg"]
    result.assert_outcomes(passed=2)  # the tests ran as usual


@serial_only
def test_a_second_freeze_lists_the_breakage_and_harmless_edits_keep_the_lock(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    freeze_api(project, *dist)
    lock = project.path / "api.lock"
    first = lock.read_bytes()
    text = (project.path / INIT).read_text(encoding="utf-8").replace("Say hello.", "Greets.")
    project.write(INIT, text + "\n\ndef _more() -> int:\n    return 1\n")
    freeze_api(project, "--collect-only", "-q").stdout.fnmatch_lines(
        ["api.lock: 3 objects recorded (0 added, 0 broken)"]
    )
    assert lock.read_bytes() == first
    break_greet(project)
    freeze_api(project, "--collect-only", "-q").stdout.fnmatch_lines(
        [
            "api.lock: 3 objects recorded (0 added, * broken)",
            "  broken: src/pkg/__init__.py:*: pkg.greet(name): *",
        ]
    )
    assert lock.read_bytes() != first


@serial_only
def test_freeze_api_together_with_graduation_is_a_usage_error(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    result = project.run("--freeze-api", "--graduation=alpha", *dist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--freeze-api cannot be combined with --graduation*"])
    assert not (project.path / "api.lock").exists()


@serial_only
def test_freeze_api_without_the_api_table_is_a_usage_error(
    project: Project, dist: list[str]
) -> None:
    project.config("[tool.graduation]\n")
    project.write("tests/test_x.py", TESTS)
    result = project.run("--freeze-api", *dist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--freeze-api needs the api table*"])
    assert not (project.path / "api.lock").exists()


def test_a_freeze_that_cannot_load_the_package_stops_before_any_test(
    project: Project, dist: list[str]
) -> None:
    make_project(project)
    project.write("src/pkg/broken.py", "def f(:\n    pass\n")
    result = project.run("--freeze-api", *dist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pytest-graduation: --freeze-api: *broken.py*"])
    assert "passed" not in result.stdout.str()
    assert not (project.path / "api.lock").exists()


@serial_only
@pytest.mark.parametrize("key", ["api_frozen = true", "api_documented = 80"])
@pytest.mark.parametrize("gating", [True, False], ids=["gating", "passive"])
def test_the_level_keys_without_the_api_table_are_a_usage_error(
    project: Project, dist: list[str], key: str, gating: bool
) -> None:
    project.config(f"[tool.graduation.criteria.rc]\n{key}\n")
    project.write("tests/test_x.py", TESTS)
    result = project.run(*(["--graduation=alpha"] if gating else []), *dist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    name = key.split(" ")[0]
    result.stderr.fnmatch_lines([f"*criteria.rc.{name} needs the api table*"])


def test_merge_refuses_the_level_keys_without_the_api_table() -> None:
    # merge builds criteria without pytest: the same refusal, as a ConfigError
    settings = parse(
        {"criteria": {"alpha": {"api_frozen": True}}}, source=Path("gate.toml"), prefix=""
    )
    with pytest.raises(ConfigError, match=r"^gate.toml: criteria.alpha.api_frozen needs the api"):
        builtin_criteria(settings, "alpha")


def test_a_waiver_for_api_frozen_is_accepted(project: Project) -> None:
    make_project(project)
    project.config(
        CONFIG.format(documented=0)
        + '\n[[tool.graduation.waivers]]\ncriterion = "api_frozen"\nreason = "1.0 next week"\n'
        "expires = 2999-01-01\n"
    )
    result, report = project.gate("alpha")
    assert criterion(report, "api_frozen")["status"] == "waived"
    assert (report["verdict"], result.ret) == ("ready", 0)


def _merge(project: Project, *reports: Path) -> tuple[int, dict[str, object]]:
    merged = project.path / "merged.json"
    command = [sys.executable, "-m", "pytest_graduation", "merge", "--level", "alpha"]
    done = subprocess.run(
        [*command, *map(str, reports), "--graduation-report", str(merged)],
        cwd=project.path,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert merged.exists(), done.stderr
    data: dict[str, object] = json.loads(merged.read_text(encoding="utf-8"))
    return done.returncode, data


def test_merge_re_judges_the_api_from_its_own_checkout(project: Project) -> None:
    make_project(project)
    freeze_api(project)
    reports = []
    for index, deselect in enumerate(("test_one", "test_two")):
        _, report = project.gate("alpha", f"--deselect=tests/test_x.py::{deselect}")
        assert criterion(report, "api_frozen")["status"] == "met"
        reports.append(project.path / f"shard{index}.json")
        reports[-1].write_text(json.dumps(report), encoding="utf-8")
    code, merged = _merge(project, *reports)
    assert (code, merged["verdict"]) == (0, "ready")
    assert criterion(merged, "api_frozen")["status"] == "met"
    # every shard said met; merge reads the code in its own rootdir, not their word
    break_greet(project)
    code, merged = _merge(project, *reports)
    assert (code, merged["verdict"]) == (1, "not-ready")
    assert criterion(merged, "api_frozen")["status"] == "unmet"
    assert criterion(merged, "api_documented")["status"] == "met"
