"""``pytest --freeze-api`` in a session: the lock is written once, on the serial
process or the xdist controller, when the session starts — before any test runs and
before xdist starts its workers, so a lock that cannot be written stops the session
with a usage error instead of after the whole suite."""

from __future__ import annotations

from typing import final

import pytest

from pytest_graduation.api.freeze import FreezeError, FreezeResult, freeze
from pytest_graduation.api.settings import ApiSettings


@final
class ApiFreezer:
    def __init__(self, config: pytest.Config, settings: ApiSettings) -> None:
        self.config = config
        self.settings = settings
        self.result: FreezeResult | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        try:
            self.result = freeze(self.config.rootpath, self.settings)
        except FreezeError as exc:
            # nothing was written; the run stops here with exit code 4
            raise pytest.UsageError(f"pytest-graduation: --freeze-api: {exc}") from None

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.result is None:
            return
        terminalreporter.write_sep("-", "public API")
        for line in self.result.summary_lines():
            terminalreporter.write_line(line)
