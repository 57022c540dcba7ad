"""The structure the feature contract promises: no import cycles among the package's
modules, every feature in the registry, and judging that never reaches the session."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest_graduation
from pytest_graduation.feature import Feature
from pytest_graduation.features import builtin_criteria_names, registry

PACKAGE = Path(pytest_graduation.__file__).parent


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def _top_level_imports(path: Path) -> set[str]:
    """Modules of the package that importing ``path`` imports, each with the packages
    above it (Python initialises those first); imports in functions and under
    ``TYPE_CHECKING`` run later, or never."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    deps = {
        p for name in found if name.startswith("pytest_graduation") for p in _with_parents(name)
    }
    # the packages above a module are being initialised already when it runs
    return deps - _with_parents(_module_of(path))


def test_the_package_has_no_import_cycle() -> None:
    modules = {_module_of(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        name: {dep for dep in _top_level_imports(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "import cycle: " + " -> ".join([*trail, name])
        state[name] = "open"
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])


ISOLATED_IMPORTS = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.startswith("pytest_graduation")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        print(f"{name}: {type(exc).__name__}: {exc}")
"""


def test_every_module_imports_on_its_own() -> None:
    # each with none of the package imported before it (__main__ runs the merge command)
    modules = sorted(
        {_module_of(p) for p in PACKAGE.rglob("*.py")} - {"pytest_graduation.__main__"}
    )
    done = subprocess.run(
        [sys.executable, "-c", ISOLATED_IMPORTS, *modules],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_every_feature_declares_what_it_configures() -> None:
    features = registry()
    assert all(isinstance(feature, Feature) for feature in features)
    assert [f.name for f in features] == [
        "tests",
        "coverage",
        "baselines",
        "determinism",
        "capabilities",
        "checklist",
        "api",
        "goldens",
        "repository",
    ]
    keys = [key.name for feature in features for key in feature.keys]
    assert len(keys) == len(set(keys)), "two features declare one key"
    assert builtin_criteria_names()[0] == "tests"
    assert len(set(builtin_criteria_names())) == len(builtin_criteria_names())


def test_judging_never_sees_the_session() -> None:
    # criteria get plain data: the run has no pytest config to reach back into
    from pytest_graduation.model import GateRun

    assert "config" not in GateRun.__dataclass_fields__
    importlib.import_module("pytest_graduation.judge")
