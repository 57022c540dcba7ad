"""The ``pytest11`` entry point of pytest-graduation.

The hooks here only delegate: the modules doing the work are imported when pytest
calls them, so that loading the plugin costs next to nothing and their import runs
under coverage when the project measures itself. Without ``--graduation`` only
options, markers and the always-on fixtures exist; the gate's plugin objects are
registered only when gating.
"""

from __future__ import annotations

import pytest


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_graduation import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    from pytest_graduation.options import add_options

    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    from pytest_graduation.wiring import configure

    configure(config)
