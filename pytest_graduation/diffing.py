"""Readable diffs that stay fast on huge values.

``difflib`` is quadratic in the worst case, so it never sees whole values: the
first and last differing characters are found with C-speed slice comparisons,
and only a bounded window of lines around the first difference is diffed. Hunk
headers carry the real line numbers of the full texts; very long lines are cropped
around the first differing column.
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher
from typing import Final

#: lines of unchanged context around each change
CONTEXT: Final = 3
#: at most this many lines of each side, from the first difference on, are diffed
WINDOW_LINES: Final = 400
#: at most this many diff lines are shown
MAX_DIFF_LINES: Final = 120
#: lines longer than this are cropped around the first differing column
MAX_LINE_CHARS: Final = 400
_CHUNK: Final = 1 << 16
#: starts every line that says output was cut short
TRUNCATED: Final = "... diff truncated"


def first_difference(a: str | bytes, b: str | bytes) -> int:
    """Index of the first position where ``a`` and ``b`` differ (``min(len)`` if one is
    a prefix of the other)."""
    n = min(len(a), len(b))
    start = 0
    while start < n:
        stop = min(start + _CHUNK, n)
        if a[start:stop] != b[start:stop]:  # the chunks differ: some index in it does
            return next(index for index in range(start, stop) if a[index] != b[index])
        start = stop
    return n


def common_suffix(a: str | bytes, b: str | bytes, limit: int) -> int:
    """Length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    length = 0
    while length < limit:
        step = min(_CHUNK, limit - length)
        end_a, end_b = len(a) - length, len(b) - length
        if a[end_a - step : end_a] != b[end_b - step : end_b]:  # some k in 1..step differs
            return length + next(k for k in range(1, step + 1) if a[end_a - k] != b[end_b - k]) - 1
        length += step
    return length


def text_diff(
    expected: str, actual: str, *, labels: tuple[str, str] = ("golden", "received")
) -> str:
    """A unified diff of ``expected`` and ``actual`` around their first difference,
    truncated to :data:`MAX_DIFF_LINES` lines. Empty when they are equal."""
    if expected == actual:
        return ""
    pos = first_difference(expected, actual)
    tail = common_suffix(expected, actual, min(len(expected), len(actual)) - pos)
    # whole lines containing the differing region, plus context before it
    start = expected.rfind("\n", 0, pos) + 1
    for _ in range(CONTEXT):
        if start == 0:
            break
        start = expected.rfind("\n", 0, start - 1) + 1
    line_no = expected.count("\n", 0, start)
    column = pos - (expected.rfind("\n", 0, pos) + 1)
    exp_lines = _window(expected, start, len(expected) - tail)
    act_lines = _window(actual, start, len(actual) - tail)
    body = list(_unified(exp_lines, act_lines, line_no, column))
    header = [
        f"--- {labels[0]}",
        f"+++ {labels[1]}",
    ]
    notes = [
        f"first difference at line {line_no + _lines_before(expected, start, pos) + 1}, "
        f"column {column + 1}"
    ]
    if len(body) > MAX_DIFF_LINES:
        hidden = len(body) - MAX_DIFF_LINES
        body = [*body[:MAX_DIFF_LINES], f"{TRUNCATED} ({hidden} more line(s))"]
    elif _windowed(expected, actual, start, tail, exp_lines, act_lines):
        body.append(f"{TRUNCATED} (only the first differences are shown)")
    return "\n".join([*notes, *header, *body])


def _lines_before(text: str, start: int, pos: int) -> int:
    return text.count("\n", start, pos)


def _window(text: str, start: int, diff_end: int) -> list[str]:
    """Lines of ``text`` from ``start``: through the end of the differing region plus
    context, at most :data:`WINDOW_LINES` lines."""
    lines: list[str] = []
    cursor = start
    limit = len(text)
    after = 0
    while cursor < limit and len(lines) < WINDOW_LINES:
        newline = text.find("\n", cursor)
        end = limit if newline < 0 else newline + 1
        lines.append(text[cursor:end])
        cursor = end
        if cursor > diff_end:
            after += 1
            if after > CONTEXT:
                break
    return lines


def _windowed(
    expected: str, actual: str, start: int, tail: int, exp_lines: list[str], act_lines: list[str]
) -> bool:
    """Whether the window stopped before the differing region ended."""
    exp_end = start + sum(map(len, exp_lines))
    act_end = start + sum(map(len, act_lines))
    return exp_end < len(expected) - tail or act_end < len(actual) - tail


def _unified(a: list[str], b: list[str], offset: int, column: int) -> Iterator[str]:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        first, last = group[0], group[-1]
        yield (f"@@ -{_range(first[1], last[2], offset)} +{_range(first[3], last[4], offset)} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in a[i1:i2]:
                    yield " " + _show(line, column)
                continue
            yield from _side("-", a[i1:i2], column)
            yield from _side("+", b[j1:j2], column)


def _side(sign: str, lines: list[str], column: int) -> Iterator[str]:
    """One side of a change, cut so that both sides of a big change stay visible."""
    cap = MAX_DIFF_LINES // 2 - 2
    for line in lines[:cap]:
        yield sign + _show(line, column)
    if len(lines) > cap:
        yield f"{TRUNCATED} ({len(lines) - cap} more {sign} line(s))"


def _range(start: int, stop: int, offset: int) -> str:
    length = stop - start
    begin = start + offset + 1
    if length == 0:
        begin -= 1
    return f"{begin}" if length == 1 else f"{begin},{length}"


def _show(line: str, column: int) -> str:
    text = line[:-1] if line.endswith("\n") else line + "  (no newline at end)"
    if len(text) <= MAX_LINE_CHARS:
        return text
    begin = max(0, column - MAX_LINE_CHARS // 3)
    end = begin + MAX_LINE_CHARS
    shown = text[begin:end]
    prefix = f"[{begin} chars] ..." if begin else ""
    suffix = f"... [{len(text) - end} more chars]" if end < len(text) else ""
    return f"{prefix}{shown}{suffix}"


def bytes_diff(expected: bytes, actual: bytes) -> str:
    """Sizes, the first differing offset and a hex dump diff around it."""
    if expected == actual:
        return ""
    pos = first_difference(expected, actual)
    row = pos - pos % 16
    begin = max(0, row - 16 * CONTEXT)
    end = row + 16 * (CONTEXT + 1)
    lines = [
        f"binary content differs: golden has {len(expected)} bytes, received {len(actual)} "
        f"bytes; first difference at offset {pos} (0x{pos:x})",
    ]
    exp_dump = _hexdump(expected, begin, end)
    act_dump = _hexdump(actual, begin, end)
    lines += ["--- golden", "+++ received"]
    matcher = SequenceMatcher(None, exp_dump, act_dump, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [" " + line for line in exp_dump[i1:i2]]
        else:
            lines += ["-" + line for line in exp_dump[i1:i2]]
            lines += ["+" + line for line in act_dump[j1:j2]]
    if max(len(expected), len(actual)) > end or begin > 0:
        lines.append(f"{TRUNCATED} (only bytes {begin}..{end - 1} are shown)")
    return "\n".join(lines)


def _hexdump(data: bytes, begin: int, end: int) -> list[str]:
    rows = []
    for offset in range(begin, min(end, len(data)), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{byte:02x}" for byte in chunk)
        text = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in chunk)
        rows.append(f"{offset:08x}  {hexes:<47}  |{text}|")
    return rows
