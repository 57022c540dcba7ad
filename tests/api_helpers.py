"""Helpers for the api tests: package trees in a folder, criteria judged in process."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from conftest import make_run
from pytest_graduation.api.criteria import ApiDocumentedCriterion, ApiFrozenCriterion
from pytest_graduation.api.freeze import FreezeResult, freeze
from pytest_graduation.api.settings import ApiSettings
from pytest_graduation.model import CriterionResult


def write_tree(root: Path, files: dict[str, str], *, clean: str | None = None) -> None:
    """Write ``files`` (dedented) under ``root``; ``clean`` first removes that folder."""
    if clean is not None:
        shutil.rmtree(root / clean, ignore_errors=True)
    for relpath, text in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")


def api(
    *packages: str, search: tuple[str, ...] = ("src", "."), lock: str = "api.lock"
) -> ApiSettings:
    return ApiSettings(packages=packages or ("pkg",), search=search, lock=lock)


def frozen(root: Path, settings: ApiSettings | None = None) -> CriterionResult:
    return ApiFrozenCriterion(settings or api()).evaluate(make_run(level="rc", rootdir=root))


def documented(root: Path, percent: float, settings: ApiSettings | None = None) -> CriterionResult:
    return ApiDocumentedCriterion(percent, settings or api()).evaluate(
        make_run(level="rc", rootdir=root)
    )


def freeze_now(root: Path, settings: ApiSettings | None = None) -> FreezeResult:
    return freeze(root, settings or api())


def breaking(result: CriterionResult) -> list[str]:
    return [d.removeprefix("breaking: ") for d in result.details if d.startswith("breaking: ")]
