"""Properties of serialization, comparison, diffs and names (no pytest runs inside)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_graduation import comparison
from pytest_graduation.comparison import MAX_ALIGNED, data_equal, differences, numbers_equal
from pytest_graduation.diffing import TRUNCATED, text_diff
from pytest_graduation.goldens.paths import (
    file_name,
    inside,
    safe_stem,
    validate_name,
)
from pytest_graduation.serialization import (
    Serialized,
    diff,
    equal,
    load_json,
    read_golden,
    serialize,
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
json_data = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
tolerance = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(json_data.filter(lambda d: not isinstance(d, str)))
def test_json_round_trips_through_its_file_content(data: Any) -> None:
    serialized = serialize(data)
    assert serialized.kind == "json"
    assert isinstance(serialized.content, str)
    assert serialized.content.endswith("\n")
    golden = read_golden(serialized.encoded(), serialized)
    assert equal(golden, serialized)
    assert diff(golden, serialized) == ""
    # canonical: writing what was read gives the same bytes
    assert serialize(golden.data).content == serialized.content


@given(json_data.filter(lambda d: isinstance(d, dict)))
def test_key_order_and_formatting_do_not_matter(data: dict[str, Any]) -> None:
    shuffled = json.dumps(dict(reversed(list(data.items()))), separators=(",", ":"))
    assert equal(shuffled, serialize(data))


@given(finite, finite, tolerance, tolerance)
def test_tolerance_is_symmetric(a: float, b: float, rtol: float, atol: float) -> None:
    assert numbers_equal(a, b, rtol, atol) == numbers_equal(b, a, rtol, atol)
    left, right = serialize({"v": [a]}), serialize({"v": [b]})
    assert equal(left, right, rtol, atol) == equal(right, left, rtol, atol)


@given(finite, st.floats(min_value=1e-12, max_value=1e-3))
def test_values_within_rtol_are_equal(a: float, rtol: float) -> None:
    b = a * (1 + rtol / 2)
    if math.isfinite(b):
        assert equal(serialize({"x": a}), serialize({"x": b}), rtol=rtol)


def _equal_by_position(e: Any, a: Any, rtol: float) -> bool:
    """Equality as data without aligning lists: what the alignment must never change."""
    if isinstance(e, list) and isinstance(a, list):
        pairs = zip(e, a, strict=False)
        return len(e) == len(a) and all(_equal_by_position(x, y, rtol) for x, y in pairs)
    if isinstance(e, dict) and isinstance(a, dict):
        return e.keys() == a.keys() and all(_equal_by_position(e[k], a[k], rtol) for k in e)
    return data_equal(e, a, rtol) if not isinstance(e, (list, dict)) else False


small_lists = st.lists(st.integers(0, 3) | st.floats(0, 2) | st.lists(st.integers(0, 2)))


@given(small_lists, small_lists, st.sampled_from([0.0, 0.1]))
def test_aligning_lists_never_changes_whether_they_are_equal(
    e: list[Any], a: list[Any], rtol: float
) -> None:
    # a difference hidden by a clever alignment would pass a golden that differs
    found = list(differences(e, a, rtol))
    assert (not found) == _equal_by_position(e, a, rtol)


def test_one_inserted_or_removed_item_is_one_difference_not_every_shifted_index() -> None:
    golden = [{"id": i, "name": f"n{i}"} for i in range(50)]
    inserted = [*golden[:3], {"id": 99, "name": "new"}, *golden[3:]]
    assert list(differences(golden, inserted)) == [
        "$[3]: inserted (got object with 2 key(s))",
        "$: expected 50 items, got 51",
    ]
    assert list(differences(golden, golden[:10] + golden[11:])) == [
        "$[10]: removed (expected object with 2 key(s))",
        "$: expected 50 items, got 49",
    ]
    changed = [*inserted[:20], {"id": 19, "name": "renamed"}, *inserted[21:]]
    assert list(differences({"rows": golden}, {"rows": changed})) == [
        "$.rows[3]: inserted (got object with 2 key(s))",
        "$.rows[19].name: expected 'n19', got 'renamed'",  # the golden's index
        "$.rows: expected 50 items, got 51",
    ]


def test_aligning_stays_bounded_and_complete_on_huge_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    # the limit, not the size, decides the path taken: a small limit keeps the lists
    # small (at the real limit this test built lists of 5,000,000 items, 50 s under
    # coverage); test_the_alignment_limit_is_the_documented_one holds the real value
    monkeypatch.setattr(comparison, "MAX_ALIGNED", 1_000)
    size = 50 * comparison.MAX_ALIGNED
    golden = list(range(size))
    received = [-1, *golden[1 : size // 2], -2, *golden[size // 2 + 1 : -1], -3]
    # differences at both ends: the middle is too long to align, so by position
    with monkeypatch.context() as inner:
        inner.setattr(comparison, "SequenceMatcher", None)  # calling it would raise
        assert list(differences(golden, received)) == [
            "$[0]: expected 0, got -1",
            f"$[{size // 2}]: expected {size // 2}, got -2",
            f"$[{size - 1}]: expected {size - 1}, got -3",
        ]
    shifted = [-1, *golden]  # one insertion in front: the common tail is skipped first
    assert list(differences(golden, shifted)) == [
        "$[0]: inserted (got -1)",
        f"$: expected {size} items, got {size + 1}",
    ]


def test_the_alignment_limit_is_the_documented_one() -> None:
    assert (MAX_ALIGNED, comparison.MAX_ALIGN_WORK) == (100_000, 1_000_000)


def test_bools_numbers_and_nan() -> None:
    assert not equal(serialize([True]), serialize([1]))
    assert not equal(serialize([1]), serialize([1.5]), rtol=0.1)
    assert equal(serialize([1]), serialize([1.05]), rtol=0.1)
    assert equal(serialize([math.nan]), serialize([math.nan]))
    assert equal(serialize([math.inf]), serialize([math.inf]), rtol=1)
    assert not equal(serialize([math.inf]), serialize([-math.inf]), rtol=1)


names = st.text(max_size=120) | st.sampled_from(["..", "../x", "a/../../b", "/etc/passwd", "."])


@given(names)
def test_names_either_fail_or_stay_in_the_folder(name: str) -> None:
    folder = "/project/tests/golden/test_mod"
    try:
        accepted = validate_name(name)
    except ValueError:
        return
    target = os.path.normpath(
        os.path.join(folder, file_name(safe_stem("test_x"), accepted, ".txt"))
    )
    assert os.path.dirname(target) == folder
    assert "/" not in accepted and "\\" not in accepted and ".." not in accepted


@given(st.text(min_size=1, max_size=200))
def test_safe_stems_are_portable_file_names(test_name: str) -> None:
    stem = safe_stem(test_name)
    assert 0 < len(stem) <= 120
    assert all(c.isascii() and (c.isalnum() or c in "_.-[]") for c in stem)
    assert not stem.startswith(".") and not stem.endswith(".")


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_distinct_tests_get_distinct_stems(a: str, b: str) -> None:
    if a != b:
        assert safe_stem(a) != safe_stem(b)


def test_inside_follows_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "golden"
    (root / "mod").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "out").symlink_to(tmp_path / "elsewhere")
    assert inside(root, root / "mod" / "a.txt")
    assert not inside(root, root / "out" / "a.txt")
    assert not inside(root, root / ".." / "a.txt")


@dataclasses.dataclass
class Inner:
    values: tuple[float, ...]


@dataclasses.dataclass
class Outer:
    name: str
    inner: Inner
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


def test_dataclasses_become_objects() -> None:
    value = Outer("n", Inner((1.0, 2.0)))
    assert load_json(str(serialize(value).content)) == {
        "extra": {},
        "inner": {"values": [1.0, 2.0]},
        "name": "n",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1: "a"}, "(dict key 1 (int) is not a str)"),
        ([object()], "object is not JSON data at $[0]"),
        (Outer("n", Inner((1.0,)), {"s": {1}}), "set is not JSON data at $.extra['s']"),
        (frozenset(), "cannot serialize a value of type frozenset; supported"),
    ],
)
def test_unsupported_values_name_the_type_and_where(value: object, message: str) -> None:
    with pytest.raises(TypeError, match="cannot serialize") as info:
        serialize(value)
    assert message in str(info.value)


def test_cycles_are_reported() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeError, match="circular reference or nesting too deep"):
        serialize(loop)


def test_corrupt_json_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        read_golden(b'{"a": 1, "a": 2}', serialize({"a": 1}))


@settings(max_examples=50)
@given(st.lists(st.text(alphabet="ab\n", max_size=6), max_size=30), st.data())
def test_text_diff_marks_exactly_the_changes(lines: list[str], data: Any) -> None:
    before = "".join(lines)
    after = data.draw(st.text(alphabet="abc\n", max_size=60))
    out = text_diff(before, after)
    assert (out == "") == (before == after)


def test_huge_text_diff_is_bounded_and_points_at_the_difference() -> None:
    line = "the quick brown fox jumps over the lazy dog\n"
    golden = line * 200_000  # ~9 MB
    received = golden[: len(golden) // 2] + "X" + golden[len(golden) // 2 + 1 :]
    out = diff(Serialized(".txt", golden, "text"), Serialized(".txt", received, "text"))
    assert out.count("\n") < 30
    assert "first difference at line 100001, column 1" in out
    assert "@@ -99998,7 +99998,7 @@" in out
    assert "+Xhe quick brown fox jumps over the lazy dog" in out
    everything = "\n".join(f"{i}" for i in range(100_000))
    other = "\n".join(f"{i}!" for i in range(100_000))
    short = diff(everything, other)
    assert short.count("\n") < 130
    assert TRUNCATED in short


def test_one_huge_line_is_cropped_around_the_difference() -> None:
    golden = "a" * 2_000_000
    received = golden[:1_500_000] + "b" + golden[1_500_001:]
    out = text_diff(golden, received)
    assert "column 1500001" in out
    assert max(len(line) for line in out.splitlines()) < 500
    assert "b" in out.splitlines()[-1]


def test_json_differences_name_every_changed_path() -> None:
    golden = {"a": {"b": [1, 2, 3], "gone": None}, "n": 5, "s": "x", "t": True}
    received = {"a": {"b": [1, 2.5], "new": {"k": 1}}, "n": 6, "s": ["x"], "t": 1}
    out = diff(serialize(golden), serialize(received))
    listing = out.split("first difference", 1)[0]
    for line in (
        "$.a.b[1]: expected 2, got 2.5",
        "$.a.b: expected 3 items, got 2",
        "$.a.gone: missing (expected null)",
        "$.a.new: unexpected key (got object with 1 key(s))",
        "$.n: expected 5, got 6",
        "$.s: expected 'x', got array of 1 item(s)",
        "$.t: expected true, got 1",
    ):
        assert line in listing
    assert diff(serialize({"x y": 1}), serialize({"x y": 2})).startswith(
        "differing values:\n  $['x y']: expected 1, got 2"
    )


def test_integers_compare_exactly_unless_a_tolerance_is_given() -> None:
    assert not equal(serialize([10**18]), serialize([10**18 + 1]))
    assert equal(serialize([10**18]), serialize([10**18 + 1]), rtol=1e-9)
    assert equal(serialize([1]), serialize([1.0]))
    assert not equal(serialize([math.nan]), serialize([1.0]), atol=10)
