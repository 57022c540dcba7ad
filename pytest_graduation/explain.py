"""``--graduation-explain``: what a gate at LEVEL would judge, without running a test.

Registered instead of the gate when ``--graduation=LEVEL --graduation-explain`` is
given (the option implies ``--collect-only``). After collection it prints each test's
phase and status at LEVEL (required, pending, deselected, or the marker error), which
tests each configured node-id glob matches (and which match none), the criteria LEVEL
judges with their values after inheritance, and the waivers that apply at LEVEL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, final

import pytest

from pytest_graduation.features import registry
from pytest_graduation.globs import match_nodeid
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.recording import MarkerError, capabilities_of, configured_globs, phase_of
from pytest_graduation.settings import GraduationConfig

REQUIRED = "required"
PENDING = "pending"
DESELECTED = "deselected"
ERROR = "error"
STATUSES = (REQUIRED, PENDING, DESELECTED, ERROR)


def shown(value: Any) -> str:
    """A configured value as TOML-like text (a source rule by its name)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, (bool, int, float, str)) or value is None:
        return json.dumps(value)
    name = getattr(value, "name", None)
    return json.dumps(name) if isinstance(name, str) else str(value)


def set_at(settings: GraduationConfig, level: str, key: str) -> str:
    """The level whose table gives ``key`` its value at ``level`` (the last one at or
    below it that sets the key)."""
    below = settings.levels[: settings.level_index(level) + 1]
    return [name for name in below if key in settings.own_criteria.get(name, {})][-1]


def criteria_lines(settings: GraduationConfig, level: str, custom: Sequence[str]) -> list[str]:
    wanted = settings.criteria_for(level)
    lines = ["  tests: always judged: every required test passes"]
    for feature in registry():
        for key in feature.keys:
            if wanted.get(key.name) is None:
                continue
            what = key.criterion or "(setting)"
            origin = set_at(settings, level, key.name)
            lines.append(f"  {what}: {key.name} = {shown(wanted[key.name])} (set at {origin})")
    lines += [f"  {name}: custom criterion (pytest_graduation_criteria)" for name in custom]
    return lines


def waiver_lines(settings: GraduationConfig, level: str) -> list[str]:
    lines = []
    for waiver in settings.waivers:
        if waiver.applies_to(level):
            scope = f" for {waiver.scope} {', '.join(waiver.patterns)}" if waiver.scope else ""
            lines.append(
                f"  {waiver.criterion}{scope} until {waiver.expires.isoformat()}: {waiver.reason}"
            )
    return lines


@final
class Explain:
    """Collects like ``--collect-only`` and prints the explanation in the summary."""

    def __init__(
        self, config: pytest.Config, settings: GraduationConfig, level: str, custom: Sequence[str]
    ) -> None:
        self.config = config
        self.settings = settings
        self.level = level
        self.custom = list(custom)
        self.deselected: list[pytest.Item] = []
        self.rows: list[tuple[str, str, str, str]] = []

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        self.deselected.extend(items)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        gone = {id(item) for item in self.deselected}
        for item in [*session.items, *self.deselected]:
            self.rows.append(self._row(item, id(item) in gone))

    def _row(self, item: pytest.Item, deselected: bool) -> tuple[str, str, str, str]:
        """(node id, phase, status at the level, why it is an error)."""
        try:
            phase = phase_of(item, self.settings)
            capabilities_of(item, self.settings)  # an undeclared one fails the test
        except MarkerError as exc:
            return item.nodeid, "?", ERROR, str(exc)
        if deselected:
            return item.nodeid, phase, DESELECTED, ""
        if self.settings.level_index(phase) > self.settings.level_index(self.level):
            return item.nodeid, phase, PENDING, ""
        return item.nodeid, phase, REQUIRED, ""

    def _test_lines(self) -> list[str]:
        out = [f"tests at {self.level} ({len(self.rows)} collected):"]
        width = max((len(row[1]) for row in self.rows), default=1)
        for nodeid, phase, status, why in self.rows:
            tail = f": {why}" if why else ""
            out.append(f"  {phase:<{width}}  {status:<10}  {nodeid}{tail}")
        tally = {s: sum(row[2] == s for row in self.rows) for s in STATUSES}
        out.append("  " + ", ".join(f"{count} {status}" for status, count in tally.items()))
        return out

    def _glob_lines(self) -> list[str]:
        verbose = self.config.get_verbosity() > 0
        nodeids = [row[0] for row in self.rows]
        globs = configured_globs(self.settings)
        out = ["globs:"] + ([] if globs else ["  none configured"])
        for key, glob in globs:
            matched = [n for n in nodeids if match_nodeid(glob, n)]
            level = f" = {self.settings.phases[glob]}" if key == "phases" else ""
            if not matched:
                out.append(f'  {key} "{glob}"{level}: matches no test (a typo?)')
                continue
            out.append(f'  {key} "{glob}"{level}: {len(matched)} test(s)')
            out += [f"    {line}" for line in (matched if verbose else capped(matched, NAMED))]
        return out

    def lines(self) -> list[str]:
        out = [*self._test_lines(), *self._glob_lines()]
        out.append(f"criteria at {self.level} (after inheritance):")
        out += criteria_lines(self.settings, self.level, self.custom)
        waivers = waiver_lines(self.settings, self.level)
        if waivers:
            out += [f"waivers at {self.level}:", *waivers]
        return out

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_sep("=", f"graduation explain: {self.level}")
        for line in self.lines():
            terminalreporter.write_line(line)
