"""The checklist: what no test can prove (SPEC section 15).

``[[tool.graduation.checklist]]`` declares items — a security audit, a deployment
guide, a licence review — each done by evidence files in the repository, a dated
sign-off, or both; the ``checklist`` criterion requires every item due at the target
level to be done. It judges the rootdir on the judging process only, never reads an
evidence file's content, and needs no plugin object.
"""

from __future__ import annotations

from collections.abc import Iterable

from pytest_graduation.checklist.items import ChecklistItem, declared, parse_checklist
from pytest_graduation.checklist.judging import (
    ChecklistCriterion,
    checklist_rows,
    shard_disagreements,
)
from pytest_graduation.checklist.render import markdown_lines, terminal_lines
from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import flag

__all__ = [
    "FEATURE",
    "ChecklistCriterion",
    "ChecklistItem",
    "checklist_rows",
    "criteria_from",
    "declared",
    "markdown_lines",
    "parse_checklist",
    "shard_disagreements",
    "terminal_lines",
]


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.get("checklist"):
        yield ChecklistCriterion()


FEATURE = Feature(
    name="checklist",
    criteria=criteria_from,
    keys=(Key("checklist", flag, "checklist"),),
    global_keys=(GlobalKey("checklist", parse_checklist, ()),),
)
