"""Random input to every loader: accepted, or refused with the loader's own error.

Complements the fuzzing in test_config.py (configuration documents),
test_goldens_properties.py (golden names) and test_faults.py (report JSON) with
what they do not reach: TOML *text*, ``goldens.lock`` text, golden file bytes,
globs, regexes and raw report bytes. Never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import table_of
from pytest_graduation.config import ConfigError, GraduationConfig, load, parse
from pytest_graduation.globs import match_file, match_nodeid
from pytest_graduation.goldens.lockfile import LockError, read_lock
from pytest_graduation.merge import MergeError, merge, read_shard
from pytest_graduation.report import render_json, render_markdown, render_terminal
from pytest_graduation.serialization import (
    CorruptGolden,
    diff,
    equal,
    read_golden,
    serialize,
)

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: TOML-ish text: the language's punctuation, keys of ours, values and line breaks
toml_tokens = st.sampled_from(
    [
        "[", "]", "[[", "]]", "{", "}", "=", ",", ".", '"', "'", '"""', "#", "\n", " ",
        "tool", "graduation", "criteria", "alpha", "beta", "levels", "coverage",
        "max_skipped", "waivers", "expires", "source_rules", "pattern", "golden_dir",
        "true", "1", "-1", "1e999", "inf", "nan", "2027-01-31", "10:00:00", "0x1F",
        "\\", "\\u0000", "\x00", "\ud800", "é",
    ]
)  # fmt: skip
toml_text = st.lists(toml_tokens, max_size=40).map("".join) | st.text(max_size=60)


@FUZZ
@given(text=toml_text)
def test_random_toml_text_loads_or_is_a_config_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "gate.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        config = load(tmp_path, path)
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}: ")
    else:
        for level in config.levels:
            config.criteria_for(level)


@FUZZ
@given(text=toml_text)
def test_random_pyproject_text_loads_or_is_a_config_error(text: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load(tmp_path)
    except ConfigError as exc:
        assert str(exc).startswith(str(tmp_path / "pyproject.toml"))


@FUZZ
@given(pattern=st.text(alphabet="()[]{}?*+|^$\\.aP<>=!0123456789,:-", max_size=30))
def test_random_source_rule_patterns_compile_or_are_config_errors(pattern: str) -> None:
    rule = {"name": "r", "files": "*.py", "pattern": pattern, "message": "m"}
    table = {"criteria": {"alpha": {"source_rules": [rule]}}}
    try:
        parse(table, source=None, prefix="")
    except ConfigError as exc:
        assert "criteria.alpha.source_rules[0].pattern: expected" in str(exc)


lock_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just("0" * 64),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["goldens", "version", "a/b.txt", ""]), children)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    content=st.one_of(
        lock_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=40),
        st.just(b"[" * 50_000),
    )
)
def test_random_lock_files_read_or_are_lock_errors(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "goldens.lock").write_bytes(content)
    try:
        entries = read_lock(tmp_path)
    except LockError as exc:
        assert str(exc).startswith(str(tmp_path / "goldens.lock"))
    else:
        assert entries is not None
        assert all(isinstance(k, str) and len(v) == 64 for k, v in entries.items())


@FUZZ
@given(
    raw=st.binary(max_size=60) | st.text(max_size=60).map(str.encode),
    value=st.sampled_from([{"a": [1, 2.5, None]}, "text\n", b"\x00bytes", [1, "x"]]),
)
def test_random_golden_bytes_compare_or_are_corrupt(raw: bytes, value: Any) -> None:
    actual = serialize(value)
    try:
        expected = read_golden(raw, actual)
    except CorruptGolden as exc:
        assert str(exc)
        return
    if not equal(expected, actual):
        assert diff(expected, actual)


@FUZZ
@given(
    pattern=st.text(alphabet="*?[]!-/\\:.ab", max_size=12),
    path=st.text(alphabet="/:.ab[]", max_size=12),
)
def test_random_globs_match_or_not_never_raise(pattern: str, path: str) -> None:
    assert match_file(pattern, path) in (True, False)
    assert match_nodeid(pattern, path) in (True, False)


@FUZZ
@given(content=st.binary(max_size=80))
def test_random_report_bytes_are_refused_cleanly(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "shard.json"
    path.write_bytes(content)
    try:
        read_shard(path)
    except MergeError as exc:
        assert str(exc).startswith(str(path))


#: any JSON value, with what Python's json writes but strict JSON has not (NaN, Infinity)
shard_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children)
    ),
    max_leaves=12,
)
#: the value as JSON text, nested up to 1200 lists deep, or a number out of float range
shard_value_text = st.one_of(
    st.tuples(shard_values, st.integers(0, 70) | st.integers(0, 1200)).map(
        lambda pair: "[" * pair[1] + json.dumps(pair[0]) + "]" * pair[1]
    ),
    st.sampled_from(["1e999", "-1e999", "NaN", "-Infinity", "[1e400]", '{"a": Infinity}']),
)
#: where a shard's value may be odd: what merge carries over or validates
SLOTS = ["measured", "required", "details", "facts", "lost_workers", "markers", "reruns"]
PLACEHOLDER = "@value@"


def _shard_text(slot: str, value: str) -> str:
    """A valid shard report, but for ``value`` (JSON text) in ``slot``."""
    custom: dict[str, Any] = {"name": "custom", "status": "met", "measured": 1, "required": 1}
    record: dict[str, Any] = {"nodeid": "t.py::test_a", "outcome": "passed", "phase": "alpha"}
    base: dict[str, Any] = {
        "schema_version": 3,
        "tests": {},
        "run_id": "r1",
        "level": "beta",
        "verdict": "ready",
        "records": table_of(record),
        "criteria": [custom],
        "facts": {},
        "collection_errors": [],
        "lost_workers": [],
        "config_digest": GraduationConfig().digest,
        "plugin_version": "x",
    }
    owner = {"measured": custom, "required": custom, "details": custom, "facts": base["facts"]}
    table = base["records"]
    owner = {**owner, "markers": table["kinds"][0], "reruns": table}
    owner.get(slot, base)[slot] = PLACEHOLDER
    return json.dumps(base).replace(json.dumps(PLACEHOLDER), value)


@FUZZ
@given(slot=st.sampled_from(SLOTS), value=shard_value_text)
def test_odd_values_in_a_shard_are_refused_or_merged_and_rendered(
    slot: str, value: str, tmp_path: Path
) -> None:
    path = tmp_path / "shard.json"
    path.write_text(_shard_text(slot, value), encoding="utf-8")
    try:
        report = merge("beta", [path], GraduationConfig(), tmp_path)
    except MergeError as exc:
        assert str(exc).startswith(f"{path}: ")
        return
    assert report.verdict in ("ready", "not-ready")
    if slot == "lost_workers":  # accepted, so a list of sentences: each one is not ready
        assert (report.verdict == "not-ready") is bool(json.loads(value))
    render_terminal(report)
    render_markdown(report)

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the merged report")

    json.loads(render_json(report), parse_constant=refuse)


@FUZZ
@given(value=shard_value_text)
def test_random_documents_read_strict_or_are_refused(value: str, tmp_path: Path) -> None:
    path = tmp_path / "shard.json"
    path.write_text(value, encoding="utf-8")
    try:
        data = read_shard(path).data
    except MergeError as exc:
        assert str(exc).startswith(f"{path}: ")
    else:  # pragma: no cover - a bare value is never a report
        raise AssertionError(f"accepted {data!r}")
