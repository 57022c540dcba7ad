"""What one run of a test observed, how two observations differ, and their JSON form.

An observation is the run's outcome, the ordered serialized values given to
``observe`` and ``golden.check``, and (with ``deterministic(stdout=True)``) the
captured stdout. Values are compared exactly as serialized: the golden serializer
writes canonical text, so equal data gives equal text.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Final, final

from pytest_graduation.serialization import diff

#: a phase of one run: (when, raw outcome, short failure message)
Phase = tuple[str, str, str]
Value = tuple[str, "str | bytes"]

CODEC_VERSION: Final = 1


@final
@dataclass(frozen=True)
class Observation:
    outcome: str
    values: tuple[Value, ...] = ()
    stdout: str | None = None
    #: the first failure message of the run; shown, never compared
    failure: str = ""

    def describe_outcome(self) -> str:
        return f"{self.outcome} ({self.failure})" if self.failure else self.outcome


def summarize(phases: Iterable[Phase]) -> tuple[str, str]:
    """The outcome of a run from its raw phase outcomes (before xfail or pending
    conversion), and its first failure message."""
    parts: list[str] = []
    failure = ""
    for when, outcome, message in phases:
        if outcome != "passed" and not failure:
            failure = message
        if when == "call":
            parts.append(outcome)
        elif outcome != "passed":
            parts.append(f"{'error' if outcome == 'failed' else outcome} in {when}")
    return (", ".join(parts) or "not run"), failure


@final
@dataclass(frozen=True)
class Difference:
    """How run ``label`` differs from run 1; ``flipped`` when the outcome changed."""

    flipped: bool
    text: str
    #: one line for the report's details
    summary: str


def _relabel(text: str, other: str) -> str:
    lines = text.split("\n")
    swaps = {"--- golden": "--- run 1", "+++ received": f"+++ {other}"}
    for index, line in enumerate(lines):
        if line in swaps:
            lines[index] = swaps.pop(line)
        elif line.startswith("binary content differs: golden has"):
            lines[index] = line.replace("golden has", "run 1 has", 1).replace("received", other, 1)
    return "\n".join(lines)


def _show(label: str) -> str:
    return label if label.isprintable() else repr(label)


def compare(first: Observation, other: Observation, other_label: str) -> Difference | None:
    """None when ``other`` observed exactly what ``first`` did (run 1)."""
    if first.outcome != other.outcome:
        return Difference(
            True,
            f"the outcome flipped:\n  run 1: {first.describe_outcome()}\n"
            f"  {other_label}: {other.describe_outcome()}",
            f"the outcome flipped ({first.outcome} in run 1, {other.outcome} in {other_label})",
        )
    pairs = zip_longest(first.values, other.values)
    for index, (mine, theirs) in enumerate(pairs, 1):
        if mine == theirs:
            continue
        if mine is None or theirs is None:
            only = "run 1" if theirs is None else other_label
            text = (
                f"run 1 observed {len(first.values)} value(s), {other_label} observed "
                f"{len(other.values)}; value {index} is {_show((theirs or mine)[0])} "
                f"(only in {only})"
            )
            return Difference(False, text, text)
        if mine[0] != theirs[0]:
            text = (
                f"value {index} is {_show(mine[0])} in run 1 but {_show(theirs[0])} "
                f"in {other_label}"
            )
            return Difference(False, text, text)
        summary = f"first differing value: {_show(mine[0])} (value {index})"
        return Difference(
            False, summary + "\n" + _relabel(diff(mine[1], theirs[1]), other_label), summary
        )
    if first.stdout != other.stdout:
        summary = "captured stdout differs"
        text = _relabel(diff(first.stdout or "", other.stdout or ""), other_label)
        return Difference(False, f"{summary}\n{text}", summary)
    return None


# --- JSON form (fresh interpreters send observations back as JSON, never pickles) ---


def _encode_value(value: Value) -> list[str]:
    label, content = value
    if isinstance(content, bytes):
        return [label, "bytes", base64.b64encode(content).decode("ascii")]
    return [label, "text", content]


def _decode_value(raw: Any) -> Value:
    if not (isinstance(raw, list) and len(raw) == 3 and all(isinstance(p, str) for p in raw)):
        raise ValueError(f"bad observed value {raw!r}")
    label, kind, content = raw
    if kind == "bytes":
        return label, base64.b64decode(content.encode("ascii"), validate=True)
    if kind == "text":
        return label, content
    raise ValueError(f"bad observed value kind {kind!r}")


def encode(observation: Observation) -> dict[str, Any]:
    return {
        "outcome": observation.outcome,
        "values": [_encode_value(v) for v in observation.values],
        "stdout": observation.stdout,
        "failure": observation.failure,
    }


def decode(raw: Any) -> Observation:
    """An :class:`Observation` from :func:`encode`'s output; ``ValueError`` if malformed."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"bad observation {raw!r}")
    outcome, values = raw.get("outcome"), raw.get("values")
    stdout, failure = raw.get("stdout"), raw.get("failure", "")
    if not isinstance(outcome, str) or not isinstance(values, list):
        raise ValueError(f"bad observation {raw!r}")
    if not (stdout is None or isinstance(stdout, str)) or not isinstance(failure, str):
        raise ValueError(f"bad observation {raw!r}")
    return Observation(outcome, tuple(_decode_value(v) for v in values), stdout, failure)


def encode_all(observations: Mapping[str, Observation]) -> dict[str, Any]:
    return {
        "version": CODEC_VERSION,
        "observations": {nodeid: encode(obs) for nodeid, obs in observations.items()},
    }


def decode_all(raw: Any) -> dict[str, Observation]:
    if not isinstance(raw, Mapping) or raw.get("version") != CODEC_VERSION:
        raise ValueError("not an observation file of this pytest-graduation version")
    table = raw.get("observations")
    if not isinstance(table, Mapping):
        raise ValueError("observation file without observations")
    return {str(nodeid): decode(obs) for nodeid, obs in table.items()}


def stdout_of(sections: Sequence[tuple[str, str]]) -> str:
    """The captured stdout among report sections (setup, call and teardown)."""
    return "".join(text for name, text in sections if name.startswith("Captured stdout "))
