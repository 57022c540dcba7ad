"""docs/reliability.md and docs/security.md cannot rot: every row names a test, every
named test exists, and every test written for them is named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("docs/reliability.md", "docs/security.md")
REFERENCE = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")
#: test files that exist for these two pages: each of their tests is a row
OWN_FILES = (
    "tests/test_reliability.py",
    "tests/test_reliability_fuzz.py",
    "tests/test_reliability_kill.py",
    "tests/test_security.py",
    "tests/test_trust.py",
)


def _rows(doc: str) -> list[str]:
    """The body rows of every Markdown table whose last column is "test"."""
    rows = []
    tested = False
    for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            tested = False  # the table ended
        elif not tested and line.replace(" ", "").endswith("|test|"):
            tested = True  # a header row
        elif tested and not line.startswith("| ---"):
            rows.append(line)
    return rows


def _tests_in(relpath: str) -> set[str]:
    tree = ast.parse((ROOT / relpath).read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


@pytest.mark.parametrize("doc", DOCS)
def test_every_row_names_a_test(doc: str) -> None:
    rows = _rows(doc)
    assert len(rows) > 10
    assert [row for row in rows if not REFERENCE.search(row.rsplit("|", 2)[-2])] == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_test_exists(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [
        f"{path}::{name}"
        for path, name in REFERENCE.findall(text)
        if not (ROOT / path).is_file() or name not in _tests_in(path)
    ]
    assert missing == []


def test_every_test_of_these_pages_is_in_a_row() -> None:
    named = {
        f"{path}::{name}"
        for doc in DOCS
        for path, name in REFERENCE.findall((ROOT / doc).read_text(encoding="utf-8"))
    }
    written = {f"{path}::{name}" for path in OWN_FILES for name in _tests_in(path)}
    assert sorted(written - named) == []


def test_the_checks_notice_a_rotten_row(tmp_path: Path) -> None:
    assert REFERENCE.findall("| x | `tests/test_config.py::test_gone` |") == [
        ("tests/test_config.py", "test_gone")
    ]
    assert "test_gone" not in _tests_in("tests/test_config.py")
