"""Turning values into golden file content, comparing and diffing that content.

Shared by ``golden.check`` and the determinism runner's ``observe``; the public
names here (:class:`Serialized`, :func:`serializers_for`, :func:`serialize`,
:func:`equal`, :func:`diff`) are a stable internal API.

- ``str`` is text (``.txt``), compared exactly;
- ``bytes``/``bytearray``/``memoryview`` are binary (``.bin``);
- JSON data (dict with str keys, list, tuple, str, int, float, bool, None and
  dataclass instances of them, nested) is written canonically as ``.json``
  (sorted keys, 2-space indent, UTF-8, final newline) and compared as data;
- anything else goes to the first serializer from the
  ``pytest_graduation_serializers`` hook that accepts it, else ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from typing import Any, Final, Literal, final

import pytest

from pytest_graduation.comparison import MAX_PATHS, check_tolerance, data_equal, differences
from pytest_graduation.diffing import TRUNCATED, bytes_diff, text_diff
from pytest_graduation.serializers import Serializer

Kind = Literal["text", "bytes", "json", "custom"]

SUPPORTED: Final = (
    "str (.txt), bytes (.bin), JSON data (dict with str keys, list, tuple, str, int, "
    "float, bool, None, dataclasses of them) (.json), or a type accepted by a "
    "serializer from the pytest_graduation_serializers hook"
)
_SUFFIX: Final = re.compile(r"\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\Z")
#: suffixes a custom serializer may not use: pytest would collect such goldens
_FORBIDDEN_SUFFIXES: Final = frozenset({".py", ".pyc", ".pyw"})


class CorruptGolden(ValueError):
    """Golden file content that cannot be read back (bad JSON, undecodable text)."""


@final
class Serialized:
    """A value in its golden form: ``suffix`` (``.txt``, ``.bin``, ``.json`` or a custom
    one), ``kind`` (``text``, ``bytes``, ``json``, ``custom``) and ``content``, the
    exact golden file content (``str`` is written as UTF-8).

    For kind ``json``, ``data`` is the plain JSON value; ``content`` (the canonical
    text) is then computed on first use, because comparisons work on ``data`` and
    most passing checks never need the text. Instances are immutable; equality is
    equality of (suffix, kind, content).
    """

    __slots__ = ("_content", "data", "kind", "suffix")
    suffix: str
    kind: Kind
    data: Any
    _content: str | bytes | None

    def __init__(
        self, suffix: str, content: str | bytes | None, kind: Kind, data: Any = None
    ) -> None:
        if content is None and kind != "json":
            raise ValueError("only JSON content can be computed from data")
        for name, value in (("suffix", suffix), ("kind", kind), ("data", data)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_content", content)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Serialized is immutable")

    @property
    def content(self) -> str | bytes:
        if self._content is None:
            object.__setattr__(self, "_content", dump_json(self.data))
        assert self._content is not None
        return self._content

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Serialized):
            return NotImplemented
        return (self.suffix, self.kind, self.content) == (other.suffix, other.kind, other.content)

    def __hash__(self) -> int:
        return hash((self.suffix, self.kind, self.content))

    def __repr__(self) -> str:
        shown = repr(self.content)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"Serialized(suffix={self.suffix!r}, kind={self.kind!r}, content={shown})"

    def encoded(self) -> bytes:
        """The bytes of the golden file."""
        content = self.content
        if isinstance(content, bytes):
            return content
        try:
            return content.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"the value cannot be stored as UTF-8 ({exc.reason} at index {exc.start}); "
                "lone surrogates are not text"
            ) from None


_serializers_key: Final = pytest.StashKey[tuple[Serializer, ...]]()


def serializers_for(config: pytest.Config) -> list[Serializer]:
    """Serializers from the ``pytest_graduation_serializers`` hook, asked once per
    config and validated (``suffix``, ``accepts``, ``serialize``)."""
    cached = config.stash.get(_serializers_key, None)
    if cached is None:
        found: list[Serializer] = []
        for batch in config.hook.pytest_graduation_serializers(config=config):
            for serializer in batch or ():
                _validate_serializer(serializer)
                found.append(serializer)
        cached = config.stash[_serializers_key] = tuple(found)
    return list(cached)


def _validate_serializer(serializer: object) -> None:
    suffix = getattr(serializer, "suffix", None)
    if not isinstance(suffix, str) or not _SUFFIX.match(suffix):
        raise TypeError(
            f"pytest_graduation_serializers returned {serializer!r}: `suffix` must be a str "
            f"like '.csv' (a dot, then letters, digits, _ or -), got {suffix!r}"
        )
    if suffix.lower() in _FORBIDDEN_SUFFIXES:
        raise TypeError(
            f"pytest_graduation_serializers returned {serializer!r}: suffix {suffix!r} "
            "is not allowed (pytest could collect such golden files)"
        )
    for method in ("accepts", "serialize"):
        if not callable(getattr(serializer, method, None)):
            raise TypeError(
                f"pytest_graduation_serializers returned {serializer!r}: it has no "
                f"`{method}` method"
            )


def serialize(value: object, extra: Sequence[Serializer] = ()) -> Serialized:
    """The golden form of ``value``; ``TypeError`` naming the type when unsupported."""
    __tracebackhide__ = True
    if isinstance(value, str):
        return Serialized(".txt", str(value), "text")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return Serialized(".bin", bytes(value), "bytes")
    problem: _NotJson | None = None
    try:
        data = to_json_data(value)
    except _NotJson as exc:
        problem = exc
    else:
        return Serialized(".json", None, "json", data)
    for serializer in extra:
        if serializer.accepts(value):
            content = serializer.serialize(value)
            if not isinstance(content, (str, bytes)):
                raise TypeError(
                    f"serializer {serializer!r} returned {type(content).__name__} for a "
                    f"{_type_name(value)}; serialize() must return str or bytes"
                )
            return Serialized(serializer.suffix, content, "custom")
    assert problem is not None
    where = ""
    if problem.path != "$":
        where = f" ({problem.reason} at {problem.path})"
    elif not problem.reason.endswith("is not JSON data"):
        where = f" ({problem.reason})"
    raise TypeError(
        f"cannot serialize a value of type {_type_name(value)}{where}; supported: {SUPPORTED}"
    )


class _NotJson(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parts: list[str] = []
        self.path = "$"


def _type_name(value: object) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def to_json_data(value: object) -> Any:
    """``value`` as plain JSON data: tuples become lists, dataclasses dicts, subclasses
    of str/int/float their base type.

    Raises ``_NotJson`` (internal) naming the path of the first unsupported part.
    """
    try:
        return _plain(value)
    except _NotJson as exc:
        exc.path = "$" + "".join(reversed(exc.parts))
        raise
    except RecursionError:
        raise _NotJson("circular reference or nesting too deep") from None


def _plain(value: object) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict or isinstance(value, dict):
        return _plain_dict(value)  # type: ignore[arg-type]
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        items: Sequence[object] = value  # type: ignore[assignment]
        return [_inside(item, f"[{index}]") for index, item in enumerate(items)]
    for base in (str, int, float):  # subclasses, written as their base (bool cannot be)
        if isinstance(value, base):
            return base(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {f.name: _inside(getattr(value, f.name), f".{f.name}") for f in fields}
    raise _NotJson(f"{_type_name(value)} is not JSON data")


def _plain_dict(value: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise _NotJson(f"dict key {key!r} ({_type_name(key)}) is not a str")
            key = str(key)
        out[key] = _inside(item, f"[{key!r}]")
    return out


def _inside(item: object, where: str) -> Any:
    """``_plain(item)``, naming where ``item`` sits when it is not JSON data."""
    try:
        return _plain(item)
    except _NotJson as exc:
        exc.parts.append(where)
        raise


def compact_json(data: Any) -> str:
    """JSON data as one compact, key-sorted line (C speed): equal texts, equal data."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dump_json(data: Any) -> str:
    """The canonical text of JSON data: sorted keys, 2-space indent, final newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise CorruptGolden(f"duplicate key {key!r}")
            seen.add(key)
    return result


def load_json(text: str) -> Any:
    """Parse golden JSON text; :class:`CorruptGolden` when it is not valid JSON."""
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise CorruptGolden(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise CorruptGolden("invalid JSON: nested too deeply") from None


def decode_text(raw: bytes) -> str:
    """UTF-8 text of a golden file; :class:`CorruptGolden` when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptGolden(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_golden(raw: bytes, like: Serialized) -> Serialized:
    """Interpret the bytes of a golden file as the same kind as ``like``."""
    if like.kind == "bytes" or (like.kind == "custom" and isinstance(like.content, bytes)):
        return Serialized(like.suffix, raw, like.kind)
    text = decode_text(raw)
    if like.kind == "json":
        return Serialized(like.suffix, text, "json", load_json(text))
    return Serialized(like.suffix, text, like.kind)


def _as_serialized(value: Serialized | str | bytes, like: Serialized | None) -> Serialized:
    if isinstance(value, Serialized):
        return value
    if like is not None and like.kind == "json" and isinstance(value, str):
        return Serialized(like.suffix, value, "json", load_json(value))
    if isinstance(value, bytes):
        return Serialized(".bin", value, "bytes")
    return Serialized(".txt", value, "text")


def _both_serialized(
    expected: Serialized | str | bytes, actual: Serialized | str | bytes
) -> tuple[Serialized, Serialized]:
    """Both sides as :class:`Serialized`; a bare str or bytes takes the kind of the
    side that is one (``actual`` first), so a JSON golden compares as JSON."""
    like = actual if isinstance(actual, Serialized) else None
    if like is None and isinstance(expected, Serialized):
        like = expected
    return _as_serialized(expected, like), _as_serialized(actual, like)


def _json_data(item: Serialized) -> Any:
    if item.data is not None:
        return item.data
    content = item.content
    return load_json(content if isinstance(content, str) else decode_text(content))


def equal(
    expected: Serialized | str | bytes,
    actual: Serialized | str | bytes,
    rtol: float = 0.0,
    atol: float = 0.0,
) -> bool:
    """Whether ``actual`` matches ``expected``: JSON as data within ``rtol``/``atol``
    (when either side is a JSON :class:`Serialized`), anything else exactly."""
    check_tolerance(rtol, atol)
    exp, act = _both_serialized(expected, actual)
    if exp.kind == "json" and act.kind == "json":
        exp_data, act_data = _json_data(exp), _json_data(act)
        if compact_json(exp_data) == compact_json(act_data):
            return True
        return data_equal(exp_data, act_data, rtol, atol)
    return exp.content == act.content


def diff(
    expected: Serialized | str | bytes,
    actual: Serialized | str | bytes,
    rtol: float = 0.0,
    atol: float = 0.0,
) -> str:
    """A readable, bounded description of how ``actual`` differs from ``expected``:
    for JSON the differing paths and a diff of the canonical texts, for text a unified
    diff around the first difference, for bytes a hex dump. Empty when equal."""
    exp, act = _both_serialized(expected, actual)
    if exp.kind == "json" and act.kind == "json":
        exp_data, act_data = _json_data(exp), _json_data(act)
        paths: list[str] = []
        for line in differences(exp_data, act_data, rtol, atol):
            if len(paths) == MAX_PATHS:
                paths.append(f"{TRUNCATED}: more differing values not listed")
                break
            paths.append(line)
        if not paths:
            return ""
        text = text_diff(dump_json(exp_data), dump_json(act_data))
        listing = "\n".join(f"  {line}" for line in paths)
        return f"differing values:\n{listing}\n{text}".rstrip()
    if isinstance(exp.content, str) and isinstance(act.content, str):
        return text_diff(exp.content, act.content)
    exp_bytes = exp.content if isinstance(exp.content, bytes) else exp.encoded()
    act_bytes = act.content if isinstance(act.content, bytes) else act.encoded()
    return bytes_diff(exp_bytes, act_bytes)
