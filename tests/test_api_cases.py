"""api_frozen against real package trees: every breakage kind fails, every harmless
edit leaves the lock byte-identical (or only adds to it) and passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import api, breaking, freeze_now, frozen, write_tree

from pytest_graduation.model import Status

INIT = "src/pkg/__init__.py"

# (id, source before, source after, the expected breakage lines)
BREAKAGES = [
    (
        "removed-object",
        "def f(): ...\ndef g(): ...\n",
        "def f(): ...\n",
        "src/pkg/__init__.py:1: pkg.g: Public object was removed",
    ),
    (
        "removed-method",
        "class K:\n    def run(self): ...\n    def stop(self): ...\n",
        "class K:\n    def run(self): ...\n",
        "src/pkg/__init__.py:1: pkg.K.stop: Public object was removed",
    ),
    (
        "removed-parameter",
        "def f(a, b): ...\n",
        "def f(a): ...\n",
        "src/pkg/__init__.py:1: pkg.f(b): Parameter was removed",
    ),
    (
        "reordered-parameters",
        "def f(a, b): ...\n",
        "\n\ndef f(b, a): ...\n",
        "src/pkg/__init__.py:3: pkg.f(a): Positional parameter was moved: "
        "position: from 0 to 1 (+1)\n"
        "src/pkg/__init__.py:3: pkg.f(b): Positional parameter was moved: "
        "position: from 1 to 0 (-1)",
    ),
    (
        "parameter-kind",
        "def f(a): ...\n",
        "def f(*, a): ...\n",
        "src/pkg/__init__.py:1: pkg.f(a): Parameter kind was changed: "
        "positional or keyword -> keyword-only",
    ),
    (
        "default",
        "def f(a=1): ...\n",
        "def f(a=2): ...\n",
        "src/pkg/__init__.py:1: pkg.f(a): Parameter default was changed: 1 -> 2",
    ),
    (
        "now-required",
        "def f(a=1): ...\n",
        "def f(a): ...\n",
        "src/pkg/__init__.py:1: pkg.f(a): Parameter is now required",
    ),
    (
        "required-added",
        "def f(a): ...\n",
        "def f(a, b): ...\n",
        "src/pkg/__init__.py:1: pkg.f(b): Parameter was added as required",
    ),
    (
        "return-changed",
        "def f() -> int: ...\n",
        "def f() -> str: ...\n",
        "src/pkg/__init__.py:1: pkg.f: Return types are incompatible: int -> str",
    ),
    (
        "return-removed",
        "def f() -> int: ...\n",
        "def f(): ...\n",
        "src/pkg/__init__.py:1: pkg.f: Return types are incompatible: int -> unset",
    ),
    (
        "removed-base",
        "class A: ...\nclass B(A): ...\n",
        "class A: ...\nclass B: ...\n",
        "src/pkg/__init__.py:2: pkg.B: Base class was removed: [pkg.A] -> []",
    ),
    (
        "changed-kind",
        "def f(): ...\n",
        "f = 1\n",
        "src/pkg/__init__.py:1: pkg.f: Public object points to a different kind of object: "
        "function -> attribute",
    ),
]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [case[1:] for case in BREAKAGES],
    ids=[case[0] for case in BREAKAGES],
)
def test_every_breakage_kind_is_unmet_with_its_location(
    tmp_path: Path, before: str, after: str, expected: str
) -> None:
    write_tree(tmp_path, {INIT: before})
    freeze_now(tmp_path)
    assert frozen(tmp_path).status == Status.MET
    write_tree(tmp_path, {INIT: after})
    result = frozen(tmp_path)
    assert result.status == Status.UNMET
    assert breaking(result) == expected.split("\n")
    assert result.measured == f"{len(expected.splitlines())} breaking change(s)"
    assert result.details[-1] == "review the breakages; once intended, run pytest --freeze-api"


def test_freezing_again_reports_the_breakage_and_then_the_gate_passes(tmp_path: Path) -> None:
    write_tree(tmp_path, {INIT: "def f(a, b): ...\n"})
    freeze_now(tmp_path)
    write_tree(tmp_path, {INIT: "def f(a): ...\ndef g(): ...\n"})
    result = freeze_now(tmp_path)
    assert result.summary_lines() == [
        "api.lock: 3 objects recorded (1 added, 1 broken)",
        "  added: src/pkg/__init__.py:2: pkg.g: added function",
        "  broken: src/pkg/__init__.py:1: pkg.f(b): Parameter was removed",
    ]
    assert frozen(tmp_path).status == Status.MET


PACKAGE = {
    "src/pkg/__init__.py": '''\
        """The package."""
        from pkg._impl import Client, greet

        __all__ = ["Client", "greet"]
    ''',
    "src/pkg/_impl.py": '''\
        def _helper(x):
            return x

        def greet(name: str, *, loud: bool = False) -> str:
            """Say hello."""
            return _helper(name)

        class Client:
            timeout: float = 1.0

            def get(self, url: str) -> bytes:
                return b""
    ''',
}

# (id, files that replace the package): none of these changes the public API
HARMLESS = [
    (
        "moved-code",
        {
            "src/pkg/__init__.py": '''\
                """The package."""
                from pkg._client import Client
                from pkg._impl import greet

                __all__ = ["Client", "greet"]
            ''',
            "src/pkg/_impl.py": '''\
                # a comment pushes every line down


                def greet(name: str, *, loud: bool = False) -> str:
                    """Say hello."""
                    return name
            ''',
            "src/pkg/_client.py": """\
                class Client:
                    timeout: float = 1.0

                    def get(self, url: str) -> bytes:
                        return b""
            """,
        },
    ),
    (
        "body-and-docstring",
        {
            **PACKAGE,
            "src/pkg/_impl.py": '''\
                def _helper(x):
                    return x.upper()

                def greet(name: str, *, loud: bool = False) -> str:
                    """Say hello, louder when asked. Rewritten docs."""
                    text = _helper(name)
                    return text + "!" if loud else text

                class Client:
                    """Now documented."""

                    timeout: float = 1.0

                    def get(self, url: str) -> bytes:
                        """Fetch it."""
                        return url.encode()
            ''',
        },
    ),
    (
        "private-names",
        {
            "src/pkg/__init__.py": '''\
                """The package."""
                from pkg._core import Client, greet

                __all__ = ["Client", "greet"]
            ''',
            "src/pkg/_core.py": '''\
                def _assist(x):
                    return x

                _CACHE = {}

                def greet(name: str, *, loud: bool = False) -> str:
                    """Say hello."""
                    return _assist(name)

                class Client:
                    timeout: float = 1.0

                    def _retry(self): ...

                    def get(self, url: str) -> bytes:
                        return b""
            ''',
        },
    ),
]


@pytest.mark.parametrize("files", [case[1] for case in HARMLESS], ids=[c[0] for c in HARMLESS])
def test_harmless_edits_leave_the_lock_byte_identical(
    tmp_path: Path, files: dict[str, str]
) -> None:
    write_tree(tmp_path, PACKAGE)
    freeze_now(tmp_path)
    before = (tmp_path / "api.lock").read_bytes()
    write_tree(tmp_path, files, clean="src/pkg")
    result = frozen(tmp_path)
    assert result.status == Status.MET, result.details
    assert [d for d in result.details if not d.startswith("5 objects")] == []
    assert freeze_now(tmp_path).summary_lines() == [
        "api.lock: 5 objects recorded (0 added, 0 broken)"
    ]
    assert (tmp_path / "api.lock").read_bytes() == before


def test_an_added_function_is_an_addition_not_a_failure(tmp_path: Path) -> None:
    write_tree(tmp_path, {INIT: "def f(): ...\n"})
    freeze_now(tmp_path)
    write_tree(tmp_path, {INIT: "def f(): ...\ndef g(x): ...\n"})
    result = frozen(tmp_path)
    assert result.status == Status.MET
    assert "addition: src/pkg/__init__.py:2: pkg.g: added function" in result.details
    assert breaking(result) == []


def test_an_added_optional_parameter_is_compatible_but_listed(tmp_path: Path) -> None:
    write_tree(tmp_path, {INIT: "def f(a): ...\n"})
    freeze_now(tmp_path)
    write_tree(tmp_path, {INIT: "def f(a, b=1, *, c=None): ...\n"})
    result = frozen(tmp_path)
    assert result.status == Status.MET
    assert list(result.details[1:]) == [
        "compatible: src/pkg/__init__.py:1: pkg.f: changed without breaking (see api.lock diff)"
    ]


def test_a_reexport_breakage_points_at_the_definition(tmp_path: Path) -> None:
    write_tree(tmp_path, PACKAGE)
    freeze_now(tmp_path)
    changed = PACKAGE["src/pkg/_impl.py"].replace("loud: bool = False", "loud: bool = True")
    write_tree(tmp_path, {"src/pkg/_impl.py": changed})
    assert breaking(frozen(tmp_path)) == [
        "src/pkg/_impl.py:4: pkg.greet(loud): Parameter default was changed: False -> True"
    ]


def test_removing_a_reexport_breaks_even_though_the_definition_stays(tmp_path: Path) -> None:
    write_tree(tmp_path, PACKAGE)
    freeze_now(tmp_path)
    source = '"""The package."""\nfrom pkg._impl import Client\n__all__ = ["Client"]\n'
    write_tree(tmp_path, {INIT: source})
    assert breaking(frozen(tmp_path)) == [
        "src/pkg/__init__.py:1: pkg.greet: Public object was removed"
    ]


def test_all_decides_what_is_public(tmp_path: Path) -> None:
    write_tree(tmp_path, {INIT: '__all__ = ["kept"]\ndef kept(): ...\ndef hidden(a): ...\n'})
    freeze_now(tmp_path)
    lock = (tmp_path / "api.lock").read_text()
    assert '"pkg.kept"' in lock and "hidden" not in lock
    write_tree(tmp_path, {INIT: '__all__ = ["kept"]\ndef kept(): ...\n'})
    assert frozen(tmp_path).status == Status.MET
    write_tree(tmp_path, {INIT: '__all__ = ["other"]\ndef kept(): ...\ndef other(): ...\n'})
    assert breaking(frozen(tmp_path)) == [
        "src/pkg/__init__.py:1: pkg.kept: Public object was removed"
    ]


def test_an_import_without_all_is_private_as_griffe_decides(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {INIT: "from pkg._impl import greet\n", "src/pkg/_impl.py": "def greet(): ...\n"}
    )
    freeze_now(tmp_path)
    assert "greet" not in (tmp_path / "api.lock").read_text()


def test_flat_layout_and_a_custom_search_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "def f(a): ...\n", "lib/other/__init__.py": "X = 1\n"})
    assert freeze_now(tmp_path).recorded == 2
    settings = api("other", search=("lib",), lock="other.lock")
    assert freeze_now(tmp_path, settings).recorded == 2
    assert frozen(tmp_path, settings).status == Status.MET
    write_tree(tmp_path, {"pkg/__init__.py": "def f(): ...\n"})
    assert breaking(frozen(tmp_path)) == ["pkg/__init__.py:1: pkg.f(a): Parameter was removed"]


def test_a_namespace_package_is_read_without_an_init(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/ns/tools.py": "def run(x): ...\n"})
    assert freeze_now(tmp_path, api("ns")).recorded == 3  # ns, ns.tools, ns.tools.run
    (tmp_path / "src/ns/tools.py").unlink()
    write_tree(tmp_path, {"src/ns/other.py": "Y = 1\n"})
    assert breaking(frozen(tmp_path, api("ns"))) == [
        "src/ns:1: ns.tools: Public object was removed"
    ]


def test_moving_a_method_to_a_base_class_changes_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {INIT: "class _Base: ...\nclass K(_Base):\n    def run(self): ...\n"})
    freeze_now(tmp_path)
    before = (tmp_path / "api.lock").read_bytes()
    write_tree(tmp_path, {INIT: "class _Root:\n    def run(self): ...\nclass K(_Root): ...\n"})
    assert frozen(tmp_path).status == Status.MET
    freeze_now(tmp_path)
    assert (tmp_path / "api.lock").read_bytes() == before
