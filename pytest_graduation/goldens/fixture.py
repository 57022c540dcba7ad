"""The ``golden`` fixture. This module is registered as a plugin in every run
(passive mode included); it only defines the fixture, so unused it costs nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final, final

import pytest

from pytest_graduation.comparison import check_tolerance
from pytest_graduation.diffing import TRUNCATED
from pytest_graduation.facts import facts_of
from pytest_graduation.goldens import storage
from pytest_graduation.goldens.paths import (
    UnsafePath,
    ensure_inside,
    file_name,
    golden_root,
    module_folder,
    relative,
    test_stem,
    validate_name,
)
from pytest_graduation.goldens.state import USED_STREAM, GoldenState, state_of
from pytest_graduation.observations import note, observations_key
from pytest_graduation.regular_files import NotAFile
from pytest_graduation.serialization import (
    CorruptGolden,
    Serialized,
    diff,
    equal,
    read_golden,
    serialize,
    serializers_for,
)


@final
class Golden:
    """Compares values with golden files; one instance per test (function scope)."""

    __slots__ = ("_files", "_request", "_state", "_stem", "_unnamed")

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self._state: GoldenState = state_of(request.config)
        self._stem: str | None = None
        self._unnamed = 0
        self._files: set[str] = set()

    def check(
        self, value: object, name: str | None = None, *, rtol: float = 0.0, atol: float = 0.0
    ) -> None:
        """Compare ``value`` with its golden file; fail the test with a diff when they
        differ, or when the golden file is missing (unless ``--update-goldens``).

        ``name`` tells several checks of one test apart (letters, digits, ``_ - .``);
        unnamed checks are numbered: the first has no label, then ``.2``, ``.3``, ...
        ``rtol``/``atol`` let floats in JSON data differ (as :func:`math.isclose`).
        """
        __tracebackhide__ = True
        check_tolerance(rtol, atol)
        label = None if name is None else validate_name(name)
        serialized = serialize(value, serializers_for(self._request.config))
        if (rtol or atol) and serialized.kind != "json":
            raise ValueError(
                f"rtol/atol apply to JSON data only; this value is stored as {serialized.kind} "
                f"({serialized.suffix})"
            )
        if label is None:
            self._unnamed += 1
            label = None if self._unnamed == 1 else str(self._unnamed)
        path = self._claim(label, serialized.suffix)
        if observations_key in self._request.node.stash:  # the determinism runner watches
            note(self._request.node, f"golden:{path.name}", serialized.content)
        _verify(self._state, self._request, path, serialized, rtol, atol)

    def _claim(self, label: str | None, suffix: str) -> Path:
        __tracebackhide__ = True
        item = self._request.node
        if self._stem is None:
            self._stem = test_stem(item)
        name = file_name(self._stem, label, suffix)
        key = name.casefold()
        if key in self._files:
            raise ValueError(
                f"two golden checks in this test use the file {name}; give each check "
                "a distinct name="
            )
        self._files.add(key)
        path = module_folder(item.path, self._state.golden_dir) / name
        return path


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare values with golden files: ``golden.check(value, name=None, *, rtol=0.0,
    atol=0.0)`` (pytest-graduation)."""
    return Golden(request)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Golden files are data, never tests: without this, pytest's doctest plugin would
    collect ``golden/<module>/test_*.txt`` as doctest files."""
    if (
        collection_path.parent.parent.name == state_of(config).golden_dir
        and collection_path.suffix != ".py"
        and not collection_path.is_dir()  # a test package named like golden_dir stays
    ):
        return True
    return None


@final
class _GoldenCheck:
    """One ``golden.check`` against its file: what it records, writes or fails with."""

    def __init__(self, state: GoldenState, request: pytest.FixtureRequest, path: Path) -> None:
        self.state, self.request, self.path = state, request, path
        self.rel = relative(path, state.rootdir)
        self.frozen = state.update and state.is_frozen(path)
        self.writable = state.update and not self.frozen

    def record(self, status: str) -> None:
        use = {"nodeid": self.request.node.nodeid, "path": self.rel, "status": status}
        facts_of(self.state.config).add(USED_STREAM, use)

    def fail(self, status: str, message: str) -> None:
        __tracebackhide__ = True
        frozen = self.frozen and status in ("missing", "corrupt", "failed")
        self.record("frozen" if frozen else status)
        pytest.fail(message)

    def rewrite(self, actual: Serialized, status: str) -> bool:
        """Write ``actual`` when ``--update-goldens`` may; whether it did."""
        if self.writable:
            storage.write_atomic(self.path, actual.encoded())
            self.record(status)
        return self.writable

    def failure(self, what: str, hint: str) -> str:
        note = _frozen_note(self.rel) if self.frozen else None
        return f"golden file {what}\n{note}" if note else f"golden file {what} — {hint}"


def _verify(
    state: GoldenState,
    request: pytest.FixtureRequest,
    path: Path,
    actual: Serialized,
    rtol: float,
    atol: float,
) -> None:
    __tracebackhide__ = True
    check = _GoldenCheck(state, request, path)
    try:
        ensure_inside(golden_root(request.node.path, state.golden_dir), path)
    except UnsafePath as exc:
        check.fail("unsafe", str(exc))
    raw, problem = _read(state, path, check.rel)
    if problem is not None:
        check.fail("unreadable", problem)
    if raw is None:
        if not check.rewrite(actual, "created"):
            hint = "run pytest --update-goldens to create it"
            check.fail("missing", check.failure(f"missing: {check.rel}", hint))
        return
    try:
        expected = read_golden(raw, actual)
    except CorruptGolden as exc:
        if not check.rewrite(actual, "updated"):
            hint = "run pytest --update-goldens to rewrite it"
            check.fail("corrupt", check.failure(f"corrupt: {check.rel}: {exc}", hint))
        return
    if equal(expected, actual, rtol, atol):
        check.record("passed")
    elif not check.rewrite(actual, "updated"):
        diff = _mismatch(
            state, request, path, check.rel, expected, actual, rtol, atol, check.frozen
        )
        check.fail("failed", diff)


def _read(state: GoldenState, path: Path, rel: str) -> tuple[bytes | None, str | None]:
    """The golden's bytes (None when missing), or why it cannot be read; the failure
    is raised by the caller, outside the ``except``, so no chained traceback shows."""
    try:
        return storage.read(path), None
    except OSError as exc:
        return None, _unreadable(state, rel, exc)


def _unreadable(state: GoldenState, rel: str, exc: OSError) -> str:
    """Why the golden at ``rel`` cannot be read (a folder, FIFO or device is there,
    or a file stands where its folder belongs); --update-goldens replaces none of
    them, since only regular files are goldens."""
    if isinstance(exc, NotAFile):
        return (
            f"golden path {rel} is a {exc.kind}, not a file; goldens are regular files: "
            "remove it, then run pytest --update-goldens"
        )
    if isinstance(exc, storage.NotAFolder):
        return (
            f"golden folder {relative(exc.path, state.rootdir)} is a file, not a folder, "
            f"so the golden {rel} cannot be read or written; move that file away"
        )
    return f"golden file unreadable: {rel}: {exc}"


def _frozen_note(rel: str) -> str:
    return (
        f"{rel} is frozen in goldens.lock, so --update-goldens leaves it alone; "
        "remove its entry from goldens.lock to change it"
    )


def _mismatch(
    state: GoldenState,
    request: pytest.FixtureRequest,
    path: Path,
    rel: str,
    expected: Serialized,
    actual: Serialized,
    rtol: float,
    atol: float,
    frozen: bool,
) -> str:
    tolerance = f" (rtol={rtol:g}, atol={atol:g})" if rtol or atol else ""
    lines = [f"golden file mismatch: {rel}{tolerance}", diff(expected, actual, rtol, atol)]
    if TRUNCATED in lines[1]:
        lines.append(_write_received(request, path, actual))
    if frozen:
        lines.append(_frozen_note(rel))
    else:
        lines.append("run pytest --update-goldens to accept the received value")
    return "\n".join(lines)


def _write_received(request: pytest.FixtureRequest, path: Path, actual: Serialized) -> str:
    """Save the full received value of a cut diff; where it went, or why it could not
    be saved (the diff is shown either way)."""
    try:
        target = _received_folder(request) / path.parent.name / path.name
        storage.write_atomic(target, actual.encoded())
    except OSError as exc:
        return f"full received value not saved: {exc}"
    return f"full received value written to {target}"


#: this process's own folder for received values when pytest's tmpdir plugin is off
_received_key: Final = pytest.StashKey[Path]()


def _received_folder(request: pytest.FixtureRequest) -> Path:
    """``<basetemp>/golden-received`` while pytest's tmpdir plugin is on (so
    ``--basetemp`` and pytest's clean-up apply); else a private folder made by
    :func:`tempfile.mkdtemp` once per process (``-p no:tmpdir`` removes the
    ``tmp_path_factory`` fixture, and nothing private of pytest is touched)."""
    config = request.config
    if config.pluginmanager.has_plugin("tmpdir"):
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        return factory.getbasetemp() / "golden-received"
    folder = config.stash.get(_received_key, None)
    if folder is None:
        folder = config.stash[_received_key] = Path(
            tempfile.mkdtemp(prefix="pytest-graduation-received-")
        )
    return folder
