"""The public-API core (SPEC section 14): settings, api.lock, api_documented, freeze,
and every way a measurement can fail (no griffe, no lock, a FIFO, a syntax error)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from api_helpers import api, documented, freeze_now, frozen, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_run
from pytest_graduation.api import lockfile
from pytest_graduation.api import surface as surface_module
from pytest_graduation.api.compare import compare, compare_by_griffe, rebuild
from pytest_graduation.api.criteria import ApiDocumentedCriterion, ApiFrozenCriterion
from pytest_graduation.api.freeze import FreezeError
from pytest_graduation.api.lockfile import parse_lock, render
from pytest_graduation.api.settings import ApiSettings, parse_api_table
from pytest_graduation.api.surface import Surface, describe_roots
from pytest_graduation.config import ConfigError
from pytest_graduation.model import Status
from pytest_graduation.validation import Checker, flag, percentage

WHERE = "pyproject.toml: tool.graduation.api."
CHECK = Checker(Path("pyproject.toml"), "tool.graduation.")


def parse(table: object) -> ApiSettings:
    return parse_api_table(CHECK, "api", table)


# --- settings ---------------------------------------------------------------------------


def test_defaults_and_a_full_table() -> None:
    assert parse({"packages": ["mypkg"]}) == ApiSettings(
        packages=("mypkg",), search=("src", "."), lock="api.lock"
    )
    full = {"packages": ["a", "b.c"], "search": ["lib"], "lock": "meta/api.lock"}
    assert parse(full) == ApiSettings(("a", "b.c"), ("lib",), "meta/api.lock")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, "packages: expected this key to be set"),
        ({"packages": []}, "packages: expected a non-empty array of strings, got array []"),
        ({"packages": "pkg"}, "packages: expected a non-empty array of strings, got string 'pkg'"),
        ({"packages": [1]}, "packages[0]: expected a non-empty string, got integer 1"),
        ({"packages": ["my-pkg"]}, "packages[0]: expected an import name such as mypkg"),
        ({"packages": ["a", "a"]}, "packages: expected unique names"),
        ({"packages": ["a", "a.b"]}, "packages: expected packages not inside one another (a)"),
        (
            {"packages": ["a"], "typo": 1},
            "typo: unknown key (expected one of: lock, packages, search)",
        ),
        ({"packages": ["a"], "search": []}, "search: expected a non-empty array of strings"),
        (
            {"packages": ["a"], "search": ["/abs"]},
            "search[0]: expected a path relative to the rootdir",
        ),
        (
            {"packages": ["a"], "lock": "../api.lock"},
            "lock: expected a path relative to the rootdir",
        ),
        ({"packages": ["a"], "lock": ""}, "lock: expected a non-empty string, got string ''"),
        ({"packages": ["a"], "lock": "meta/"}, "lock: expected a file name"),
    ],
)
def test_bad_tables_are_config_errors_naming_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(table)
    assert str(caught.value).startswith(WHERE + message)


def test_a_non_table_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"^pyproject.toml: tool.graduation.api: expected a table"
    ):
        parse(["pkg"])


@pytest.mark.parametrize("value", [-1, 100.5, True, "90", float("nan"), None])
def test_api_documented_must_be_a_percentage(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^k\.api_documented: expected a number from 0 to 100"):
        percentage(Checker(None, "k."), "api_documented", value)


def test_valid_level_values() -> None:
    check = Checker(None, "k.")
    assert percentage(check, "api_documented", 0) == 0.0
    assert percentage(check, "api_documented", 87.5) == 87.5
    assert flag(check, "api_frozen", False) is False
    with pytest.raises(ConfigError, match=r"^k\.api_frozen: expected true or false, got string"):
        flag(check, "api_frozen", "yes")


# --- what stops a measurement ------------------------------------------------------------


def test_without_griffe_both_criteria_are_unmet_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": '"""Doc."""\n'})
    freeze_now(tmp_path)
    monkeypatch.setitem(sys.modules, "griffe", None)  # import griffe now raises ImportError
    for result in (frozen(tmp_path), documented(tmp_path, 0)):
        assert result.status == Status.UNMET
        assert result.details == ('pip install "pytest-graduation[api]"',)
    with pytest.raises(FreezeError, match=r"pip install \"pytest-graduation\[api\]\""):
        freeze_now(tmp_path)


def test_a_missing_lock_is_unmet_with_the_freeze_hint(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "X = 1\n"})
    result = frozen(tmp_path)
    assert (result.status, result.measured) == (Status.UNMET, "no lock")
    assert result.details == (f"api.lock not found in {tmp_path}: run pytest --freeze-api",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]  # judging writes nothing


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_lock_is_a_clear_error_never_a_hang(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "X = 1\n"})
    os.mkfifo(tmp_path / "api.lock")
    result = frozen(tmp_path)
    assert result.status == Status.UNMET
    assert result.details == (f"{tmp_path / 'api.lock'}: not a regular file (a FIFO)",)
    with pytest.raises(FreezeError, match="not a regular file"):
        freeze_now(tmp_path)
    assert not (tmp_path / "api.lock").is_file()  # the FIFO was left alone


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (b"[]", 'expected {"api": {...}, "packages": [...], "version": 1}'),
        (b'{"api": {}, "packages": ["pkg"], "version": 2}', "unsupported version 2"),
        (b'{"api": {}, "packages": ["pkg"], "version": true}', "unsupported version True"),
        (b'{"api": {}, "packages": ["pkg"], "version": 1}', "package 'pkg' has no module entry"),
        (
            b'{"api": {"pkg": {"kind": "module"}, "pkg.f": {"kind": "function", "labels": [],'
            b' "parameters": [{"annotation": null, "default": null, "kind": "bogus", "name": "a"}],'
            b' "returns": null}}, "packages": ["pkg"], "version": 1}',
            "api entry 'pkg.f': parameters[0]: expected",
        ),
        (
            b'{"api": {"pkg": {"kind": "module"}, "pkg.K.m": {"kind": "module"}},'
            b' "packages": ["pkg"], "version": 1}',
            "api entry 'pkg.K.m': its parent is not a module or class entry",
        ),
        (
            b'{"api": {"pkg": {"kind": "module", "line": 3}}, "packages": ["pkg"], "version": 1}',
            "api entry 'pkg': a module has exactly the keys kind",
        ),
    ],
)
def test_a_bad_lock_is_unmet_naming_the_problem(
    tmp_path: Path, content: bytes, message: str
) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "X = 1\n"})
    (tmp_path / "api.lock").write_bytes(content)
    result = frozen(tmp_path)
    assert (result.status, result.measured) == (Status.UNMET, "lock unreadable")
    assert result.details[0].startswith(f"{tmp_path / 'api.lock'}: {message}")


def test_a_folder_or_an_oversized_lock_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "X = 1\n"})
    (tmp_path / "api.lock").mkdir()
    assert frozen(tmp_path).details[0].endswith("not a regular file (a directory)")
    (tmp_path / "api.lock").rmdir()
    freeze_now(tmp_path)
    monkeypatch.setattr(lockfile, "MAX_LOCK_BYTES", 10)
    assert frozen(tmp_path).details[0].endswith("larger than the 10 byte limit")


def test_a_corrupt_lock_is_replaced_by_freezing_with_a_note(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "X = 1\n"})
    (tmp_path / "api.lock").write_text("{oops")
    (line,) = freeze_now(tmp_path).summary_lines()
    assert line.startswith("api.lock: 2 objects recorded (previous lock unreadable, replaced: ")
    assert frozen(tmp_path).status == Status.MET


def test_a_lock_folder_that_leaves_the_rootdir_is_refused(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    outside.mkdir()
    write_tree(project, {"src/pkg/__init__.py": "X = 1\n"})
    (project / "meta").symlink_to(outside, target_is_directory=True)
    with pytest.raises(FreezeError, match="resolves outside the rootdir"):
        freeze_now(project, api(lock="meta/api.lock"))
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "pkg: package not found in src, . (relative to "),
        ({"src/pkg/__init__.py": "def (:\n"}, "pkg: griffe cannot parse it: LoadingError: Syntax"),
        (
            {"src/pkg/__init__.py": '"""Fine."""\n', "src/pkg/_broken.py": "x = (\n"},
            "pkg: griffe cannot parse src/pkg/_broken.py: syntax error at line 1:",
        ),
        (
            {"src/pkg/__init__.py": "", "src/pkg/sub/__init__.py": "", "src/pkg/sub/m.py": "\0"},
            "pkg: griffe cannot parse src/pkg/sub/m.py: ",
        ),
    ],
    ids=["not-found", "syntax-error", "private-submodule", "null-byte"],
)
def test_a_package_griffe_cannot_load_is_unmet_naming_it(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    write_tree(tmp_path, files)
    (tmp_path / "api.lock").write_text(render(("pkg",), {"pkg": {"kind": "module"}}))
    for result in (frozen(tmp_path), documented(tmp_path, 0)):
        assert (result.status, result.measured) == (Status.UNMET, "not loaded")
        assert result.details[0].startswith(message), result.details
    with pytest.raises(FreezeError, match=r"^pkg: "):
        freeze_now(tmp_path)


def test_a_package_dropped_from_the_settings_is_unmet(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/a/__init__.py": "X = 1\n", "src/b/__init__.py": "Y = 1\n"})
    freeze_now(tmp_path, api("a", "b"))
    result = frozen(tmp_path, api("a"))
    assert result.status == Status.UNMET
    assert (
        "b: recorded in api.lock but no longer in [tool.graduation.api] packages"
        in result.details[1]
    )


def test_one_run_loads_the_packages_once_for_both_criteria(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": '"""Doc."""\n', "src/other/__init__.py": ""})
    freeze_now(tmp_path)
    loads: list[ApiSettings] = []

    def counted(root: Path, wanted: ApiSettings) -> Surface:
        loads.append(wanted)
        return real(root, wanted)

    real = surface_module.load_surface
    monkeypatch.setattr(surface_module, "load_surface", counted)
    run = make_run(level="rc", rootdir=tmp_path)
    assert ApiFrozenCriterion(api()).evaluate(run).status == Status.MET
    assert ApiDocumentedCriterion(100, api()).evaluate(run).status == Status.MET
    assert loads == [api()]
    # other packages, or another run, are loaded afresh: never another run's surface
    assert ApiDocumentedCriterion(100, api("other")).evaluate(run).status == Status.UNMET
    again = make_run(level="rc", rootdir=tmp_path)
    assert ApiDocumentedCriterion(100, api()).evaluate(again).status == Status.MET
    assert loads == [api(), api("other"), api()]


def test_a_failed_load_fails_both_criteria_of_the_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/pkg/__init__.py": "def f(:\n"})
    (tmp_path / "api.lock").write_text(render(("pkg",), {"pkg": {"kind": "module"}}))
    run = make_run(level="rc", rootdir=tmp_path)
    first = ApiDocumentedCriterion(0, api()).evaluate(run)
    second = ApiFrozenCriterion(api()).evaluate(run)  # from the memo: the same failure
    assert (first.status, first.measured) == (second.status, second.measured)
    assert (first.status, first.measured) == (Status.UNMET, "not loaded")
    assert first.details == second.details
    assert first.details[0].startswith("pkg: griffe cannot parse")


# --- api_documented ----------------------------------------------------------------------

DOCS = {
    "src/pkg/__init__.py": '''\
        """The package."""
        from pkg._impl import Client

        __all__ = ["Client", "helper"]

        def helper():
            return 1
    ''',
    "src/pkg/_impl.py": '''\
        class Client:
            """A client."""

            def __init__(self):
                pass

            def get(self):
                """Get it."""

            def put(self):
                ""

            @property
            def size(self):
                return 1

            def _private(self):
                pass
    ''',
    "src/pkg/tools.py": "def run():\n    '''Run.'''\n",
}


def test_documented_counts_public_modules_classes_functions_and_methods(tmp_path: Path) -> None:
    write_tree(tmp_path, DOCS)
    result = documented(tmp_path, 50)
    # counted: pkg, pkg.Client, get, put, size, helper, pkg.tools, run (not __init__, _private)
    assert (result.status, result.measured) == (Status.MET, "50.0% (4/8 documented)")
    assert result.details == (
        "undocumented: src/pkg/_impl.py:10: pkg.Client.put",
        "undocumented: src/pkg/_impl.py:14: pkg.Client.size",
        "undocumented: src/pkg/__init__.py:6: pkg.helper",
        "undocumented: src/pkg/tools.py:1: pkg.tools",
    )
    assert documented(tmp_path, 50.01).status == Status.UNMET


def test_documented_compares_exactly_at_the_threshold(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"src/pkg/__init__.py": '"""P."""\ndef a():\n    """A."""\ndef b(): ...\n'}
    )
    assert documented(tmp_path, 66.66).status == Status.MET
    assert documented(tmp_path, 66.67).status == Status.UNMET
    assert documented(tmp_path, 66.67).measured == "66.7% (2/3 documented)"


def test_documented_lists_at_most_twenty(tmp_path: Path) -> None:
    source = "".join(f"def f{i:02}(): ...\n" for i in range(25))
    write_tree(tmp_path, {"src/pkg/__init__.py": source})
    result = documented(tmp_path, 100)
    assert result.measured == "0.0% (0/26 documented)"
    assert len(result.details) == 21
    assert result.details[-1] == "... and 6 more"


def test_nothing_public_is_never_met(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/ns/README.txt": "not python\n"})
    result = documented(tmp_path, 0, api("ns"))
    assert (result.status, result.measured) == (Status.UNMET, "nothing public")
    assert result.details == (
        "nothing measured: no public module, class, function or method in ns",
    )


def test_a_namespace_package_counts_its_modules_not_itself(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/ns/tools.py": '"""Tools."""\n'})
    assert documented(tmp_path, 100, api("ns")).measured == "100.0% (1/1 documented)"


# --- freeze and the lock text ---------------------------------------------------------------


def test_the_lock_is_canonical_sorted_json_without_lines_or_docstrings(tmp_path: Path) -> None:
    write_tree(tmp_path, DOCS)
    assert freeze_now(tmp_path).summary_lines() == ["api.lock: 9 objects recorded (new lock)"]
    text = (tmp_path / "api.lock").read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert list(document["api"]) == [
        "pkg",
        "pkg.Client",
        "pkg.Client.__init__",
        "pkg.Client.get",
        "pkg.Client.put",
        "pkg.Client.size",
        "pkg.helper",
        "pkg.tools",
        "pkg.tools.run",
    ]
    assert "Get it" not in text and "line" not in text and "_impl" not in text
    assert document["api"]["pkg.Client.get"] == {
        "kind": "function",
        "labels": [],
        "parameters": [
            {"annotation": None, "default": None, "kind": "positional or keyword", "name": "self"}
        ],
        "returns": None,
    }
    freeze_now(tmp_path)
    assert (tmp_path / "api.lock").read_text(encoding="utf-8") == text


# --- property: the lock round-trips through griffe objects ---------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
texts = st.none() | st.sampled_from(["int", "str | None", "'x'", "1", "list[int]", "()", "{}"])
parameter: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "annotation": texts,
        "default": texts,
        "kind": st.sampled_from(lockfile.PARAMETER_KINDS),
        "name": names,
    }
)
# apart from the dict around it, so that mypy infers the element type from parameter
parameters = st.lists(parameter, max_size=6, unique_by=lambda p: p["name"])
function = st.fixed_dictionaries(
    {
        "kind": st.just("function"),
        "labels": st.lists(
            st.sampled_from(["async", "classmethod", "staticmethod"]), unique=True
        ).map(sorted),
        "parameters": parameters,
        "returns": texts,
    }
)
klass = st.fixed_dictionaries(
    {
        "kind": st.just("class"),
        "bases": st.lists(st.sampled_from(["pkg.Base", "Exception", "Generic[T]"]), max_size=2),
        "labels": st.just([]),
    }
)
attribute = st.fixed_dictionaries(
    {"kind": st.just("attribute"), "annotation": texts, "labels": st.just(["module-attribute"])}
)
alias = st.fixed_dictionaries({"kind": st.just("alias"), "target": st.just("os.path.join")})


@st.composite
def apis(draw: st.DrawFn) -> dict[str, Any]:
    entries: dict[str, Any] = {"pkg": {"kind": "module"}}
    for name, entry in draw(
        st.dictionaries(names, function | klass | attribute | alias, max_size=6)
    ).items():
        entries[f"pkg.{name}"] = entry
        if entry["kind"] == "class":
            for method, body in draw(
                st.dictionaries(names, function | attribute, max_size=3)
            ).items():
                entries[f"pkg.{name}.{method}"] = body
    return entries


@given(apis())
@settings(max_examples=60, deadline=None)
def test_the_lock_round_trips_through_griffe_objects(entries: dict[str, Any]) -> None:
    text = render(("pkg",), entries)
    lock = parse_lock(json.loads(text), "api.lock")
    again = describe_roots(rebuild(lock.entries, lock.packages), None, lock.packages)
    assert render(("pkg",), again.entries) == text
    # the shortcut of compare() for equal descriptions is sound: griffe agrees
    same = compare_by_griffe(lock, Surface(("pkg",), again.entries))
    assert (same.breakages, same.additions, same.changes) == ([], [], [])
    assert compare(lock, Surface(("pkg",), again.entries)) == same
