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


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = segment[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
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
