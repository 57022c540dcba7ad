"""The checklist in the report (SPEC section 15): the JSON rows, the terminal section, the
Markdown task list, shard agreement for ``merge``, and the gate end to end."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_checklist import TODAY, run_of, write

from conftest import Project, check_schema, criterion
from pytest_graduation.checklist import (
    ChecklistCriterion,
    checklist_rows,
    markdown_lines,
    shard_disagreements,
    terminal_lines,
)
from pytest_graduation.checklist.judging import MAX_EVIDENCE
from pytest_graduation.merge import main

ROADMAP = """
    [[checklist]]
    id = "license"
    title = "License"
    evidence = ["LICENSE"]

    [[checklist]]
    id = "security-audit"
    title = "Security audit complete, critical issues resolved"
    level = "beta"
    evidence = ["docs/security/audit-*.md"]
    signed_by = "A. Maintainer"
    signed_on = 2026-11-20
    expires = 2027-05-20

    [[checklist]]
    id = "deploy"
    title = "Production deployment guide"
    level = "beta"
    evidence = ["docs/deploy.md"]

    [[checklist]]
    id = "ops"
    title = "Monitoring and logging"
    level = "rc"
    signed_by = "Ops"
    signed_on = 2026-01-01

    [[checklist]]
    id = "migration"
    title = "Alpha to beta migration guide"
    level = "stable"
    evidence = ["docs/migration.md"]
"""


@pytest.fixture
def roadmap(tmp_path: Path) -> Path:
    write(tmp_path, "LICENSE", "MIT\n")
    write(tmp_path, "docs/security/audit-2026-11.md")
    write(tmp_path, "docs/deploy.md", "")
    return tmp_path


def rows_at(root: Path, level: str) -> list[dict[str, object]]:
    return checklist_rows(run_of(root, ROADMAP, level), today=lambda: TODAY)


def test_rows_carry_status_evidence_signer_and_why(roadmap: Path) -> None:
    assert rows_at(roadmap, "beta") == [
        {
            "id": "license",
            "title": "License",
            "level": "alpha",
            "status": "done",
            "evidence": ["LICENSE"],
            "signed_by": None,
            "details": [],
        },
        {
            "id": "security-audit",
            "title": "Security audit complete, critical issues resolved",
            "level": "beta",
            "status": "done",
            "evidence": ["docs/security/audit-2026-11.md"],
            "signed_by": "A. Maintainer",
            "details": [],
        },
        {
            "id": "deploy",
            "title": "Production deployment guide",
            "level": "beta",
            "status": "open",
            "evidence": [],
            "signed_by": None,
            "details": ["docs/deploy.md matches only empty files (docs/deploy.md)"],
        },
        {
            "id": "ops",
            "title": "Monitoring and logging",
            "level": "rc",
            "status": "not-required",
            "evidence": [],
            "signed_by": "Ops",
            "details": [],
        },
        {
            "id": "migration",
            "title": "Alpha to beta migration guide",
            "level": "stable",
            "status": "not-required",
            "evidence": [],
            "signed_by": None,
            "details": ["no file matches docs/migration.md"],
        },
    ]


def test_an_open_item_above_the_target_never_fails_it_but_fails_its_own_level(
    roadmap: Path,
) -> None:
    statuses = {level: [r["status"] for r in rows_at(roadmap, level)] for level in ("alpha", "rc")}
    assert statuses == {
        "alpha": ["done", "not-required", "not-required", "not-required", "not-required"],
        "rc": ["done", "done", "open", "done", "not-required"],
    }


def test_the_report_shows_the_rows_the_verdict_rests_on(tmp_path: Path) -> None:
    toml = '[[checklist]]\nid = "legal"\nsigned_by = "Legal"\nsigned_on = 1999-01-01'
    toml += "\nexpires = 2000-01-01"
    run = run_of(tmp_path, toml)
    judged_on = dt.date(2000, 1, 1)
    assert ChecklistCriterion(lambda: judged_on).evaluate(run).status.value == "met"
    # the next day the sign-off has lapsed, but this run was judged on its last day
    assert checklist_rows(run)[0]["status"] == "done"
    assert checklist_rows(run, today=lambda: judged_on + dt.timedelta(days=1))[0]["details"] == [
        "sign-off expired on 2000-01-01"
    ]
    # a run no criterion judged is judged when the report asks (local date: long lapsed)
    assert checklist_rows(run_of(tmp_path, toml))[0]["status"] == "open"


def test_rows_kept_for_one_level_are_never_shown_for_another(roadmap: Path) -> None:
    run = run_of(roadmap, ROADMAP, "alpha")
    ChecklistCriterion(lambda: TODAY).evaluate(run)
    beta = dataclasses.replace(run, level="beta")  # shares the memo
    assert beta.memo is run.memo
    # judged afresh at beta (deploy is due there), not alpha's rows (date-free items only)
    assert [row["status"] for row in checklist_rows(beta)][::2] == ["done", "open", "not-required"]
    assert [row["status"] for row in checklist_rows(run)][:3] == [
        "done",
        "not-required",
        "not-required",
    ]


def test_terminal_section_one_row_per_item(roadmap: Path) -> None:
    title = "Security audit complete, critical issues resolved"  # the widest title
    migration = "Alpha to beta migration guide"
    assert terminal_lines(rows_at(roadmap, "beta")) == [
        "checklist:",
        f"      id              {'title':{len(title)}}  level           evidence"
        "                        signed by",
        f"  [x] license         {'License':{len(title)}}  alpha           LICENSE"
        "                         -",
        f"  [x] security-audit  {title}  beta            docs/security/audit-2026-11.md"
        "  A. Maintainer",
        f"  [ ] deploy          {'Production deployment guide':{len(title)}}  beta            none"
        "                            -",
        f"  [x] ops             {'Monitoring and logging':{len(title)}}  rc (later)      none"
        "                            Ops",
        f"  [ ] migration       {migration:{len(title)}}  stable (later)  none"
        "                            -",
    ]


def test_markdown_section_is_a_github_task_list(roadmap: Path) -> None:
    assert markdown_lines(rows_at(roadmap, "beta")) == [
        "### Checklist",
        "",
        "- [x] **license** License (alpha) — evidence: `LICENSE`; not signed",
        "- [x] **security-audit** Security audit complete, critical issues resolved (beta) — "
        "evidence: `docs/security/audit-2026-11.md`; signed by A. Maintainer",
        "- [ ] **deploy** Production deployment guide (beta) — evidence: none; not signed",
        "- [x] **ops** Monitoring and logging (rc, later) — evidence: none; signed by Ops",
        "- [ ] **migration** Alpha to beta migration guide (stable, later) — evidence: none; "
        "not signed",
    ]


def test_no_items_no_section() -> None:
    assert terminal_lines([]) == []
    assert markdown_lines([]) == []


def test_titles_and_file_names_cannot_break_a_row(tmp_path: Path) -> None:
    write(tmp_path, "docs/odd`name.md")
    toml = (
        '[[checklist]]\nid = "odd_one"\ntitle = "Use *all* the `tools`\\nand <b>more</b> | #1"'
        '\nevidence = ["docs/*.md"]\nsigned_by = "Q. A.\\tLead"\nsigned_on = 2026-01-01'
    )
    rows = checklist_rows(run_of(tmp_path, toml), today=lambda: TODAY)
    assert markdown_lines(rows)[2] == (
        "- [x] **odd\\_one** Use \\*all\\* the \\`tools\\` and \\<b\\>more\\</b\\> \\| \\#1 "
        "(alpha) — evidence: ``docs/odd`name.md``; signed by Q. A. Lead"
    )
    [line] = terminal_lines(rows)[2:]
    assert line == (
        "  [x] odd_one  Use *all* the `tools` and <b>more</b> | #1  alpha  docs/odd`name.md"
        "  Q. A. Lead"
    )


def test_a_long_evidence_list_is_capped_and_counted(tmp_path: Path) -> None:
    for index in range(MAX_EVIDENCE + 5):
        write(tmp_path, f"docs/note-{index:02}.md")
    toml = '[[checklist]]\nid = "notes"\nevidence = ["docs/*.md"]'
    [row] = checklist_rows(run_of(tmp_path, toml), today=lambda: TODAY)
    assert row["evidence"] == [
        *(f"docs/note-{index:02}.md" for index in range(MAX_EVIDENCE)),
        "... and 5 more",
    ]
    assert "docs/note-00.md (+24 more)" in terminal_lines([row])[2]
    assert markdown_lines([row])[2].endswith("`docs/note-19.md` and 5 more; not signed")


def test_shards_that_saw_other_evidence_disagree(roadmap: Path) -> None:
    expected = rows_at(roadmap, "beta")
    assert shard_disagreements(expected, {"a.json": expected, "b.json": expected}) == []
    other = [dict(row) for row in expected]
    other[0]["evidence"] = []
    fewer = expected[:-1]
    assert shard_disagreements(expected, {"a.json": other, "b.json": fewer}) == [
        "a.json: license: evidence [] differs from ['LICENSE']",
        "b.json: checklist items ['deploy', 'license', 'ops', 'security-audit'] differ from "
        "['deploy', 'license', 'migration', 'ops', 'security-audit']",
    ]


# --- end to end, through pytest ------------------------------------------------------


CONFIG = """
    [[tool.graduation.checklist]]
    id = "security-audit"
    title = "Security audit complete"
    level = "beta"
    evidence = ["docs/security/audit-*.md"]
    signed_by = "A. Maintainer"
    signed_on = 2020-01-01
    expires = 2999-12-31

    [tool.graduation.criteria.beta]
    checklist = true
    {extra}
"""


def gated(project: Project, extra: str = "", *args: str) -> tuple[int, dict[str, Any]]:
    project.config(CONFIG.format(extra=extra))
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result, report = project.gate("beta", *args)
    return result.ret, report


def test_the_gate_waits_for_the_evidence(project: Project) -> None:
    ret, report = gated(project)
    assert ret == 1
    assert criterion(report, "checklist")["details"] == [
        "security-audit: no file matches docs/security/audit-*.md"
    ]
    project.write("docs/security/audit-2026-11.md", "No critical findings.\n")
    ret, report = gated(project)
    assert (ret, criterion(report, "checklist")["status"]) == (0, "met")


def test_a_waiver_covers_the_checklist_like_any_criterion(project: Project) -> None:
    waiver = (
        '\n[[tool.graduation.waivers]]\ncriterion = "checklist"\n'
        'reason = "audit booked for next week"\nexpires = 2999-12-31\n'
    )
    ret, report = gated(project, waiver)
    found = criterion(report, "checklist")
    assert (ret, found["status"]) == (0, "waived")
    assert found["details"] == [
        "waived until 2999-12-31: audit booked for next week",
        "security-audit: no file matches docs/security/audit-*.md",
    ]
    # the waiver covers the verdict; the item itself is still open
    assert [row["status"] for row in report["checklist"]] == ["open"]


def test_a_bad_item_is_a_usage_error(project: Project) -> None:
    project.config(CONFIG.format(extra="").replace("signed_on = 2020-01-01\n", ""))
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=beta")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["*tool.graduation.checklist[[]0[]].signed_on: expected this key to be set*"]
    )


AUDIT_ROW = {
    "id": "security-audit",
    "title": "Security audit complete",
    "level": "beta",
    "status": "done",
    "evidence": ["docs/security/audit-2026-11.md"],
    "signed_by": "A. Maintainer",
    "details": [],
}


def test_the_json_report_the_terminal_and_the_summary_carry_the_checklist(
    project: Project, dist: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    project.write("docs/security/audit-2026-11.md", "No critical findings.\n")
    project.config(CONFIG.format(extra=""))
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result, report = project.gate("beta", *dist)  # the report is checked against the schema
    assert (result.ret, report["checklist"]) == (0, [AUDIT_ROW])
    lines = result.stdout.lines
    start = lines.index("checklist:")
    assert lines[start + 1 : start + 3] == [
        "      id              title                    level  evidence"
        "                        signed by",
        "  [x] security-audit  Security audit complete  beta   docs/security/audit-2026-11.md"
        "  A. Maintainer",
    ]
    # once, by the judging process: workers never write the summary
    text = summary.read_text(encoding="utf-8")
    assert text.count("### Checklist") == 1
    assert (
        "- [x] **security-audit** Security audit complete (beta) — evidence: "
        "`docs/security/audit-2026-11.md`; signed by A. Maintainer\n"
    ) in text


def test_an_open_item_is_unticked_in_every_rendering(project: Project) -> None:
    project.config(CONFIG.format(extra=""))
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    project.write("docs/security/audit-2026-11.md", "")  # an empty placeholder
    report_md = project.path / "report.md"
    result = project.run("--graduation=beta", f"--graduation-report={report_md}")
    assert result.ret == 1
    assert "  [ ] security-audit  Security audit complete  beta   none      A. Maintainer" in (
        result.stdout.lines
    )
    assert (
        "- [ ] **security-audit** Security audit complete (beta) — evidence: none; "
        "signed by A. Maintainer"
    ) in report_md.read_text(encoding="utf-8").splitlines()
    assert "[x]" not in result.stdout.str() + report_md.read_text(encoding="utf-8")


def test_items_are_reported_even_where_the_criterion_is_not_set(project: Project) -> None:
    project.config(CONFIG.format(extra="").replace("checklist = true", "max_skipped = 0"))
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result, report = project.gate("beta")
    assert result.ret == 0
    assert "checklist" not in [c["name"] for c in report["criteria"]]
    [row] = report["checklist"]
    assert (row["status"], row["details"]) == ("open", ["no file matches docs/security/audit-*.md"])


def test_no_item_declared_means_an_empty_checklist_and_no_section(project: Project) -> None:
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha")
    assert (result.ret, report["checklist"]) == (0, [])
    assert "checklist:" not in result.stdout.lines


def test_no_checklist_declared_is_unmet_through_the_gate(project: Project) -> None:
    project.config("[tool.graduation.criteria.alpha]\nchecklist = true\n")
    project.write("tests/test_ok.py", "def test_ok():\n    pass\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "checklist")["status"] == "unmet"


# --- merge: judged on the merging checkout, shards must have seen the same tree ----------

TWO_TESTS = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"
AUDIT = "docs/security/audit-2026-11.md"


def make_shard(project: Project, folder: str, deselect: str, extra: str = "") -> Path:
    """One real shard report, ``<folder>/report.json``: every shard's file has the same
    name, as when CI downloads each shard's artifact into its own folder."""
    project.config(CONFIG.format(extra=extra))
    project.write("tests/test_ok.py", TWO_TESTS)
    target = project.path / folder / "report.json"
    target.parent.mkdir(exist_ok=True)
    result = project.run(
        "--graduation=beta",
        f"--graduation-report={target}",
        f"--deselect=tests/test_ok.py::{deselect}",
    )
    assert result.ret in (0, 1)
    return target


def merged(project: Project, *paths: Path) -> tuple[int, str, str, dict[str, Any]]:
    """``python -m pytest_graduation merge`` (its ``main``, in this process) from the
    project folder: the merging checkout is the project."""
    assert Path.cwd() == project.path
    out, err = io.StringIO(), io.StringIO()
    target = project.path / "merged.json"
    with contextlib.redirect_stderr(err):
        code = main(
            ["merge", "--level", "beta", *map(str, paths), "--graduation-report", str(target)],
            out,
        )
    report = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    if report:
        check_schema(report)
    return code, out.getvalue(), err.getvalue(), report


def test_merge_of_two_shards_judges_the_checklist(project: Project) -> None:
    project.write(AUDIT, "No critical findings.\n")
    shards = make_shard(project, "a", "test_one"), make_shard(project, "b", "test_two")
    code, out, err, report = merged(project, *shards)
    assert (code, err) == (0, "")
    assert report["checklist"] == [AUDIT_ROW]
    assert criterion(report, "checklist")["status"] == "met"
    assert "  [x] security-audit  Security audit complete  beta   " + AUDIT in out


def test_merge_never_takes_done_from_the_shards(project: Project) -> None:
    project.write(AUDIT, "No critical findings.\n")
    shards = make_shard(project, "a", "test_one"), make_shard(project, "b", "test_two")
    (project.path / AUDIT).unlink()  # the merging checkout has no audit
    code, _, err, report = merged(project, *shards)
    assert (code, report) == (4, {})
    assert "disagree with this checkout on the checklist" in err
    assert f"a{os.sep}report.json: security-audit: evidence ['{AUDIT}'] differs from []" in err


def test_a_shard_that_ran_on_another_tree_is_refused(project: Project) -> None:
    before = make_shard(project, "a", "test_one")  # run before the audit was added
    project.write(AUDIT, "No critical findings.\n")
    after = make_shard(project, "b", "test_two")
    code, out, err, report = merged(project, before, after)
    assert (code, out, report) == (4, "", {})
    assert err == (
        "error: shard reports disagree with this checkout on the checklist (did a shard run "
        f"on another tree?): {before}: security-audit: evidence [] differs from ['{AUDIT}']\n"
    )


def test_a_waiver_on_checklist_never_covers_another_tree(project: Project) -> None:
    waiver = '[[tool.graduation.waivers]]\ncriterion = "checklist"\nreason = "r"\n'
    waiver += "expires = 2999-12-31\n"
    before = make_shard(project, "a", "test_one", waiver)
    project.write(AUDIT, "No critical findings.\n")
    after = make_shard(project, "b", "test_two", waiver)
    code, _, err, _ = merged(project, before, after)
    assert code == 4
    assert f"{before}: security-audit: evidence [] differs from" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data.pop("checklist"), "checklist items [] differ from ['security-audit']"),
        (
            lambda data: data["checklist"][0].update(id="other"),
            "checklist items ['other'] differ from ['security-audit']",
        ),
    ],
)
def test_a_shard_stripped_of_its_checklist_is_refused(
    project: Project, change: Any, message: str
) -> None:
    project.write(AUDIT, "No critical findings.\n")
    shards = make_shard(project, "a", "test_one"), make_shard(project, "b", "test_two")
    data = json.loads(shards[1].read_text(encoding="utf-8"))
    change(data)
    shards[1].write_text(json.dumps(data), encoding="utf-8")
    code, _, err, _ = merged(project, *shards)
    assert code == 4
    assert f"{shards[1]}: {message}" in err


ROW_REFUSED = "checklist[0] is not a checklist row"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"security-audit": AUDIT_ROW}, "'checklist' is not a list"),
        (["done"], ROW_REFUSED),
        ([{**AUDIT_ROW, "status": "ready"}], ROW_REFUSED),
        ([{**AUDIT_ROW, "evidence": AUDIT}], ROW_REFUSED),
        ([{**AUDIT_ROW, "evidence": [1]}], ROW_REFUSED),
        ([{**AUDIT_ROW, "details": None}], ROW_REFUSED),
        ([{**AUDIT_ROW, "id": 7}], ROW_REFUSED),
        ([{**AUDIT_ROW, "signed_by": 7}], ROW_REFUSED),
        ([{key: value for key, value in AUDIT_ROW.items() if key != "signed_by"}], ROW_REFUSED),
    ],
)
def test_a_malformed_checklist_in_a_shard_is_refused(
    project: Project, rows: Any, message: str
) -> None:
    project.write(AUDIT, "No critical findings.\n")
    shard = make_shard(project, "a", "test_one")
    data = json.loads(shard.read_text(encoding="utf-8"))
    data["checklist"] = rows
    shard.write_text(json.dumps(data), encoding="utf-8")
    code, _, err, _ = merged(project, shard)
    assert (code, err) == (4, f"error: {shard}: not a pytest-graduation report: {message}\n")
