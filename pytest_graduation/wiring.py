"""What ``pytest_configure`` sets up: settings, the gate and each feature.

Imported lazily from :mod:`pytest_graduation.plugin`, so that loading the entry point
costs nothing when pytest starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_graduation.config import ConfigError, GraduationConfig, load
from pytest_graduation.facts import FactShipping, is_xdist_worker, shipping_key
from pytest_graduation.features import builtin_criteria_names, registry
from pytest_graduation.options import MARKERS

if TYPE_CHECKING:
    from pytest_graduation.model import Criterion


def _path_option(config: pytest.Config, name: str) -> Path | None:
    """A path option, relative to the directory pytest was started in."""
    value = config.getoption(name)
    return config.invocation_params.dir / value if value else None


def _load_settings(config: pytest.Config) -> GraduationConfig:
    path = _path_option(config, "graduation_config")
    try:
        return load(config.rootpath, path)
    except ConfigError as exc:
        raise pytest.UsageError(f"pytest-graduation: {exc}") from None


def _custom_criteria(config: pytest.Config) -> list[Criterion]:
    found: list[Criterion] = []
    for batch in config.hook.pytest_graduation_criteria(config=config):
        for criterion in batch or ():
            name = getattr(criterion, "name", None)
            if (
                not isinstance(name, str)
                or not name
                or not callable(getattr(criterion, "evaluate", None))
            ):
                raise pytest.UsageError(
                    "pytest-graduation: pytest_graduation_criteria returned "
                    f"{criterion!r}: a criterion needs a non-empty str `name` and `evaluate(run)`"
                )
            taken = [*builtin_criteria_names(), *(c.name for c in found)]
            if name in taken:
                raise pytest.UsageError(
                    f"pytest-graduation: custom criterion name {name!r} is already taken"
                )
            found.append(criterion)
    return found


#: pytest options whose sessions run no test: a gate there would judge nothing
NO_RUN_OPTIONS = (
    "collectonly",
    "showfixtures",
    "show_fixtures_per_test",
    "markers",
    "setuponly",
    "setupplan",
)


def runs_no_tests(config: pytest.Config) -> bool:
    return any(config.getoption(name, default=False) for name in NO_RUN_OPTIONS)


def _check_level(settings: GraduationConfig, level: str) -> None:
    if level not in settings.levels:
        raise pytest.UsageError(
            f"pytest-graduation: unknown level {level!r} for --graduation; "
            f"valid levels: {', '.join(settings.levels)}"
        )


def _check_waivers(settings: GraduationConfig, custom: list[Criterion]) -> None:
    known = {*builtin_criteria_names(), *(c.name for c in custom)}
    for waiver in settings.waivers:
        if waiver.criterion not in known:
            raise pytest.UsageError(
                f"pytest-graduation: {settings.source}: waiver for unknown criterion "
                f"{waiver.criterion!r}; criteria are: {', '.join(sorted(known))}"
            )


def _start_gate(config: pytest.Config, settings: GraduationConfig, level: str) -> None:
    _check_level(settings, level)
    if config.getoption("update_goldens"):
        raise pytest.UsageError(
            "pytest-graduation: --update-goldens cannot be combined with --graduation "
            "(a gate judges goldens, it must not rewrite them)"
        )
    from pytest_graduation.gate import Gate
    from pytest_graduation.recording import ItemRecorder
    from pytest_graduation.report import check_writable

    config.pluginmanager.register(ItemRecorder(config, settings, level), "graduation-recorder")
    if is_xdist_worker(config):
        return  # xdist workers record; the controller judges
    custom = _custom_criteria(config)
    _check_waivers(settings, custom)
    report_path = _path_option(config, "graduation_report")
    if report_path is not None:
        problem = check_writable(report_path)
        if problem:
            raise pytest.UsageError(f"pytest-graduation: --graduation-report: {problem}")
    badge_path = _path_option(config, "graduation_badge")
    if badge_path is not None:
        problem = check_writable(badge_path)
        if problem:
            raise pytest.UsageError(f"pytest-graduation: --graduation-badge: {problem}")
    gate = Gate(config, settings, level, custom, report_path)
    config.pluginmanager.register(gate, "graduation-gate")


def _start_explain(config: pytest.Config, settings: GraduationConfig, level: str) -> None:
    from pytest_graduation.explain import Explain

    custom = _custom_criteria(config)
    _check_waivers(settings, custom)
    names = [criterion.name for criterion in custom]
    config.pluginmanager.register(Explain(config, settings, level, names), "graduation-explain")


def configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    settings = _load_settings(config)
    if config.pluginmanager.hasplugin("xdist"):
        shipping = config.stash[shipping_key] = FactShipping(config)
        config.pluginmanager.register(shipping, "graduation-facts")
    level = config.getoption("graduation_level")
    ladder = config.getoption("graduation_ladder") or config.getoption("graduation_badge")
    if level is None and ladder:
        raise pytest.UsageError(
            "pytest-graduation: --graduation-ladder and --graduation-badge need "
            "--graduation=LEVEL (the level whose verdict and exit code the run keeps)"
        )
    explain = config.getoption("graduation_explain", default=False)
    if explain and level is None:
        raise pytest.UsageError("pytest-graduation: --graduation-explain needs --graduation=LEVEL")
    if level is not None and runs_no_tests(config):
        # collected as when gating (examples are items), but nothing is judged: no
        # verdict, no report, the exit code left alone
        _check_level(settings, level)
        if explain:
            _start_explain(config, settings, level)
    elif level is not None:
        _start_gate(config, settings, level)
    for feature in registry():
        # each feature registers its own plugin objects; one that only judges is
        # configured only while gating, so passive mode stays light
        if level is not None or not feature.gating_only:
            feature.configure(config, settings, level)
