"""Command-line options and markers of pytest-graduation."""

from __future__ import annotations

import argparse
from typing import Final

import pytest

from pytest_graduation.record_table import ALL, INCLUDED

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


def git_revision(text: str) -> str:
    """``--graduation-base``: refused before git ever sees it when it can name no
    revision (a leading ``-`` would be read as a git option)."""
    from pytest_graduation.coverage.changed import base_problem  # only when given

    problem = base_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(
            f"expected a git revision (e.g. origin/main), got {text!r}: {problem}"
        )
    return text


class ImplyCollectOnly(argparse.Action):
    """``--graduation-explain``: a flag that also sets ``--collect-only``, as pytest's
    ``--setup-plan`` implies ``--setup-only`` (set while parsing, so that every plugin,
    xdist included, sees a session that runs no test)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, True)
        namespace.collectonly = True


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("graduation", "release gate (pytest-graduation)")
    for add in (
        _gate_options,
        _report_options,
        _maintenance_options,
        _measurement_options,
        _other_options,
    ):
        add(group)


def _gate_options(group: pytest.OptionGroup) -> None:
    """What the gate judges and where it reports."""
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
        "--graduation-ladder",
        action="store_true",
        dest="graduation_ladder",
        default=False,
        help="also judge every other level from this run's measurements (with --graduation; "
        "the verdict and exit code stay LEVEL's)",
    )
    group.addoption(
        "--graduation-badge",
        metavar="PATH",
        dest="graduation_badge",
        default=None,
        help="write a shields.io endpoint badge of the highest ready level to PATH "
        "(implies --graduation-ladder)",
    )


def _report_options(group: pytest.OptionGroup) -> None:
    """Where the report goes and what it keeps."""
    group.addoption(
        "--graduation-report",
        metavar="PATH",
        dest="graduation_report",
        default=None,
        help="write the readiness report to PATH (Markdown if it ends in .md, else JSON; "
        "gzip-compressed if it ends in .gz, e.g. report.json.gz)",
    )
    group.addoption(
        "--graduation-report-tests",
        dest="graduation_report_tests",
        choices=INCLUDED,
        default=ALL,
        help="which per-test records the JSON report keeps: all (default; merge needs "
        "them), failed (failed and error only) or none",
    )


def _maintenance_options(group: pytest.OptionGroup) -> None:
    """What may be rewritten: goldens, their lock, the API lock."""
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
        "--freeze-api",
        action="store_true",
        dest="freeze_api",
        default=False,
        help="record the public API of [tool.graduation.api] packages in api.lock",
    )


def _measurement_options(group: pytest.OptionGroup) -> None:
    """Measurements a run takes."""
    group.addoption(
        "--determinism-runs",
        metavar="N",
        dest="determinism_runs",
        type=positive_int,
        default=None,
        help="run each deterministic test N times and compare what it observes",
    )
    group.addoption(
        "--graduation-base",
        metavar="REF",
        dest="graduation_base",
        type=git_revision,
        default=None,
        help="the git revision coverage_new compares with (its merge-base with HEAD), "
        "instead of [tool.graduation] base",
    )


def _other_options(group: pytest.OptionGroup) -> None:
    """The baseline and the explanation of a configuration."""
    group.addoption(
        "--update-baseline",
        action="store_true",
        dest="update_baseline",
        default=False,
        help="record this run's coverage and benchmark statistics in the baseline file "
        "and print what went up and down",
    )
    group.addoption(
        "--graduation-explain",
        action=ImplyCollectOnly,
        dest="graduation_explain",
        default=False,
        help="with --graduation=LEVEL: collect only and print each test's phase and "
        "status, what each configured glob matches and the criteria LEVEL judges",
    )
