"""The ``compile`` criterion: every ``.py`` file below the listed paths compiles.

Files are compiled in-process with :func:`compile` (``dont_inherit=True``), so
nothing is written: no bytecode, no ``__pycache__``. Warnings raised while
compiling (``SyntaxWarning`` and friends) are ignored: a warning is not a failure
to compile, even under ``-W error``.

Compiling is the expensive part of the repository criteria, so the digests of the
sources that compiled are remembered in pytest's cache (``.pytest_cache``), per
interpreter version; an unchanged file is not compiled again. Judging itself writes
nothing: the feature hands the known digests to the criterion as a fact and stores
the new ones after judging (``finish``).
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Final, final

import pytest

from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.walk import RepoTree, checked, tree_for

CACHE_KEY: Final = (
    f"graduation/compiled/{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"
)


def _null_line(text: str) -> int:
    """The line of the first NUL character (1 when there is none)."""
    where = text.find("\0")
    return text.count("\n", 0, where) + 1 if where >= 0 else 1


def compile_error(relpath: str, text: str) -> str | None:
    """``path:line: message`` when ``text`` does not compile, else ``None``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, relpath, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = exc.lineno or _null_line(text)
        return f"{relpath}:{line}: {exc.msg}"
    except ValueError as exc:  # older Pythons: "source code string cannot contain null bytes"
        return f"{relpath}:{_null_line(text)}: {exc}"
    except (RecursionError, MemoryError, OverflowError) as exc:
        return f"{relpath}:1: {type(exc).__name__}: {exc}"
    return None


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


#: the digests already known to compile, put in the facts before judging
KNOWN_STREAM: Final = "compiled_known"
#: where the criterion leaves the digests that compiled, for :func:`save_compiled`
COMPILED_MEMO: Final = "compiled"


def _stored(config: pytest.Config) -> set[str]:
    cache = getattr(config, "cache", None)
    stored = cache.get(CACHE_KEY, None) if cache is not None else None
    if isinstance(stored, dict) and stored.get("version") == sys.version:
        digests = stored.get("digests")
        if isinstance(digests, list):
            return {d for d in digests if isinstance(d, str)}
    return set()


def remember_compiled(config: pytest.Config) -> None:
    """Before judging: hand the cached digests to the criterion as plain data."""
    if not is_xdist_worker(config):
        facts_of(config).add(KNOWN_STREAM, sorted(_stored(config)))


def save_compiled(config: pytest.Config, run: GateRun) -> None:
    """After judging: store the digests that compiled (without the cacheprovider
    plugin every file is compiled every time)."""
    compiled = run.memo.get(COMPILED_MEMO)
    cache = getattr(config, "cache", None)
    if cache is not None and isinstance(compiled, set) and compiled != _stored(config):
        cache.set(CACHE_KEY, {"version": sys.version, "digests": sorted(compiled)})


def _known(run: GateRun) -> set[str]:
    return {d for batch in run.fact(KNOWN_STREAM) for d in batch if isinstance(d, str)}


def _targets(tree: RepoTree, paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The files to compile and the problems with the configured paths."""
    files: dict[str, None] = {}
    problems = [] if paths else ["nothing to compile: compile = []"]
    for raw in paths:
        pure = PurePosixPath(raw.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts:
            problems.append(f"{raw}: not a path inside the rootdir")
            continue
        rel = pure.as_posix()
        if not (tree.root / rel).exists():
            problems.append(f"{raw}: no such file or folder")
            continue
        found = [f for f in tree.below(rel) if f.endswith(".py") or f == rel]
        if not found and tree.hides(rel):
            problems.append(f"{raw}: no .py file to compile (excluded)")
        elif not found:
            problems.append(f"{raw}: no .py file to compile")
        files.update(dict.fromkeys(found))
    return sorted(files), problems


@final
class CompileCriterion(Criterion):
    """``compile = ["src"]``: every ``.py`` file below compiles with this interpreter."""

    name = "compile"

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        files, problems = _targets(tree, self.paths)
        known = _known(run)
        compiled: set[str] = set()
        errors = []
        failing = []
        for rel, source in tree.sources(files):
            if source.problem:
                errors.append(f"{rel}:{source.line}: {source.problem}")
                failing.append(rel)
                continue
            digest = _digest(source.text)
            if digest not in known:
                error = compile_error(rel, source.text)
                if error is not None:
                    errors.append(error)
                    failing.append(rel)
                    continue
            compiled.add(digest)
        run.memo[COMPILED_MEMO] = compiled
        measured = f"{len(files) - len(errors)}/{len(files)} compile"
        details = [checked(len(files)), *capped([*problems, *errors])]
        if problems or errors:
            subjects = [*(("file", rel) for rel in failing), *(("other", p) for p in problems)]
            return CriterionResult.unmet(measured, "all compile", details, subjects=subjects)
        return CriterionResult.met(measured, "all compile", details)
