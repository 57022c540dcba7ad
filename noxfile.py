"""The compatibility suite (docs/compatibility.md): the plugin next to the pytest
versions and plugins it supports, on every supported CPython.

    nox -s compat              # the full grid: 4 Pythons x pytest 7.4 / 8.x / 9.x
    nox -t ci                  # the subset CI runs (.ci/run): each Python once,
                               # each pytest major, every case at least twice
    nox -s "compat-3.12(pytest='9')" -- determinism   # one cell, one case

Each session installs the plugin with one pytest line and the plugins from PyPI, then
runs tests/compat/run.py: for every sample project under tests/compat/projects/ it
compares passive mode with ``-p no:graduation`` report by report, and checks gated
verdicts, serially and under ``-n 2``. Interpreters are found on PATH
(``python3.10`` ...); pyenv's are added when present.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
PYTESTS = ["7.4", "8", "9"]
PLUGINS = [
    "pytest-xdist",
    "pytest-cov",
    "pytest-randomly",
    "pytest-rerunfailures",
    "pytest-asyncio",
    "pytest-timeout",
    "pytest-mock",
]
#: pytest 7.4 runs with the oldest versions pyproject.toml allows
OLDEST = ["pytest==7.4.*", "pluggy==1.5.*", "coverage==7.0.*", "pytest-cov==4.1.*"]
PINS = {"7.4": OLDEST, "8": ["pytest>=8,<9"], "9": ["pytest>=9,<10"]}
#: (python, pytest, cases) of CI's subset; every case runs on two pytest majors at least
CI = [
    ("3.10", "7.4", ["core", "determinism", "lastfailed"]),
    ("3.11", "8", ["determinism", "rerun", "coverage"]),
    ("3.12", "9", ["core", "determinism", "lastfailed"]),
    ("3.13", "9", ["rerun", "coverage"]),
]

nox.options.sessions = ["compat"]
nox.options.error_on_missing_interpreters = True

for _bin in sorted(Path.home().glob(".pyenv/versions/3.1[0-9].*/bin")):
    os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), str(_bin)])


def _install(session: nox.Session, pytest: str) -> None:
    # pytest 9 has subtests built in; before, pytest-subtests provides them
    subtests = [] if pytest == "9" else ["pytest-subtests"]
    session.install(".", *PINS[pytest], *PLUGINS, *subtests)


def _run(session: nox.Session, cases: list[str]) -> None:
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "tests/compat/run.py", *(session.posargs or cases))


@nox.session(python=PYTHONS)
@nox.parametrize("pytest", PYTESTS)
def compat(session: nox.Session, pytest: str) -> None:
    """One cell of the full grid, every case."""
    _install(session, pytest)
    _run(session, [])


@nox.session(tags=["ci"])
@nox.parametrize(
    ["python", "pytest", "cases"],
    [nox.param(py, pt, cases, id=f"{py}-pytest{pt}") for py, pt, cases in CI],
)
def ci(session: nox.Session, pytest: str, cases: list[str]) -> None:
    """CI's subset of the grid."""
    _install(session, pytest)
    _run(session, cases)
