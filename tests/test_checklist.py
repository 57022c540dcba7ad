"""The checklist (SPEC section 15): strict items, evidence judged by ``stat`` alone, dated
sign-offs, and the ``checklist`` criterion, judged in process on real files."""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import io
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_run
from pytest_graduation.checklist import ChecklistCriterion, ChecklistItem, parse_checklist
from pytest_graduation.checklist.evidence import kind_of
from pytest_graduation.checklist.judging import local_today
from pytest_graduation.config import GraduationConfig
from pytest_graduation.model import CriterionResult, GateRun, Status
from pytest_graduation.settings import DEFAULT_LEVELS
from pytest_graduation.validation import Checker, ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

TODAY = dt.date(2026, 11, 25)
PREFIX = "tool.graduation."


def items_of(toml: str, levels: tuple[str, ...] = DEFAULT_LEVELS) -> tuple[ChecklistItem, ...]:
    """Validate the ``checklist`` key of a ``[tool.graduation]`` table written as TOML."""
    table = tomllib.loads(textwrap.dedent(toml))
    return parse_checklist(Checker(None, PREFIX, levels), "checklist", table["checklist"])


def refused(toml: str) -> str:
    with pytest.raises(ConfigError) as caught:
        items_of(toml)
    return str(caught.value)


def settings_of(toml: str, gated: str = "alpha") -> GraduationConfig:
    """Settings holding the checklist of ``toml``, with ``checklist = true`` at ``gated``."""
    return GraduationConfig(
        values={"checklist": items_of(toml)}, own_criteria={gated: {"checklist": True}}
    )


def run_of(root: Path, toml: str, level: str = "alpha") -> GateRun:
    return make_run(level=level, settings=settings_of(toml), rootdir=root)


def judge(root: Path, toml: str, level: str = "alpha", today: dt.date = TODAY) -> CriterionResult:
    run = run_of(root, toml, level)
    with reads_forbidden(root):
        return ChecklistCriterion(lambda: today).evaluate(run)


def write(root: Path, relpath: str, text: str = "reviewed\n") -> Path:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@contextlib.contextmanager
def reads_forbidden(root: Path) -> Iterator[None]:
    """Fail any attempt to open a file below ``root``: evidence is judged by stat alone,
    and a FIFO opened for reading would hang the gate."""
    prefix = os.path.realpath(root)

    def guard(original: Any) -> Any:
        def opener(file: Any, *args: Any, **kwargs: Any) -> Any:
            path = os.fspath(file) if isinstance(file, (str, os.PathLike)) else ""
            if path and os.path.realpath(path).startswith(prefix):
                raise AssertionError(f"evidence was opened: {file}")
            return original(file, *args, **kwargs)

        return opener

    with pytest.MonkeyPatch.context() as patch:
        for owner, name in ((builtins, "open"), (io, "open"), (os, "open")):
            patch.setattr(owner, name, guard(getattr(owner, name)))
        yield


# --- validation ----------------------------------------------------------------

ITEM = '[[checklist]]\nid = "audit"\nevidence = ["docs/audit.md"]\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("checklist = 1", "checklist: expected an array of tables ([[tool.graduation.checklist]])"),
        ("checklist = [1]", "checklist[0]: expected a table, got integer 1"),
        (
            ITEM + "signed = 'me'",
            "checklist[0].signed: unknown key (expected one of: evidence, expires, id, level, "
            "signed_by, signed_on, title)",
        ),
        ("[[checklist]]\nevidence = ['a.md']", "checklist[0].id: expected this key to be set"),
        ("[[checklist]]\nid = ''\nevidence = ['a.md']", "checklist[0].id: expected a non-empty"),
        (
            "[[checklist]]\nid = 'a b'\nevidence = ['a.md']",
            "checklist[0].id: expected an id of letters, digits, _ - ., got string 'a b'",
        ),
        (
            ITEM + ITEM,
            "checklist[1].id: expected an id no other item has, got string 'audit'",
        ),
        (
            "[[checklist]]\nid = 'audit'\ntitle = 'Audit'",
            "checklist[0]: expected `evidence`, `signed_by` or both (what shows the item is done)",
        ),
        (
            "[[checklist]]\nid = 'a'\nevidence = []\nsigned_by = 'X'\nsigned_on = 2026-01-01",
            "checklist[0].evidence: expected at least one file glob, got array []",
        ),
        ("[[checklist]]\nid = 'a'\nevidence = 'a.md'", "checklist[0].evidence: expected an array"),
        ("[[checklist]]\nid = 'a'\nevidence = [1]", "checklist[0].evidence[0]: expected a non-emp"),
        (
            "[[checklist]]\nid = 'a'\nsigned_by = 'A. Maintainer'",
            "checklist[0].signed_on: expected this key to be set: `signed_by` needs `signed_on`",
        ),
        (
            ITEM + "signed_on = 2026-01-01",
            "checklist[0].signed_by: expected this key to be set: `signed_on` needs `signed_by`",
        ),
        (
            ITEM + "expires = 2027-01-01",
            "checklist[0].signed_by: expected this key to be set: `expires` needs `signed_by`",
        ),
        (
            ITEM + "signed_by = ''\nsigned_on = 2026-01-01",
            "checklist[0].signed_by: expected a non-empty string, got string ''",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = 2026-01-01T10:00:00",
            "checklist[0].signed_on: expected a TOML date such as 2026-11-20 (not a date-time), "
            "got datetime datetime.datetime(2026, 1, 1, 10, 0)",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = 2026-01-01T10:00:00Z",
            "checklist[0].signed_on: expected a TOML date such as 2026-11-20 (not a date-time)",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = '2026-01-01'",
            "checklist[0].signed_on: expected a TOML date such as 2026-11-20 (not a date-time), "
            "got string '2026-01-01'",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = 10:00:00",
            "checklist[0].signed_on: expected a TOML date",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = 2026-01-01\nexpires = 2027-01-01T00:00:00",
            "checklist[0].expires: expected a TOML date such as 2026-11-20 (not a date-time)",
        ),
        (
            ITEM + "signed_by = 'X'\nsigned_on = 2026-06-01\nexpires = 2026-05-31",
            "checklist[0].expires: expected a date not before signed_on (2026-06-01), "
            "got date datetime.date(2026, 5, 31)",
        ),
        (ITEM + "level = 'gamma'", "checklist[0].level: expected one of the levels alpha, beta"),
        (ITEM + "title = ''", "checklist[0].title: expected a non-empty string, got string ''"),
    ],
)
def test_each_rule_is_a_usage_error_naming_the_key(toml: str, message: str) -> None:
    assert refused(toml).startswith(PREFIX + message)


@pytest.mark.parametrize(
    "glob",
    [
        "/etc/passwd",
        "../secrets.md",
        "docs/../../outside.md",
        "docs/..",
        "C:/audit.md",
        "c:audit.md",
        "\\\\server\\share\\audit.md",
        "docs\\audit.md",
        "./docs/audit.md",
        "docs//audit.md",
        "docs/",
    ],
)
def test_a_glob_that_can_leave_the_rootdir_or_never_match_is_refused(glob: str) -> None:
    toml = f"[[checklist]]\nid = 'a'\nevidence = ['docs/ok.md', '{glob}']"  # literal strings
    assert refused(toml) == (
        f"{PREFIX}checklist[0].evidence[1]: expected a file glob relative to the rootdir, "
        "folders separated by / (not absolute, no `..`, `.` or empty parts, no backslash), "
        f"got string {glob!r}"
    )


def test_defaults_and_a_full_item() -> None:
    items = items_of(
        """
        [[checklist]]
        id = "license"
        evidence = ["LICENSE"]

        [[checklist]]
        id = "security-audit"
        title = "Security audit complete"
        level = "beta"
        evidence = ["docs/security/audit-*.md", "docs/security/**"]
        signed_by = "A. Maintainer"
        signed_on = 2026-11-20
        expires = 2026-11-20
        """
    )
    assert items == (
        ChecklistItem(id="license", title="license", level="alpha", evidence=("LICENSE",)),
        ChecklistItem(
            id="security-audit",
            title="Security audit complete",
            level="beta",
            evidence=("docs/security/audit-*.md", "docs/security/**"),
            signed_by="A. Maintainer",
            signed_on=dt.date(2026, 11, 20),
            expires=dt.date(2026, 11, 20),
        ),
    )


def test_the_default_level_is_the_files_first_level() -> None:
    [item] = items_of("[[checklist]]\nid = 'a'\nevidence = ['a.md']", levels=("dev", "prod"))
    assert item.level == "dev"


# --- evidence ----------------------------------------------------------------

DEPLOY = '[[checklist]]\nid = "deploy"\nevidence = ["docs/deploy.md"]'


def test_a_regular_non_empty_file_is_evidence(tmp_path: Path) -> None:
    write(tmp_path, "docs/deploy.md")
    assert judge(tmp_path, DEPLOY) == CriterionResult.met("1/1 done", "all done")


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda root: None, "deploy: no file matches docs/deploy.md"),
        (
            lambda root: write(root, "docs/deploy.md", ""),
            "deploy: docs/deploy.md matches only empty files (docs/deploy.md)",
        ),
        (
            lambda root: (root / "docs/deploy.md").mkdir(parents=True),
            "deploy: docs/deploy.md is a directory, not a regular file",
        ),
        (
            lambda root: write(root, "docs", "a file where the folder belongs"),
            "deploy: no file matches docs/deploy.md",
        ),
    ],
)
def test_what_is_not_evidence_says_why(tmp_path: Path, make: Any, detail: str) -> None:
    make(tmp_path)
    assert judge(tmp_path, DEPLOY) == CriterionResult.unmet("0/1 done", "all done", [detail])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_never_opened_and_never_evidence(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    os.mkfifo(tmp_path / "docs/deploy.md")
    os.mkfifo(tmp_path / "docs/pipe.md")
    toml = DEPLOY + '\n[[checklist]]\nid = "any"\nevidence = ["docs/*.md"]'
    assert judge(tmp_path, toml).details == (
        "deploy: docs/deploy.md is a FIFO, not a regular file",
        "any: no file matches docs/*.md",
    )


def test_a_device_is_not_evidence() -> None:
    if not os.path.exists("/dev/null"):  # pragma: no cover - not a POSIX system
        pytest.skip("no /dev/null")
    assert kind_of("/dev", "null") == "character device"


def test_a_symlink_out_of_the_rootdir_is_never_evidence(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    write(outside, "deploy.md")
    write(outside, "guide/deploy.md")
    root = tmp_path / "root"
    (root / "docs").mkdir(parents=True)
    (root / "docs/deploy.md").symlink_to(outside / "deploy.md")
    (root / "guide").symlink_to(outside / "guide", target_is_directory=True)
    toml = (
        DEPLOY
        + '\n[[checklist]]\nid = "guide"\nevidence = ["guide/deploy.md"]'
        + '\n[[checklist]]\nid = "any"\nevidence = ["**/deploy.md"]'
    )
    assert judge(root, toml).details == (
        "deploy: docs/deploy.md is a symlink out of the rootdir",
        "guide: guide/deploy.md is a symlink out of the rootdir",
        "any: no file matches **/deploy.md",
    )


def test_a_symlink_inside_the_rootdir_is_evidence_but_a_dangling_one_is_not(
    tmp_path: Path,
) -> None:
    write(tmp_path, "docs/deployment-guide.md")
    (tmp_path / "docs/deploy.md").symlink_to("deployment-guide.md")
    (tmp_path / "docs/gone.md").symlink_to("nowhere.md")
    (tmp_path / "docs/empty.md").symlink_to("blank.md")
    write(tmp_path, "docs/blank.md", "")
    toml = (
        DEPLOY
        + '\n[[checklist]]\nid = "gone"\nevidence = ["docs/gone.md"]'
        + '\n[[checklist]]\nid = "empty"\nevidence = ["docs/empty.md"]'
    )
    assert judge(tmp_path, toml) == CriterionResult.unmet(
        "1/3 done",
        "all done",
        [
            "gone: no file matches docs/gone.md",
            "empty: docs/empty.md matches only empty files (docs/empty.md)",
        ],
    )


def test_evidence_in_what_exclude_skips_does_not_count(tmp_path: Path) -> None:
    write(tmp_path, "build/report.md")
    write(tmp_path, ".venv/lib/LICENSE")
    write(tmp_path, ".venv/pyvenv.cfg")
    toml = (
        '[[checklist]]\nid = "report"\nevidence = ["build/report.md"]'
        '\n[[checklist]]\nid = "license"\nevidence = ["**/LICENSE"]'
    )
    assert judge(tmp_path, toml).details == (
        "report: build/report.md lies in what `exclude` skips",
        "license: no file matches **/LICENSE",
    )


def test_every_glob_must_match_and_only_non_empty_files_count(tmp_path: Path) -> None:
    write(tmp_path, "docs/security/audit-2026-05.md", "")
    write(tmp_path, "docs/security/audit-2026-11.md")
    toml = '[[checklist]]\nid = "audit"\nevidence = ["docs/security/audit-*.md", "SECURITY.md"]'
    assert judge(tmp_path, toml).details == ("audit: no file matches SECURITY.md",)
    write(tmp_path, "SECURITY.md")
    assert judge(tmp_path, toml).status is Status.MET


def test_a_wildcard_never_crosses_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "docs/security/old/audit-2020.md")
    toml = '[[checklist]]\nid = "audit"\nevidence = ["docs/security/audit-*.md"]'
    assert judge(tmp_path, toml).details == ("audit: no file matches docs/security/audit-*.md",)


# --- sign-offs and the day boundary ---------------------------------------------

SIGNED = '[[checklist]]\nid = "legal"\nsigned_by = "Legal"\nsigned_on = {on}\n{expires}'


def signed(on: dt.date, expires: dt.date | None = None) -> str:
    return SIGNED.format(on=on, expires=f"expires = {expires}" if expires else "")


@pytest.mark.parametrize(
    ("on", "expires", "today", "details"),
    [
        (dt.date(2026, 11, 20), None, dt.date(2026, 11, 20), ()),  # signed today
        (dt.date(2026, 11, 20), None, dt.date(2026, 11, 19), ("signed_on is in the future",)),
        (dt.date(2026, 11, 20), dt.date(2026, 12, 1), dt.date(2026, 12, 1), ()),  # last day
        (
            dt.date(2026, 11, 20),
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 2),
            ("sign-off expired on 2026-12-01",),
        ),
        (dt.date(2026, 1, 1), dt.date(2099, 1, 1), dt.date(2026, 11, 25), ()),
    ],
)
def test_a_sign_off_holds_from_signed_on_through_expires(
    tmp_path: Path,
    on: dt.date,
    expires: dt.date | None,
    today: dt.date,
    details: tuple[str, ...],
) -> None:
    result = judge(tmp_path, signed(on, expires), today=today)
    assert result.status is (Status.UNMET if details else Status.MET)
    assert [d.split(" (")[0] for d in result.details] == [f"legal: {d}" for d in details]


def test_the_sign_off_details_give_the_dates(tmp_path: Path) -> None:
    toml = (
        signed(dt.date(2026, 12, 1))
        + '\n[[checklist]]\nid = "audit"\nevidence = ["audit.md"]\nsigned_by = "A. Maintainer"'
        + "\nsigned_on = 2026-04-01\nexpires = 2026-10-01"
    )
    assert judge(tmp_path, toml) == CriterionResult.unmet(
        "0/2 done",
        "all done",
        [
            "legal: signed_on is in the future (2026-12-01)",
            "audit: no file matches audit.md",
            "audit: sign-off expired on 2026-10-01",
        ],
    )


def test_today_is_the_local_date_as_for_waivers() -> None:
    assert ChecklistCriterion().today is local_today
    before = dt.date.today()
    got = local_today()
    assert got in (before, dt.date.today())


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(signed_on=dates, expires=st.none() | dates, today=dates)
def test_done_ness_of_a_sign_off_is_exactly_the_rule(
    signed_on: dt.date, expires: dt.date | None, today: dt.date
) -> None:
    item = ChecklistItem("legal", "Legal", "alpha", (), "Legal", signed_on, expires)
    config = GraduationConfig(
        values={"checklist": (item,)}, own_criteria={"alpha": {"checklist": True}}
    )
    run = make_run(settings=config, rootdir=Path("/nonexistent"))
    result = ChecklistCriterion(lambda: today).evaluate(run)
    done = signed_on <= today and (expires is None or today <= expires)
    assert (result.status is Status.MET) is done
    expected = []
    if signed_on > today:
        expected.append(f"legal: signed_on is in the future ({signed_on.isoformat()})")
    if expires is not None and expires < today:
        expected.append(f"legal: sign-off expired on {expires.isoformat()}")
    assert list(result.details) == expected


# --- levels: required at or below the target ------------------------------------

LADDER = """
    [[checklist]]
    id = "license"
    evidence = ["LICENSE"]

    [[checklist]]
    id = "audit"
    level = "beta"
    evidence = ["docs/audit.md"]

    [[checklist]]
    id = "ops"
    level = "rc"
    signed_by = "Ops"
    signed_on = 2027-01-01
"""


def test_items_above_the_target_are_not_required(tmp_path: Path) -> None:
    write(tmp_path, "LICENSE")
    assert judge(tmp_path, LADDER, "alpha") == CriterionResult.met(
        "1/1 done", "all done", ["2 items are required later"]
    )
    assert judge(tmp_path, LADDER, "beta") == CriterionResult.unmet(
        "1/2 done", "all done", ["audit: no file matches docs/audit.md"]
    )
    write(tmp_path, "docs/audit.md")
    assert judge(tmp_path, LADDER, "beta") == CriterionResult.met(
        "2/2 done", "all done", ["1 item is required later"]
    )
    assert judge(tmp_path, LADDER, "stable") == CriterionResult.unmet(
        "2/3 done", "all done", ["ops: signed_on is in the future (2027-01-01)"]
    )


def test_nothing_declared_is_never_met(tmp_path: Path) -> None:
    config = GraduationConfig(values={"checklist": ()}, own_criteria={"alpha": {"checklist": True}})
    run = make_run(settings=config)
    assert ChecklistCriterion(lambda: TODAY).evaluate(run) == CriterionResult.unmet(
        "0/0 done",
        "all done",
        ["checklist = true, but [[tool.graduation.checklist]] declares no item"],
    )
    assert judge(tmp_path, "checklist = []").status is Status.UNMET
