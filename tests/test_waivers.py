"""Time-boxed waivers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Project, criterion
from pytest_graduation.config import Waiver
from pytest_graduation.model import CriterionResult, Status
from pytest_graduation.waivers import apply_waivers

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
