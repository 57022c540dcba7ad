"""Golden-file helpers as a library: the ``Serialized`` value, custom serializers from
the hook, subclasses of JSON types, mixed raw/serialized comparisons, bounded diffs
and long test names (no pytest runs inside except for the hook)."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_graduation.comparison import MAX_PATHS
from pytest_graduation.diffing import (
    MAX_DIFF_LINES,
    TRUNCATED,
    bytes_diff,
    common_suffix,
    first_difference,
    text_diff,
)
from pytest_graduation.goldens.paths import MAX_STEM, relative, safe_stem
from pytest_graduation.serialization import (
    CorruptGolden,
    Serialized,
    diff,
    equal,
    load_json,
    serialize,
    serializers_for,
)
from pytest_graduation.serializers import Serializer

# --- Serialized ------------------------------------------------------------------------


def test_serialized_values_are_immutable_and_compared_by_content() -> None:
    text = Serialized(".txt", "abc", "text")
    assert text == Serialized(".txt", "abc", "text")
    assert text != Serialized(".txt", "abd", "text")
    assert text != Serialized(".md", "abc", "text")
    assert text != "abc"  # no equality with raw content
    assert len({text, Serialized(".txt", "abc", "text"), Serialized(".bin", b"abc", "bytes")}) == 2
    # JSON computed from data equals the same JSON given as text
    assert serialize({"k": [1]}) == Serialized(".json", '{\n  "k": [\n    1\n  ]\n}\n', "json")
    with pytest.raises(AttributeError, match="immutable"):
        text.suffix = ".md"
    with pytest.raises(ValueError, match="only JSON content can be computed from data"):
        Serialized(".txt", None, "text")


def test_serialized_repr_is_bounded() -> None:
    assert repr(Serialized(".txt", "hi", "text")) == (
        "Serialized(suffix='.txt', kind='text', content='hi')"
    )
    long = repr(Serialized(".txt", "x" * 500, "text"))
    assert long == f"Serialized(suffix='.txt', kind='text', content='{'x' * 76}...)"


# --- JSON types and their subclasses ----------------------------------------------------


class Name(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


def test_subclasses_of_json_types_are_stored_as_their_base_type() -> None:
    value = OrderedDict([(Name("b"), [Count(2), Ratio(0.5), Name("x")]), ("a", (True, None))])
    serialized = serialize(value)
    assert serialized.kind == "json"
    data = json.loads(str(serialized.content))
    assert data == {"a": [True, None], "b": [2, 0.5, "x"]}
    assert [type(v) for v in data["b"]] == [int, float, str]
    assert type(serialized.data["b"][1]) is float
    assert next(iter(serialized.data)) == "b" and type(next(iter(serialized.data))) is str


def test_deeply_nested_golden_json_is_corrupt_not_a_crash() -> None:
    with pytest.raises(CorruptGolden, match="invalid JSON: nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)


# --- custom serializers from the hook ---------------------------------------------------


class Fraction(Serializer):
    suffix = ".frac"

    def accepts(self, value: object) -> bool:
        return isinstance(value, complex)

    def serialize(self, value: object) -> str:
        return f"{value}\n"


class Never(Serializer):
    suffix = ".never"

    def accepts(self, value: object) -> bool:
        return False

    def serialize(self, value: object) -> str:
        raise AssertionError("never asked")


class WrongContent(Serializer):
    suffix = ".bad"

    def accepts(self, value: object) -> bool:
        return True

    def serialize(self, value: object) -> str:
        return 42  # type: ignore[return-value]


def test_the_first_accepting_serializer_wins_and_must_return_text_or_bytes() -> None:
    assert serialize(1j, [Never(), Fraction(), WrongContent()]) == Serialized(
        ".frac", "1j\n", "custom"
    )
    with pytest.raises(TypeError, match=r"returned int for a complex; serialize\(\) must return"):
        serialize(1j, [Never(), WrongContent()])


class _Plugin:
    def __init__(self, *serializers: object) -> None:
        self.serializers = serializers

    def pytest_graduation_serializers(self, config: pytest.Config) -> list[object]:
        return list(self.serializers)


class NoSerialize:
    suffix = ".x"

    def accepts(self, value: object) -> bool:
        return True


class PythonSuffix(Fraction):
    suffix = ".PY"


@pytest.mark.parametrize(
    ("serializer", "message"),
    [
        (PythonSuffix(), "suffix '.PY' is not allowed (pytest could collect such golden files)"),
        (NoSerialize(), "it has no `serialize` method"),
    ],
)
def test_the_hook_s_serializers_are_validated(
    pytester: pytest.Pytester, serializer: object, message: str
) -> None:
    config = pytester.parseconfigure("-p", "no:randomly")
    config.pluginmanager.register(_Plugin(Fraction(), serializer))
    with pytest.raises(TypeError, match="pytest_graduation_serializers returned") as info:
        serializers_for(config)
    assert message in str(info.value)


def test_the_hook_is_asked_once_per_config(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure("-p", "no:randomly")
    plugin = _Plugin(Fraction())
    config.pluginmanager.register(plugin)
    first = serializers_for(config)
    plugin.serializers = ()
    assert serializers_for(config) == first
    assert [type(s) for s in first] == [Fraction]


# --- comparing and diffing raw content against a serialized golden ----------------------


def test_raw_text_is_read_as_the_kind_of_the_serialized_side() -> None:
    golden = serialize({"a": 1.0, "b": [1, 2]})
    assert equal(golden, '{"b": [1, 2], "a": 1}')  # the raw side is JSON data too
    assert not equal(golden, '{"b": [1, 2], "a": 2}')
    assert diff(golden, '{"a": 1, "b": [1, 2]}') == ""
    assert diff(golden, '{"a": 1, "b": [1, 3]}').startswith(
        "differing values:\n  $.b[1]: expected 2, got 3"
    )
    text = serialize("one\ntwo\n")
    assert not equal(text, "one\nthree\n")
    assert "-two" in diff(text, "one\nthree\n") and "+three" in diff(text, "one\nthree\n")
    # text against bytes: compared and shown as bytes
    assert "binary content differs: golden has 3 bytes, received 2 bytes" in diff("abc", b"ab")


def test_a_json_diff_lists_a_bounded_number_of_paths() -> None:
    count = MAX_PATHS + 5
    # every item changed (no alignment can pair them up)
    out = diff(serialize(list(range(count))), serialize([n + 100 for n in range(count)]))
    listing = out.split("\n--- golden", 1)[0].splitlines()
    assert listing[0] == "differing values:"
    paths = listing[1:]
    assert len([p for p in paths if p.startswith("  $[")]) == MAX_PATHS
    assert paths[MAX_PATHS] == f"  {TRUNCATED}: more differing values not listed"


def test_a_diff_with_many_hunks_is_truncated_to_its_line_budget() -> None:
    # a change every 8th line: many hunks, each side below its own cap
    golden = "".join(f"line {i}\n" for i in range(400))
    received = "".join(f"line {i}{'!' if i % 8 == 0 else ''}\n" for i in range(400))
    lines = text_diff(golden, received).splitlines()
    assert lines[0] == "first difference at line 1, column 7"
    body = lines[3:]
    assert len(body) == MAX_DIFF_LINES + 1
    assert body[-1].startswith(f"{TRUNCATED} (") and body[-1].endswith(" more line(s))")


def test_equal_bytes_have_no_diff_and_a_dump_shows_context_rows() -> None:
    assert bytes_diff(b"same", b"same") == ""
    golden = bytes(range(256)) * 4
    received = golden[:200] + b"\x00" + golden[201:]
    lines = bytes_diff(golden, received).splitlines()
    assert lines[0] == (
        "binary content differs: golden has 1024 bytes, received 1024 bytes; first "
        "difference at offset 200 (0xc8)"
    )
    assert lines[1:3] == ["--- golden", "+++ received"]
    context = [line for line in lines if line.startswith(" 00000")]
    assert [line[1:9] for line in context] == [
        "00000090",
        "000000a0",
        "000000b0",
        "000000d0",
        "000000e0",
        "000000f0",
    ]
    assert [line[:9] for line in lines[3:] if line[0] in "+-"] == ["-000000c0", "+000000c0"]
    assert lines[-1] == f"{TRUNCATED} (only bytes 144..255 are shown)"


@settings(max_examples=100)
@given(st.binary(max_size=40), st.binary(max_size=40), st.binary(max_size=40))
def test_first_difference_and_common_suffix_agree_with_a_plain_scan(
    prefix: bytes, a: bytes, b: bytes
) -> None:
    left, right = prefix + a + prefix, prefix + b + prefix
    n = min(len(left), len(right))
    expected = next((i for i in range(n) if left[i] != right[i]), n)
    assert first_difference(left, right) == expected
    limit = n - expected
    suffix = next((k for k in range(limit) if left[-1 - k] != right[-1 - k]), limit)
    assert common_suffix(left, right, limit) == suffix


# --- file names -------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.text(alphabet="abc_.[]-", min_size=MAX_STEM + 1, max_size=3 * MAX_STEM))
def test_long_test_names_are_cut_and_keep_a_hash(name: str) -> None:
    stem = safe_stem(name)
    # cut to MAX_STEM with its hash; a name that only lost its edge dots keeps its
    # length, and the hash is appended to it (so up to MAX_STEM + 9)
    assert len(stem) <= MAX_STEM + 9
    assert stem[-9] == "-"
    # two names that differ only beyond the cut still get distinct stems
    assert safe_stem(name + "x") != stem


def test_a_long_name_is_cut_to_the_limit() -> None:
    stem = safe_stem("test_" + "x" * 300)
    assert len(stem) == MAX_STEM
    assert stem.startswith("test_xxx")


def test_relative_names_paths_outside_the_rootdir_absolutely(tmp_path: Path) -> None:
    assert relative(tmp_path / "a" / "b.txt", tmp_path) == "a/b.txt"
    assert relative(Path("/elsewhere/b.txt"), tmp_path) == "/elsewhere/b.txt"
