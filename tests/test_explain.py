"""``--graduation-explain`` (SPEC section 19): what a gate at LEVEL would judge, printed
without running a test."""

from __future__ import annotations

import pytest

from conftest import Project

CONFIG = """
    [tool.graduation]
    deterministic = ["tests/test_core.py::test_stable*", "tests/test_nothing*"]

    [tool.graduation.phases]
    "tests/experimental/*" = "rc"
    "tests/typo/*" = "beta"

    [tool.graduation.capabilities.parser]
    level = "beta"
    tests = ["tests/test_core.py::test_parse*"]

    [tool.graduation.capabilities.cli]
    tests = ["tests/cli/*"]

    [tool.graduation.criteria.alpha]
    max_skipped = 0
    line_limit = { "src/**/*.py" = 500 }

    [tool.graduation.criteria.beta]
    capabilities = true
    line_limit = { "src/**/*.py" = 300 }

    [[tool.graduation.waivers]]
    criterion = "skipped"
    reason = "no GPU runner"
    expires = 2999-01-31
    tests = ["tests/test_core.py::test_gpu"]
"""
CORE = """
    import pytest

    def test_stable_order():
        assert False, "explain runs no test"

    def test_parse_header():
        pass

    def test_gpu():
        pytest.skip("no GPU")

    @pytest.mark.phase("stable")
    def test_release_notes():
        pass

    @pytest.mark.phase("gamma")
    def test_bad_phase():
        pass
"""


def _project(project: Project) -> None:
    project.config(CONFIG)
    project.write("tests/test_core.py", CORE)
    project.write("tests/experimental/test_new.py", "def test_new():\n    pass\n")


def test_explain_prints_phases_globs_and_criteria_without_running(project: Project) -> None:
    _project(project)
    result = project.run("--graduation=beta", "--graduation-explain", "-k", "not test_new")
    assert result.ret == 0
    out = result.stdout.str()
    assert "explain runs no test" not in out and "passed" not in out  # nothing ran
    assert "graduation: beta" not in out and "READY" not in out  # no verdict
    result.stdout.fnmatch_lines(
        [
            "*= graduation explain: beta =*",
            "tests at beta (6 collected):",
            "  alpha   required    tests/test_core.py::test_stable_order",
            "  alpha   required    tests/test_core.py::test_parse_header",
            "  alpha   required    tests/test_core.py::test_gpu",
            "  stable  pending     tests/test_core.py::test_release_notes",
            "  ?       error       tests/test_core.py::test_bad_phase: "
            "@pytest.mark.phase('gamma') names an unknown level; "
            "levels are: alpha, beta, rc, stable",
            "  rc      deselected  tests/experimental/test_new.py::test_new",
            "  3 required, 1 pending, 1 deselected, 1 error",
            "globs:",
            '  phases "tests/experimental/*" = rc: 1 test(s)',
            "    tests/experimental/test_new.py::test_new",
            '  phases "tests/typo/*" = beta: matches no test (a typo?)',
            '  deterministic "tests/test_core.py::test_stable*": 1 test(s)',
            "    tests/test_core.py::test_stable_order",
            '  deterministic "tests/test_nothing*": matches no test (a typo?)',
            '  capabilities.parser.tests "tests/test_core.py::test_parse*": 1 test(s)',
            "    tests/test_core.py::test_parse_header",
            '  capabilities.cli.tests "tests/cli/*": matches no test (a typo?)',
            "criteria at beta (after inheritance):",
            "  tests: always judged: every required test passes",
            "  skipped: max_skipped = 0 (set at alpha)",
            "  capabilities: capabilities = true (set at beta)",
            '  line_limit: line_limit = {"src/**/*.py" = 300} (set at beta)',
            "waivers at beta:",
            "  skipped for tests tests/test_core.py::test_gpu until 2999-01-31: no GPU runner",
        ]
    )


def test_explain_at_the_first_level_shows_what_it_inherits_nothing_from(project: Project) -> None:
    _project(project)
    result = project.run("--graduation=alpha", "--graduation-explain")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "  rc      pending     tests/experimental/test_new.py::test_new",
            "  stable  pending     tests/test_core.py::test_release_notes",
            "  3 required, 2 pending, 0 deselected, 1 error",
            "*",
            "criteria at alpha (after inheritance):",
            "  tests: always judged: every required test passes",
            "  skipped: max_skipped = 0 (set at alpha)",
            '  line_limit: line_limit = {"src/**/*.py" = 500} (set at alpha)',
        ]
    )
    assert "capabilities: capabilities = true" not in result.stdout.str()


def test_explain_under_xdist_collects_in_process_and_runs_nothing(project: Project) -> None:
    _project(project)
    report = project.path / "graduation-report.json"
    result = project.run(
        "--graduation=beta", "--graduation-explain", "-n", "2", f"--graduation-report={report}"
    )
    assert result.ret == 0
    assert "explain runs no test" not in result.stdout.str()
    assert not report.exists()  # no verdict, no report
    result.stdout.fnmatch_lines(["tests at beta (6 collected):"])


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--graduation-explain"], CONFIG, "--graduation-explain needs --graduation=LEVEL"),
        (["--graduation=gamma", "--graduation-explain"], CONFIG, "unknown level 'gamma'"),
        (
            ["--graduation=beta", "--graduation-explain"],
            "[tool.graduation.criteria.beta]\nmax_skiped = 0\n",
            "tool.graduation.criteria.beta.max_skiped: unknown key",
        ),
        (
            ["--graduation=beta", "--graduation-explain"],
            '[[tool.graduation.waivers]]\ncriterion = "coverag"\nreason = "r"\n'
            "expires = 2999-01-01\n",
            "waiver for unknown criterion 'coverag'",
        ),
    ],
)
def test_explain_exits_4_on_a_configuration_error(
    project: Project, args: list[str], config: str, message: str
) -> None:
    project.config(config)
    project.write("tests/test_core.py", CORE)
    result = project.run(*args)
    assert result.ret == 4
    assert message in result.stderr.str()
