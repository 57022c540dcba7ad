"""The threat model of docs/security.md, one test per mitigation that the other test
files do not already prove: writes stay in their folders, nothing is evaluated or
unpickled, examples run without a shell, untrusted files are only ever data."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

from conftest import Project, criterion, table_of

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_graduation"

needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks"
)

#: modules whose import would let data become code
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "yaml", "jsonpickle"}
#: callables that turn text into code or into a shell command line
UNSAFE_CALLS = {"eval", "exec", "__import__", "system", "popen", "getoutput", "getstatusoutput"}


def _unsafe_uses(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names if a.name in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in UNSAFE_MODULES:
            found.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in UNSAFE_CALLS:
                found.append(f"{where}: {name}()")
            builtin_compile = isinstance(func, ast.Name) and func.id == "compile"
            if builtin_compile and filename != "repository/compile_check.py":
                found.append(f"{where}: compile() outside the compile criterion")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{where}: shell={ast.unparse(keyword.value)}")
    return found


def test_the_plugin_never_unpickles_evaluates_or_uses_a_shell() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        found += _unsafe_uses(path.read_text(encoding="utf-8"), rel)
    assert found == []


def test_the_scan_itself_finds_what_it_looks_for() -> None:
    source = (
        "import pickle\nfrom yaml import load\neval('1')\nos.system('x')\n"
        "subprocess.run('x', shell=True)\ncompile('1', 'f', 'exec')\n"
    )
    assert len(_unsafe_uses(source, "x.py")) == 6


def test_examples_run_without_a_shell(project: Project) -> None:
    project.config('[tool.graduation.criteria.alpha]\nexamples = ["examples/*.py"]\n')
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    body = "import sys\nprint(sys.argv[0])\n"
    names = ["x; touch PWNED1 #.py", "$(touch PWNED2).py", "`touch PWNED3`.py", "a b|c&d.py"]
    for name in names:
        project.write(f"examples/{name}", body)
    result, report = project.gate("alpha")
    assert result.ret == 0, result.stdout.str()
    assert criterion(report, "examples")["measured"] == "4/4 passed"
    assert sorted(p.name for p in project.path.rglob("PWNED*")) == []


def test_test_ids_that_look_like_paths_stay_in_the_golden_folder(project: Project) -> None:
    project.write(
        "test_ids.py",
        """
        import pytest

        IDS = ["../../escape", "/etc/passwd", "C:evil", "C:\\\\x", "\\\\\\\\host\\\\share", "nul"]

        @pytest.mark.parametrize("value", range(len(IDS)), ids=IDS)
        def test_id(golden, value):
            golden.check(str(value))
        """,
    )
    project.run("--update-goldens").assert_outcomes(passed=6)
    written = sorted(p for p in project.path.rglob("*") if p.is_file() and p.suffix == ".txt")
    assert len(written) == 6
    folder = project.path / "golden/test_ids"
    assert all(path.parent == folder for path in written)
    project.run().assert_outcomes(passed=6)


@needs_symlinks
def test_deletion_never_follows_a_symlinked_golden_folder(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "test_x.txt").write_text("keep")
    (project.path / "golden").mkdir()
    os.symlink(outside, project.path / "golden/test_link")  # a module that exists
    os.symlink(outside, project.path / "golden/test_gone")  # a module deleted long ago
    project.write("test_link.py", "def test_x():\n    pass\n")
    result = project.run("--update-goldens")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["golden files: 0 created, 0 updated, 0 deleted, 0 frozen"])
    assert (outside / "test_x.txt").read_text() == "keep"


@needs_symlinks
def test_a_report_path_that_is_a_symlink_is_replaced_not_written_through(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("outside") / "precious.json"
    target.write_text("keep")
    os.symlink(target, project.path / "r.json")
    project.write("test_x.py", "def test_ok():\n    pass\n")
    assert project.run("--graduation=alpha", "--graduation-report=r.json").ret == 0
    assert target.read_text() == "keep"
    report = project.path / "r.json"
    assert not report.is_symlink()
    assert json.loads(report.read_text())["verdict"] == "ready"
    assert [p.name for p in project.path.iterdir() if p.name.endswith(".tmp")] == []


def test_lock_entries_outside_the_rootdir_are_never_written_or_deleted(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("keep")
    entries = {f"../{outside.parent.name}/secret.txt": "0" * 64, str(outside): "0" * 64}
    lock = {"goldens": entries, "version": 1}
    (project.path / "goldens.lock").write_text(json.dumps(lock))
    project.config("[tool.graduation.criteria.alpha]\nfrozen_goldens = true\n")
    project.write("test_x.py", "def test_ok(golden):\n    golden.check('x')\n")
    project.run("--update-goldens", "--freeze-goldens").assert_outcomes(passed=1)
    _, report = project.gate("alpha")
    assert criterion(report, "frozen_goldens")["status"] == "unmet"  # hashes differ: reported
    assert outside.read_text() == "keep"


def test_shard_report_strings_are_only_data(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_graduation.config import GraduationConfig
    from pytest_graduation.merge import main

    payload = "__import__('os').system('touch PWNED')"
    shard = {
        "schema_version": 3,
        "tests": {},
        "level": "alpha",
        "records": table_of({"nodeid": payload, "outcome": "failed", "phase": "alpha"}),
        "facts": {"coverage": [{"error": payload}], payload: [payload]},
        "criteria": [{"name": payload, "status": "met", "details": [payload]}],
        "collection_errors": [payload],
        "config_digest": GraduationConfig().digest,
        "plugin_version": payload,
        "run_id": payload,
        "verdict": "ready",
        "lost_workers": [payload],
    }
    path = project.path / "shard.json"
    path.write_text(json.dumps(shard))
    assert main(["merge", "--level", "alpha", "--rootdir", str(project.path), str(path)]) == 1
    assert payload in capsys.readouterr().out  # shown as text, never run
    assert not (project.path / "PWNED").exists()


def test_a_waiver_claimed_by_a_shard_is_judged_again_at_merge(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_graduation.config import GraduationConfig
    from pytest_graduation.merge import main

    waiver = {"criterion": "custom", "reason": "r", "expires": "2999-01-01", "levels": None}
    unmet_but_waived = {"name": "custom", "status": "waived", "details": ["d"], "waiver": waiver}
    shard = {
        "schema_version": 3,
        "tests": {},
        "level": "alpha",
        "records": table_of({"nodeid": "t.py::test_a", "outcome": "passed", "phase": "alpha"}),
        "facts": {},
        "criteria": [unmet_but_waived],
        "collection_errors": [],
        "config_digest": GraduationConfig().digest,
        "plugin_version": "x",
        "run_id": "r1",
        "verdict": "ready",
        "lost_workers": [],
    }
    path = project.path / "shard.json"
    path.write_text(json.dumps(shard))
    assert main(["merge", "--level", "alpha", "--rootdir", str(project.path), str(path)]) == 1
    out = capsys.readouterr().out
    assert "alpha: NOT READY (1 of 2 criteria unmet)" in out
