"""pytest-graduation's pytest plugin: options, markers and the wiring of features.

Without ``--graduation`` only markers, options and the always-on fixtures exist;
the gate's plugin objects are registered only when gating (passive mode is free).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

import pytest

from pytest_graduation import coverage, determinism, goldens, hookspecs, repository
from pytest_graduation.config import BUILTIN_CRITERIA, ConfigError, GraduationConfig, load
from pytest_graduation.facts import FactShipping, shipping_key
from pytest_graduation.gate import Gate
from pytest_graduation.model import Criterion
from pytest_graduation.recording import ItemRecorder
from pytest_graduation.report import check_writable

#: each feature module registers its own plugin objects from ``configure``
FEATURES: Final = (goldens, determinism, coverage, repository)

settings_key: Final = pytest.StashKey[GraduationConfig]()
gate_key: Final = pytest.StashKey[Gate]()

MARKERS: Final = (
    "phase(level): the level from which this test is required (pytest-graduation)",
    "deterministic(runs=None, stdout=False): re-run this test and require identical "
    "observations (pytest-graduation)",
    "capability(id): this test proves the named capability (pytest-graduation)",
)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graduation", "release gate (pytest-graduation)")
    group.addoption(
        "--graduation",
        metavar="LEVEL",
        dest="graduation_level",
        default=None,
        help="judge every criterion of LEVEL and fail the session if it is not met",
    )
    group.addoption(
        "--graduation-config",
        metavar="PATH",
        dest="graduation_config",
        default=None,
        help="read the configuration from this TOML file instead of [tool.graduation] "
        "of pyproject.toml",
    )
    group.addoption(
        "--graduation-report",
        metavar="PATH",
        dest="graduation_report",
        default=None,
        help="write the readiness report to PATH (Markdown if it ends in .md, else JSON)",
    )
    group.addoption(
        "--update-goldens",
        action="store_true",
        dest="update_goldens",
        default=False,
        help="create and rewrite golden files, delete obsolete ones",
    )
    group.addoption(
        "--freeze-goldens",
        action="store_true",
        dest="freeze_goldens",
        default=False,
        help="record the sha256 of every golden file used in goldens.lock",
    )
    group.addoption(
        "--determinism-runs",
        metavar="N",
        dest="determinism_runs",
        type=positive_int,
        default=None,
        help="run each deterministic test N times and compare what it observes",
    )


def _load_settings(config: pytest.Config) -> GraduationConfig:
    explicit = config.getoption("graduation_config")
    path = None
    if explicit:
        path = Path(explicit)
        if not path.is_absolute():
            path = config.invocation_params.dir / path
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
            taken = [*BUILTIN_CRITERIA, *(c.name for c in found)]
            if name in taken:
                raise pytest.UsageError(
                    f"pytest-graduation: custom criterion name {name!r} is already taken"
                )
            found.append(criterion)
    return found


def _start_gate(config: pytest.Config, settings: GraduationConfig, level: str) -> None:
    if level not in settings.levels:
        raise pytest.UsageError(
            f"pytest-graduation: unknown level {level!r} for --graduation; "
            f"valid levels: {', '.join(settings.levels)}"
        )
    if config.getoption("update_goldens"):
        raise pytest.UsageError(
            "pytest-graduation: --update-goldens cannot be combined with --graduation "
            "(a gate judges goldens, it must not rewrite them)"
        )
    config.pluginmanager.register(ItemRecorder(config, settings, level), "graduation-recorder")
    if hasattr(config, "workerinput"):
        return  # xdist workers record; the controller judges
    custom = _custom_criteria(config)
    known = {*BUILTIN_CRITERIA, *(c.name for c in custom)}
    for waiver in settings.waivers:
        if waiver.criterion not in known:
            raise pytest.UsageError(
                f"pytest-graduation: {settings.source}: waiver for unknown criterion "
                f"{waiver.criterion!r}; criteria are: {', '.join(sorted(known))}"
            )
    report_path = None
    if config.getoption("graduation_report"):
        report_path = Path(config.getoption("graduation_report"))
        if not report_path.is_absolute():
            report_path = config.invocation_params.dir / report_path
        problem = check_writable(report_path)
        if problem:
            raise pytest.UsageError(f"pytest-graduation: --graduation-report: {problem}")
    gate = Gate(config, settings, level, custom, report_path)
    config.stash[gate_key] = gate
    config.pluginmanager.register(gate, "graduation-gate")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    settings = config.stash[settings_key] = _load_settings(config)
    if config.pluginmanager.hasplugin("xdist"):
        shipping = config.stash[shipping_key] = FactShipping(config)
        config.pluginmanager.register(shipping, "graduation-facts")
    level = config.getoption("graduation_level")
    if level is not None:
        _start_gate(config, settings, level)
    for feature in FEATURES:
        feature.configure(config, settings, level)
