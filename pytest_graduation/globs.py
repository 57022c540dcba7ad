"""The two glob dialects of the configuration.

*Node-id globs* follow :mod:`fnmatch` (``*`` also crosses ``/`` and ``::``).
*File globs* match rootdir-relative POSIX paths: ``*`` and ``?`` stay inside one
folder, ``**`` as a whole path segment spans any number of folders (zero included).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable


@functools.lru_cache(maxsize=1024)
def _nodeid_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern))


def match_nodeid(pattern: str, nodeid: str) -> bool:
    """Whether ``nodeid`` matches the node-id glob ``pattern`` (case-sensitive)."""
    return _nodeid_regex(pattern).match(nodeid) is not None


def match_any_nodeid(patterns: Iterable[str], nodeid: str) -> bool:
    return any(match_nodeid(p, nodeid) for p in patterns)


def _bracket_regex(segment: str, start: int) -> tuple[str, int] | None:
    """The regex of the bracket expression opening at ``segment[start]`` (``[``) and the
    index after it, with :mod:`fnmatch`'s rules; ``None`` when it is not closed.

    A class never matches ``/`` (a negated class or a range could otherwise cross
    folders)."""
    end = _bracket_end(segment, start + 1)
    if end is None:
        return None
    body = segment[start + 1 : end]
    stuff = body.replace("\\", "\\\\") if "-" not in body else _ranges(body)
    return _class_regex(re.sub(r"([&~|])", r"\\\1", stuff)), end + 1  # no set operations


def _bracket_end(segment: str, first: int) -> int | None:
    """The index of the ``]`` closing a class whose body starts at ``first`` (a
    leading ``!`` and a ``]`` right after it belong to the body)."""
    j = first
    if j < len(segment) and segment[j] == "!":
        j += 1
    if j < len(segment) and segment[j] == "]":
        j += 1
    while j < len(segment) and segment[j] != "]":
        j += 1
    return j if j < len(segment) else None


def _ranges(body: str) -> str:
    """A class body with ranges: the hyphens that make ranges kept, others escaped,
    and empty ranges such as ``z-a`` dropped."""
    chunks = []
    i, k = 0, (2 if body[0] == "!" else 1)
    while (k := body.find("-", k)) >= 0:
        chunks.append(body[i:k])
        i, k = k + 1, k + 3
    if body[i:]:
        chunks.append(body[i:])
    else:
        chunks[-1] += "-"
    for k in range(len(chunks) - 1, 0, -1):
        if chunks[k - 1][-1] > chunks[k][0]:
            chunks[k - 1] = chunks[k - 1][:-1] + chunks[k][1:]
            del chunks[k]
    return "-".join(c.replace("\\", "\\\\").replace("-", "\\-") for c in chunks)


def _class_regex(stuff: str) -> str:
    if not stuff:
        return "(?!)"
    if stuff == "!":
        return "[^/]"
    if stuff[0] == "!":
        stuff = "^" + stuff[1:]
    elif stuff[0] in ("^", "["):
        stuff = "\\" + stuff
    return f"(?!/)[{stuff}]"


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (bracket := _bracket_regex(segment, i)) is not None:
            out.append(bracket[0])
            i = bracket[1]
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def file_glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a file glob to a regex matching whole rootdir-relative POSIX paths."""
    segments = pattern.strip("/").split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # zero or more whole folders; at the end, anything below
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def match_file(pattern: str, relpath: str) -> bool:
    """Whether the rootdir-relative POSIX path ``relpath`` matches the file glob ``pattern``."""
    return file_glob_regex(pattern).match(relpath) is not None
