"""Time-boxed waivers."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Project, criterion, make_run, serial_only
from pytest_graduation.capabilities import CapabilitiesCriterion
from pytest_graduation.config import ConfigError, GraduationConfig, Waiver, parse
from pytest_graduation.model import (
    Criterion,
    CriterionResult,
    GateRun,
    Outcome,
    Status,
    TestRecord,
)
from pytest_graduation.outcome_criteria import CountCriterion, TestsCriterion
from pytest_graduation.report import GraduationReport
from pytest_graduation.waivers import SCOPES, apply_waivers, covers

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

SKIPPING = (
    "import pytest\n\ndef test_ok():\n    pass\n\ndef test_skip():\n    pytest.skip('infra')\n"
)


def _config(expires: str, levels: str = "") -> str:
    return f"""
        [tool.graduation.criteria.beta]
        max_skipped = 0

        [[tool.graduation.waivers]]
        criterion = "skipped"
        reason = "CI runner has no GPU"
        expires = {expires}
        {levels}
        """


def test_live_waiver_waives_an_unmet_criterion(project: Project) -> None:
    project.config(_config("2999-12-31"))
    project.write("test_x.py", SKIPPING)
    result, report = project.gate("beta")
    assert result.ret == 0
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "waived"
    assert skipped["waiver"] == {
        "criterion": "skipped",
        "reason": "CI runner has no GPU",
        "expires": "2999-12-31",
        "levels": None,
    }
    assert skipped["details"][0] == "waived until 2999-12-31: CI runner has no GPU"
    result.stdout.fnmatch_lines(["skipped*waived*1*<= 0", "beta: READY"])


def test_expired_waiver_fails_the_criterion(project: Project) -> None:
    project.config(_config("2001-01-31"))
    project.write("test_x.py", SKIPPING)
    result, report = project.gate("beta")
    assert result.ret == 1
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "unmet"
    assert skipped["details"][0].startswith("waiver expired on 2001-01-31")
    result.stdout.fnmatch_lines(["*waiver expired on 2001-01-31*", "beta: NOT READY*"])


def test_expired_waiver_of_a_met_criterion_keeps_it_met_with_a_note(project: Project) -> None:
    project.config(_config("2001-01-31"))
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("beta")
    assert result.ret == 0
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "met"
    assert skipped["details"] == [
        "waiver expired on 2001-01-31 (CI runner has no GPU); "
        "the criterion is met: remove the stale waiver"
    ]
    result.stdout.fnmatch_lines(["skipped (met):", "*remove the stale waiver", "beta: READY"])


def test_waiver_limited_to_other_levels_does_not_apply(project: Project) -> None:
    project.config(_config("2999-12-31", 'levels = ["rc"]'))
    project.write("test_x.py", SKIPPING)
    result, report = project.gate("beta")
    assert result.ret == 1
    assert criterion(report, "skipped")["status"] == "unmet"
    assert criterion(report, "skipped")["waiver"] is None


def test_waiver_for_unknown_criterion_is_a_usage_error(project: Project) -> None:
    project.config(
        """
        [[tool.graduation.waivers]]
        criterion = "coverag"
        reason = "typo"
        expires = 2999-01-01
        """
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=beta")
    assert result.ret == 4
    assert "waiver for unknown criterion 'coverag'" in result.stderr.str()


TODAY = dt.date(2026, 6, 1)


@given(
    status=st.sampled_from([Status.MET, Status.UNMET, Status.INCONCLUSIVE]),
    offset=st.integers(-400, 400),
)
def test_waiver_rules(status: Status, offset: int) -> None:
    expires = TODAY + dt.timedelta(days=offset)
    waiver = Waiver("x", "because", expires, None)
    result = CriterionResult(status, 1, 0, ("detail",))
    judged = apply_waivers("x", result, [waiver], "beta", TODAY)
    if offset < 0:  # expired: it no longer applies, and it says so
        assert judged.status is status
        assert judged.details[0].startswith(f"waiver expired on {expires.isoformat()}")
        assert ("remove the stale waiver" in judged.details[0]) is (status is Status.MET)
    elif status is Status.MET:
        assert judged.status is Status.MET
        assert judged.waiver is None
    else:  # live through its expiry day
        assert judged.status is Status.WAIVED
        assert judged.details[-1] == "detail"


@pytest.mark.parametrize("name", ["y", "x"])
def test_waiver_only_touches_its_criterion(name: str) -> None:
    waiver = Waiver("x", "r", TODAY, None)
    judged = apply_waivers(name, CriterionResult.unmet(), [waiver], "beta", TODAY)
    assert judged.status is (Status.WAIVED if name == "x" else Status.UNMET)


# --- scoped waivers (SPEC section 19) --------------------------------------------------


def _settings(toml: str) -> GraduationConfig:
    return parse(tomllib.loads(textwrap.dedent(toml)), source=None, prefix="tool.graduation.")


def _scoped(criterion: str, key: str, values: str, expires: str = "2999-12-31") -> str:
    return f"""
        [[waivers]]
        criterion = "{criterion}"
        reason = "known"
        expires = {expires}
        {key} = {values}
        """


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        (
            _scoped("tests", "files", '["src/**"]'),
            "tool.graduation.waivers[0].files: expected a scope key that fits criterion "
            "'tests', which takes scope key 'tests'; 'files' fits only coverage_paths, "
            "coverage_new, coverage_baseline, line_limit, source_rules, compile, "
            "obsolete_goldens, frozen_goldens",
        ),
        (
            _scoped("coverage", "files", '["src/**"]'),
            "tool.graduation.waivers[0].files: expected a scope key that fits criterion "
            "'coverage', which takes no scope key (waive it whole); 'files' fits only",
        ),
        (
            _scoped("capabilities", "tests", '["t/*"]'),
            "tool.graduation.waivers[0].tests: expected a scope key that fits criterion "
            "'capabilities', which takes scope key 'capabilities'",
        ),
        (
            _scoped("checklist", "items", '["audit"]') + 'tests = ["t/*"]\n',
            "tool.graduation.waivers[0]: expected one scope key (tests, capabilities, "
            "files or items), not tests and items",
        ),
        (_scoped("skipped", "tests", "[]"), "tool.graduation.waivers[0].tests: expected at least"),
        (
            _scoped("skipped", "tests", '"t/*"'),
            "tool.graduation.waivers[0].tests: expected an array",
        ),
        (_scoped("skipped", "node", '["t/*"]'), "tool.graduation.waivers[0].node: unknown key"),
    ],
)
def test_a_scope_key_that_does_not_fit_is_a_usage_error(waiver: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _settings(waiver)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("criterion", "key"),
    [(name, key) for key, (_, names) in SCOPES.items() for name in names],
)
def test_every_fitting_scope_is_accepted(criterion: str, key: str) -> None:
    [waiver] = _settings(_scoped(criterion, key, '["a"]')).waivers
    assert (waiver.scope, waiver.patterns) == (key, ("a",))
    assert waiver.to_dict()[key] == ["a"]


def test_the_exit_code_of_a_scope_that_does_not_fit_is_4(project: Project) -> None:
    project.config(
        """
        [[tool.graduation.waivers]]
        criterion = "tests"
        reason = "r"
        expires = 2999-01-01
        capabilities = ["parser"]
        """
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=alpha")
    assert result.ret == 4
    assert "waivers[0].capabilities: expected a scope key that fits criterion 'tests'" in (
        result.stderr.str()
    )


SKIPS = {
    "tests/win/test_paths.py": "import pytest\n\ndef test_drive():\n    pytest.skip('no C:')\n",
    "tests/test_gpu.py": "import pytest\n\ndef test_cuda():\n    pytest.skip('no GPU')\n",
    "tests/test_ok.py": "def test_ok():\n    pass\n",
}


def _skip_project(project: Project, waivers: str) -> None:
    project.config("[tool.graduation.criteria.alpha]\nmax_skipped = 0\n" + waivers)
    for path, text in SKIPS.items():
        project.write(path, text)


WIN = """
[[tool.graduation.waivers]]
criterion = "skipped"
reason = "no Windows runner"
expires = 2999-01-31
tests = ["tests/win/*"]
"""
GPU = WIN.replace("no Windows runner", "no GPU runner").replace(
    '["tests/win/*"]', '["tests/test_gpu.py::test_cuda"]'
)


def test_a_scoped_waiver_covering_part_leaves_the_criterion_unmet(
    project: Project, dist: list[str]
) -> None:
    _skip_project(project, WIN)
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "unmet"
    assert skipped["details"][0] == (
        "the scoped waiver (tests tests/win/*) covers 1 of 2; "
        "not covered: test tests/test_gpu.py::test_cuda"
    )
    assert skipped["waiver"]["tests"] == ["tests/win/*"]
    result.stdout.fnmatch_lines(["skipped*unmet*2*<= 0", "alpha: NOT READY*"])


def test_scoped_waivers_covering_every_detail_waive_it(project: Project, dist: list[str]) -> None:
    _skip_project(project, WIN + GPU.replace("2999-01-31", "2999-01-01"))
    result, report = project.gate("alpha", *dist)
    assert result.ret == 0
    skipped = criterion(report, "skipped")
    assert skipped["status"] == "waived"
    assert skipped["details"][:2] == [
        "waived until 2999-01-01 for tests tests/test_gpu.py::test_cuda: no GPU runner",
        "waived until 2999-01-31 for tests tests/win/*: no Windows runner",
    ]
    # the waiver that lapses first is the one the criterion rests on
    assert skipped["waiver"] == {
        "criterion": "skipped",
        "reason": "no GPU runner",
        "expires": "2999-01-01",
        "levels": None,
        "tests": ["tests/test_gpu.py::test_cuda"],
    }
    read = GraduationReport.from_dict(report)
    waiver = next(c.waiver for c in read.criteria if c.name == "skipped")
    assert waiver is not None and (waiver.scope, waiver.patterns) == (
        "tests",
        ("tests/test_gpu.py::test_cuda",),
    )
    result.stdout.fnmatch_lines(["skipped*waived*", "alpha: READY"])


def test_an_expired_scoped_waiver_no_longer_applies(project: Project) -> None:
    _skip_project(project, WIN.replace("2999-01-31", "2001-01-31"))
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "skipped")["details"][0].startswith("waiver expired on 2001-01-31")


def _records(*spec: tuple[str, str]) -> list[TestRecord]:
    return [TestRecord(nodeid, outcome, "alpha") for nodeid, outcome in spec]


def _waiver(scope: str | None, *patterns: str, criterion: str = "x") -> Waiver:
    return Waiver(criterion, "r", TODAY, None, scope=scope, patterns=patterns)


def _judged(criterion: Criterion, run: GateRun, waiver: Waiver) -> Status:
    result = criterion.evaluate(run)
    return apply_waivers(criterion.name, result, [waiver], run.level, TODAY).status


@pytest.mark.parametrize(
    ("limit", "globs", "expected"),
    [
        (0, ("a/*", "b/*", "c/*"), Status.WAIVED),
        (0, ("a/*", "b/*"), Status.UNMET),
        (1, ("a/*", "b/*"), Status.WAIVED),  # one left over is within the limit
        (1, ("a/*",), Status.UNMET),
        (2, ("z/*",), Status.UNMET),  # covering nothing never waives
    ],
)
def test_a_count_is_waived_when_what_is_left_is_within_its_limit(
    limit: int, globs: tuple[str, ...], expected: Status
) -> None:
    run = make_run(
        tests=_records(("a/t.py::x", "skipped"), ("b/t.py::y", "skipped"), ("c/t.py::z", "skipped"))
    )
    counted = CountCriterion("skipped", Outcome.SKIPPED, limit)
    assert _judged(counted, run, _waiver("tests", *globs, criterion="skipped")) is expected


def test_a_test_scope_never_covers_what_names_no_test() -> None:
    run = make_run(
        tests=_records(("t/a.py::x", "failed")),
        collection_errors=("t/b.py: ImportError",),
        lost_workers=("gw1 was lost; its results are missing",),
    )
    waiver = _waiver("tests", "*", criterion="tests")
    result = TestsCriterion().evaluate(run)
    judged = apply_waivers("tests", result, [waiver], "alpha", TODAY)
    assert judged.status is Status.UNMET
    assert judged.details[0] == (
        "the scoped waiver (tests *) covers 1 of 3; not covered: other collection error: "
        "t/b.py: ImportError, other xdist worker gw1 was lost; its results are missing"
    )
    # without the collection error and the lost worker, the same waiver covers it
    clean = make_run(tests=_records(("t/a.py::x", "failed")))
    assert _judged(TestsCriterion(), clean, waiver) is Status.WAIVED


def test_a_partial_run_is_not_waived_by_a_test_scope() -> None:
    deselected = TestRecord("t/b.py::y", "not-run", "alpha", deselected=True)
    run = make_run(tests=[*_records(("t/a.py::x", "passed")), deselected])
    assert TestsCriterion().evaluate(run).status is Status.INCONCLUSIVE
    assert _judged(TestsCriterion(), run, _waiver("tests", "*", criterion="tests")) is (
        Status.INCONCLUSIVE
    )


def test_a_result_that_names_no_subject_is_never_waived_by_a_scope() -> None:
    # a custom criterion, or a built-in one with nothing measured: no subject at all
    result = CriterionResult.unmet(1, 0, ["glob src/** matches no file"])
    judged = apply_waivers("x", result, [_waiver("files", "**")], "alpha", TODAY)
    assert judged.status is Status.UNMET
    assert judged.details[0] == (
        "the scoped waiver (files **) does not apply: this result names no subject"
    )


def test_capabilities_and_files_scopes_cover_by_id_and_file_glob() -> None:
    result = CriterionResult.inconclusive(
        subjects=[("capability", "parser"), ("capability", "parse")]
    )
    by_id = [_waiver("capabilities", "parse")]
    assert apply_waivers("x", result, by_id, "alpha", TODAY).status is Status.INCONCLUSIVE
    both = [_waiver("capabilities", "parse", "parser")]
    assert apply_waivers("x", result, both, "alpha", TODAY).status is Status.WAIVED
    files = CriterionResult.unmet(subjects=[("file", "src/legacy/deep/old.py")])
    assert apply_waivers("x", files, [_waiver("files", "src/legacy/*")], "a", TODAY).status is (
        Status.UNMET  # `*` stays inside one folder
    )
    assert apply_waivers("x", files, [_waiver("files", "src/legacy/**")], "a", TODAY).status is (
        Status.WAIVED
    )


KINDS = st.sampled_from(["test", "file", "capability", "item", "other"])
NAMES = st.sampled_from(["a", "b", "src/a.py", "t/x.py::y", "*"])


@given(
    subjects=st.lists(st.tuples(KINDS, NAMES), max_size=6),
    scope=st.sampled_from(sorted(SCOPES)),
    patterns=st.lists(NAMES, min_size=1, max_size=3),
    allowed=st.integers(0, 2),
    status=st.sampled_from([Status.UNMET, Status.INCONCLUSIVE]),
)
def test_a_scoped_waiver_waives_only_what_it_covers(
    subjects: list[tuple[str, str]],
    scope: str,
    patterns: list[str],
    allowed: int,
    status: Status,
) -> None:
    waiver = Waiver("x", "r", TODAY, None, scope=scope, patterns=tuple(patterns))
    result = CriterionResult(status, subjects=tuple(subjects), allowed=allowed)
    judged = apply_waivers("x", result, [waiver], "beta", TODAY)
    left = [s for s in dict.fromkeys(subjects) if not covers(waiver, s)]
    if judged.status is Status.WAIVED:
        assert len(left) < len(dict.fromkeys(subjects))  # it covered something
        assert len(left) <= allowed
        assert all(kind == SCOPES[scope][0] for kind, _ in left)  # never an "other"
    else:
        assert judged.status is status


@serial_only  # judged on the controller from the tree alone
def test_a_files_scope_covers_only_its_files_through_a_real_gate(
    project: Project, dist: list[str]
) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "src/**/*.py" = 3, "docs/*.py" = 3 }

        [[tool.graduation.waivers]]
        criterion = "line_limit"
        reason = "legacy module, split in 2.0"
        expires = 2999-01-01
        files = ["src/legacy/**"]
        """
    )
    project.write("src/legacy/old.py", "a = 1\n" * 5)
    project.write("src/new.py", "a = 1\n" * 5)
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha", *dist)
    limit = criterion(report, "line_limit")
    assert (result.ret, limit["status"]) == (1, "unmet")
    assert limit["details"][0] == (
        "the scoped waiver (files src/legacy/**) covers 1 of 3; not covered: "
        "file src/new.py, other docs/*.py: no file matches this glob"
    )
    project.write("src/new.py", "a = 1\n")
    project.config((project.path / "pyproject.toml").read_text().replace(', "docs/*.py" = 3', ""))
    result, report = project.gate("alpha", *dist)
    assert (result.ret, criterion(report, "line_limit")["status"]) == (0, "waived")


def test_the_capability_criterion_names_each_open_capability() -> None:
    settings = _settings(
        """
        [capabilities.parser]
        tests = ["t/p.py::*"]
        [capabilities.cli]
        tests = ["t/c.py::*"]
        """
    )
    records = [
        TestRecord("t/p.py::a", "failed", "alpha", capabilities=("parser",)),
        TestRecord("t/c.py::b", "passed", "alpha", capabilities=("cli",)),
    ]
    run = make_run(tests=records, settings=settings)
    result = CapabilitiesCriterion().evaluate(run)
    assert (result.status, result.subjects) == (Status.UNMET, (("capability", "parser"),))
    waiver = _waiver("capabilities", "parser", criterion="capabilities")
    assert _judged(CapabilitiesCriterion(), run, waiver) is Status.WAIVED
