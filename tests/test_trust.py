"""The gate never says ready by accident: skips at collection, partial runs, runs that
were not judged, modes that run no test, and one phase per test."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import Project, check_schema, criterion, records_of, serial_only

PYTEST = (sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider")

COLLECTION_SKIPS = {
    "tests/test_optional.py": """
        import pytest

        np = pytest.importorskip("not_installed_anywhere")

        def test_uses_it():
            assert np
        """,
    "tests/test_platform.py": """
        import pytest

        pytest.skip("Windows only", allow_module_level=True)

        def test_windows():
            pass
        """,
    "tests/hidden/conftest.py": """
        import pytest

        pytest.skip("the hidden folder is not ready", allow_module_level=True)
        """,
    "tests/hidden/test_hidden.py": "def test_fails():\n    assert False\n",
    "tests/test_ok.py": "def test_ok():\n    pass\n",
}


def test_every_skip_at_collection_counts(project: Project, dist: list[str]) -> None:
    project.config("[tool.graduation.criteria.beta]\nmax_skipped = 0\n")
    for path, text in COLLECTION_SKIPS.items():
        project.write(path, text)
    result, report = project.gate("beta", *dist)
    assert result.ret == 1
    skipped = criterion(report, "skipped")
    assert (skipped["status"], skipped["measured"]) == ("unmet", 3)
    details = "\n".join(skipped["details"])
    assert "tests/test_optional.py (skipped)" in details
    assert "not_installed_anywhere" in details
    assert "tests/test_platform.py (skipped): Skipped: Windows only" in details
    assert "tests/hidden (skipped): Skipped: the hidden folder is not ready" in details
    assert report["tests"]["skipped"] == 3
    result.stdout.fnmatch_lines(["beta: NOT READY (1 of 2 criteria unmet)"])


def test_deselected_required_tests_make_the_run_inconclusive(
    project: Project, dist: list[str]
) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        def test_a():
            pass

        def test_b():
            pass

        @pytest.mark.phase("stable")
        def test_later():
            pass
        """,
    )
    result, report = project.gate("alpha", "-k", "test_a or test_later", *dist)
    assert result.ret == 1
    tests = criterion(report, "tests")
    assert tests["status"] == "inconclusive"
    assert tests["details"] == [
        "1 required tests deselected: run the full suite",
        "test_x.py::test_b",
    ]
    # a pending test that is deselected is not required: nothing is missing
    _, report = project.gate("alpha", "-k", "not test_later", *dist)
    assert criterion(report, "tests")["status"] == "met"


def test_nothing_selected_is_not_ready(project: Project) -> None:
    project.write("test_x.py", "def test_a():\n    pass\n")
    result, report = project.gate("alpha", "-k", "nothing_matches")
    assert result.ret == 5  # pytest's own code stands: no test ran
    tests = criterion(report, "tests")
    assert tests["status"] == "unmet"
    assert tests["details"] == [
        "no required test ran (nothing collected, or everything deselected)"
    ]
    assert report["verdict"] == "not-ready"


@pytest.mark.parametrize("dist", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.parametrize("stop", ["-x", "--maxfail=1"])
def test_a_run_stopped_early_is_judged(project: Project, stop: str, dist: list[str]) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.parametrize("i", range(6))
        def test_i(i):
            assert i != 1
        """,
    )
    result, report = project.gate("alpha", stop, *dist)
    reference = project.run("-p", "no:graduation", stop, *dist)
    assert result.ret == reference.ret != 0  # xdist's own code for an early stop is 2
    assert report["verdict"] == "not-ready"
    result.stdout.fnmatch_lines(["alpha: NOT READY*"])
    assert "not judged" not in result.stdout.str()


@pytest.mark.parametrize("returncode", [0, 3])
def test_pytest_exit_is_never_green_and_replaces_the_old_report(
    project: Project, returncode: int
) -> None:
    report = project.path / "graduation-report.json"
    project.write("test_x.py", "def test_a():\n    pass\n")
    project.run("--graduation=alpha", f"--graduation-report={report}")
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"] == "ready"
    project.write(
        "test_x.py",
        f"""
        import pytest

        def test_a():
            pytest.exit("maintenance", returncode={returncode})
        """,
    )
    result = project.run("--graduation=alpha", f"--graduation-report={report}")
    assert result.ret == (2 if returncode == 0 else returncode)
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["verdict"] == "not-judged"
    assert written["reason"] == "pytest.exit(): maintenance"
    assert written["schema_version"] == 3 and written["run_id"]
    check_schema(written)
    if returncode == 0:  # pytest prints no summary at all for other codes
        result.stdout.fnmatch_lines(
            ["*graduation: alpha: not judged (pytest.exit(): maintenance)*", "alpha: NOT JUDGED"]
        )


@pytest.mark.parametrize(
    "mode",
    ["--collect-only", "--fixtures", "--fixtures-per-test", "--markers", "--setup-plan"],
)
def test_modes_that_run_no_test_print_no_verdict(project: Project, mode: str) -> None:
    project.config("[tool.graduation.criteria.alpha]\nmax_skipped = 0\n")
    project.write("test_x.py", "def test_a():\n    assert False\n")
    reference = project.run(mode)
    result = project.run("--graduation=alpha", "--graduation-report=r.json", mode)
    assert result.ret == reference.ret
    assert "graduation:" not in result.stdout.str()
    assert "READY" not in result.stdout.str()
    assert not (project.path / "r.json").exists()
    # the level is still checked
    assert project.run("--graduation=nope", mode).ret == 4


@serial_only
def test_two_phase_markers_on_one_node_are_an_error(project: Project, dist: list[str]) -> None:
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.phase("alpha")
        @pytest.mark.phase("stable")
        def test_stacked():
            pass

        @pytest.mark.phase("rc")
        @pytest.mark.phase("rc")
        def test_same_twice():
            pass

        @pytest.mark.phase("rc")
        class TestInherits:
            @pytest.mark.phase("alpha")
            def test_closest_wins(self):
                pass
        """,
    )
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    result.assert_outcomes(passed=2, errors=1)
    details = criterion(report, "tests")["details"]
    assert details == [
        "test_x.py::test_stacked (error): two @pytest.mark.phase markers on "
        "test_x.py::test_stacked name different levels ('alpha' and 'stable'): keep one"
    ]
    phases = {r["nodeid"].split("::")[-1]: r["phase"] for r in records_of(report)}
    assert phases["test_same_twice"] == "rc"
    assert phases["test_closest_wins"] == "alpha"


def test_a_failure_detail_keeps_its_message(project: Project, dist: list[str]) -> None:
    project.write(
        "tests/test_x.py",
        """
        def helper(value):
            assert value == 4, "value should be four"

        def test_message():
            helper(3)

        def test_long():
            raise ValueError("x" * 500 + "\\nsecond line")
        """,
    )
    _, report = project.gate("alpha", *dist)
    details = criterion(report, "tests")["details"]
    assert details[1] == (
        "tests/test_x.py::test_long (failed): ValueError: " + "x" * 185 + "... (tests/test_x.py:9)"
    )
    assert details[0] == (
        "tests/test_x.py::test_message (failed): "
        "AssertionError: value should be four (tests/test_x.py:3)"
    )


NAN_CRITERION = """
from pytest_graduation import Criterion, CriterionResult

class Odd(Criterion):
    name = "odd"

    def evaluate(self, run):
        nested = []
        for _ in range(900):
            nested = [nested]
        return CriterionResult.met(float("nan"), {"deep": nested, "big": float("inf")})

def pytest_graduation_criteria(config):
    return [Odd()]
"""


def test_values_json_cannot_hold_are_written_as_strings(project: Project) -> None:
    project.write("conftest.py", NAN_CRITERION)
    project.write("test_x.py", "def test_a():\n    pass\n")
    result, _ = project.gate("alpha")
    assert result.ret == 0
    text = (project.path / "graduation-report.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the report"))
    odd = criterion(data, "odd")
    assert odd["measured"] == "nan"
    assert odd["required"]["big"] == "inf"
    depth, value = 0, odd["required"]["deep"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert isinstance(value, str) and value.startswith("[[")
    assert depth < 40
    result.stdout.fnmatch_lines(["odd *met*nan*", "alpha: READY"])


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs mkfifo")
def test_a_step_summary_that_is_not_a_regular_file_gets_a_note(project: Project) -> None:
    import os

    fifo = project.path / "summary.fifo"
    os.mkfifo(fifo)
    project.write("test_x.py", "def test_a():\n    pass\n")
    process = subprocess.run(
        [*PYTEST, "--graduation=alpha"],
        cwd=project.path,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(fifo)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stdout
    assert "alpha: READY" in process.stdout
    assert f"graduation: cannot append to $GITHUB_STEP_SUMMARY ({fifo})" in process.stdout
    assert "is a FIFO, not a regular file" in process.stdout


DISK_FULL = """
import resource
import signal

def pytest_graduation_report(config, report):
    # from here on, no file may grow past 64 bytes: the report cannot be written
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, resource.RLIM_INFINITY))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_report_that_cannot_be_written_is_an_error_after_the_verdict(
    project: Project,
) -> None:
    project.write("test_x.py", "def test_a():\n    pass\n")
    old = project.path / "r.json"
    old.write_text('{"verdict": "ready", "old": true}\n' * 10, encoding="utf-8")
    project.write("conftest.py", DISK_FULL)
    process = subprocess.run(
        [*PYTEST, "--graduation=alpha", "--graduation-report=r.json"],
        cwd=project.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = process.stdout.splitlines()
    verdict = lines.index("alpha: READY")
    assert lines[verdict + 1].startswith("graduation: error: report not written: cannot write")
    assert process.returncode == 3  # never 1: a shard recipe lets "not ready" through
    assert old.read_text(encoding="utf-8") == '{"verdict": "ready", "old": true}\n' * 10
    assert [p.name for p in project.path.iterdir() if p.name.startswith(".r.json")] == []


SESSIONFINISH_RAISES = """
import os

def pytest_sessionfinish(session):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        raise RuntimeError("the tree is not clean")
"""


def test_a_conftest_raising_on_the_workers_does_not_erase_the_facts(project: Project) -> None:
    project.config(
        """
        [tool.graduation.capabilities.parser]
        tests = ["test_x.py::*"]

        [tool.graduation.criteria.alpha]
        capabilities = true
        determinism_runs = 2
        """
    )
    project.write("conftest.py", SESSIONFINISH_RAISES)
    project.write(
        "test_x.py",
        """
        import pytest

        @pytest.mark.deterministic
        @pytest.mark.parametrize("i", range(4))
        def test_i(i, observe):
            observe(i)
        """,
    )
    _, report = project.gate("alpha", "-n", "2")
    assert report["lost_workers"] == []
    assert criterion(report, "determinism")["measured"] == "4/4 identical"
    assert criterion(report, "capabilities")["measured"] == "1/1 proven"
    assert report["verdict"] == "ready"


SOURCES = {
    "pyproject": [],
    "config-relative": ["--graduation-config=conf/gate.toml"],
    "config-absolute": ["--graduation-config={path}/conf/gate.toml"],
    "inifile": ["-c", "conf/other.ini", "--graduation-config=conf/gate.toml"],
    "rootdir": ["--rootdir={path}", "--graduation-config=conf/gate.toml"],
}
GATE = """
[tool.graduation.capabilities.parser]
tests = ["tests/test_x.py::test_parse*"]

[tool.graduation.criteria.alpha]
max_skipped = 0
capabilities = true
determinism_runs = 2
"""


@pytest.mark.parametrize("source", SOURCES)
def test_every_configuration_source_gives_one_verdict_serial_and_xdist(
    project: Project, source: str
) -> None:
    project.config(GATE)
    project.write("conf/gate.toml", GATE.replace("tool.graduation.", ""))
    project.write("conf/other.ini", "[pytest]\n")
    project.write(
        "tests/test_x.py",
        """
        import pytest

        @pytest.mark.deterministic
        def test_parse(observe):
            observe(sorted({"b", "a"}))

        def test_skipped():
            pytest.skip("no")
        """,
    )
    args = [arg.format(path=project.path) for arg in SOURCES[source]]
    verdicts = []
    for dist in ([], ["-n", "2"]):
        _, report = project.gate("alpha", *args, *dist)
        verdicts.append({c["name"]: (c["status"], c["measured"]) for c in report["criteria"]})
    assert verdicts[0] == verdicts[1]
    assert verdicts[0] == {
        "tests": ("met", "1/2 passed"),
        "skipped": ("unmet", 1),
        "determinism": ("met", "1/1 identical"),
        "capabilities": ("met", "1/1 proven"),
    }
