"""Which tests are deterministic, and what their ``deterministic`` marker asks for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, final

import pytest

from pytest_graduation.globs import match_any_nodeid
from pytest_graduation.recording import MarkerError
from pytest_graduation.settings import GraduationConfig

KEYWORDS: Final = ("runs", "stdout")


@final
@dataclass(frozen=True)
class DeterministicSpec:
    """``runs`` is the marker's own count (None: the configured one); ``stdout`` adds
    captured stdout to the observation."""

    runs: int | None = None
    stdout: bool = False


def parse_marker(args: Sequence[Any], kwargs: Mapping[str, Any]) -> DeterministicSpec:
    """The spec of ``@pytest.mark.deterministic(*args, **kwargs)``; ``MarkerError``
    naming the bad argument otherwise."""
    if args:
        raise MarkerError(
            "@pytest.mark.deterministic takes keyword arguments only "
            f"(runs=N, stdout=True), got positional arguments {tuple(args)!r}"
        )
    unknown = sorted(set(kwargs) - set(KEYWORDS))
    if unknown:
        raise MarkerError(
            f"@pytest.mark.deterministic got unknown argument(s) {', '.join(unknown)}; "
            "it takes runs=N and stdout=True"
        )
    runs = kwargs.get("runs")
    if runs is not None and (isinstance(runs, bool) or not isinstance(runs, int) or runs < 1):
        raise MarkerError(
            f"@pytest.mark.deterministic(runs=...) needs a whole number >= 1, got {runs!r}"
        )
    stdout = kwargs.get("stdout", False)
    if not isinstance(stdout, bool):
        raise MarkerError(
            f"@pytest.mark.deterministic(stdout=...) needs True or False, got {stdout!r}"
        )
    return DeterministicSpec(runs, stdout)


def spec_of(item: pytest.Item, settings: GraduationConfig) -> DeterministicSpec | None:
    """The spec of a deterministic test (closest marker, else a ``deterministic`` glob
    of the configuration), None for other tests. Raises ``MarkerError``."""
    marker = item.get_closest_marker("deterministic")
    if marker is not None:
        return parse_marker(marker.args, marker.kwargs)
    globs = settings.value("deterministic")
    if globs and match_any_nodeid(globs, item.nodeid):
        return DeterministicSpec()
    return None


#: on each collected item while determinism is on: its spec, or why its marker is bad
spec_key: Final = pytest.StashKey["DeterministicSpec | str"]()


def remember_spec(item: pytest.Item, settings: GraduationConfig) -> None:
    """Store ``item``'s spec (or its marker error) in ``item.stash[spec_key]``."""
    try:
        spec = spec_of(item, settings)
    except MarkerError as exc:
        item.stash[spec_key] = str(exc)
        return
    if spec is not None:
        item.stash[spec_key] = spec
