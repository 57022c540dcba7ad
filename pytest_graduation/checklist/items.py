"""The ``[[tool.graduation.checklist]]`` items and their strict validation (SPEC section 15).

A typo must never switch a gate off: an unknown key, a duplicate id, a date-time where
a date belongs, a sign-off without its date and an evidence glob that leaves the rootdir
are all usage errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, final

from pytest_graduation.settings import GraduationConfig
from pytest_graduation.validation import Checker

ITEM_ID: Final = re.compile(r"[A-Za-z0-9_.-]+\Z")
ITEM_KEYS: Final = frozenset(
    {"id", "title", "level", "evidence", "signed_by", "signed_on", "expires"}
)
#: a drive (``C:``) or a UNC start: absolute on Windows, so never inside the rootdir
WINDOWS_ABSOLUTE: Final = re.compile(r"[A-Za-z]:|\\\\")


@final
@dataclass(frozen=True)
class ChecklistItem:
    """One thing no test can prove, with what shows it is done: evidence files in the
    repository, a sign-off (who, when, until when), or both."""

    id: str
    title: str
    level: str
    evidence: tuple[str, ...] = ()
    signed_by: str | None = None
    signed_on: dt.date | None = None
    expires: dt.date | None = None


def declared(settings: GraduationConfig) -> tuple[ChecklistItem, ...]:
    """The items the configuration declares, in file order."""
    items: tuple[ChecklistItem, ...] = settings.value("checklist")
    return items


def parse_checklist(check: Checker, key: str, value: object) -> tuple[ChecklistItem, ...]:
    """``[[tool.graduation.checklist]]``: an array of item tables."""
    if not isinstance(value, list):
        raise check.fail(key, "an array of tables ([[tool.graduation.checklist]])", value)
    items = tuple(_item(check, f"{key}[{index}]", raw) for index, raw in enumerate(value))
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise check.fail(f"{key}[{index}].id", "an id no other item has", item.id)
        seen.add(item.id)
    return items


def _item(check: Checker, key: str, raw: object) -> ChecklistItem:
    body = check.table(key, raw)
    check.known_keys(key, body, set(ITEM_KEYS))
    if "id" not in body:
        raise check.fail(f"{key}.id", "this key to be set")
    item_id = check.string(f"{key}.id", body["id"])
    if not ITEM_ID.match(item_id):
        raise check.fail(f"{key}.id", "an id of letters, digits, _ - .", item_id)
    evidence = _evidence(check, f"{key}.evidence", body)
    signed_by, signed_on, expires = _sign_off(check, key, body)
    if not evidence and signed_by is None:
        raise check.fail(key, "`evidence`, `signed_by` or both (what shows the item is done)")
    return ChecklistItem(
        id=item_id,
        title=check.string(f"{key}.title", body.get("title", item_id)),
        level=check.level(f"{key}.level", body.get("level", check.levels[0])),
        evidence=evidence,
        signed_by=signed_by,
        signed_on=signed_on,
        expires=expires,
    )


def _evidence(check: Checker, key: str, body: Mapping[str, Any]) -> tuple[str, ...]:
    if "evidence" not in body:
        return ()
    globs = check.strings(key, body["evidence"])
    if not globs:
        # an empty list proves nothing; say so rather than let the item rest on a sign-off
        raise check.fail(key, "at least one file glob", body["evidence"])
    for index, glob in enumerate(globs):
        if not inside_rootdir(glob):
            raise check.fail(
                f"{key}[{index}]",
                "a file glob relative to the rootdir, folders separated by / "
                "(not absolute, no `..`, `.` or empty parts, no backslash)",
                glob,
            )
    return globs


def inside_rootdir(glob: str) -> bool:
    """Whether the file glob ``glob`` can only name paths inside the rootdir, spelled the
    way the file glob matcher sees them (rootdir-relative POSIX paths)."""
    if "\\" in glob or glob.startswith("/") or WINDOWS_ABSOLUTE.match(glob):
        return False
    return all(part not in ("", ".", "..") for part in glob.split("/"))


def _sign_off(
    check: Checker, key: str, body: Mapping[str, Any]
) -> tuple[str | None, dt.date | None, dt.date | None]:
    signed_by = check.string(f"{key}.signed_by", body["signed_by"]) if "signed_by" in body else None
    signed_on = _date(check, f"{key}.signed_on", body["signed_on"]) if "signed_on" in body else None
    expires = _date(check, f"{key}.expires", body["expires"]) if "expires" in body else None
    if signed_by is not None and signed_on is None:
        raise check.fail(f"{key}.signed_on", "this key to be set: `signed_by` needs `signed_on`")
    if signed_by is None and signed_on is not None:
        raise check.fail(f"{key}.signed_by", "this key to be set: `signed_on` needs `signed_by`")
    if signed_by is None and expires is not None:
        raise check.fail(f"{key}.signed_by", "this key to be set: `expires` needs `signed_by`")
    if signed_on is not None and expires is not None and expires < signed_on:
        raise check.fail(
            f"{key}.expires", f"a date not before signed_on ({signed_on.isoformat()})", expires
        )
    return signed_by, signed_on, expires


def _date(check: Checker, key: str, value: object) -> dt.date:
    # a date-time carries a time zone question the rule does not answer: dates only
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise check.fail(key, "a TOML date such as 2026-11-20 (not a date-time)", value)
    return value
