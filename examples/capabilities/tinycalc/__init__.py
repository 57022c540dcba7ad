"""A tiny calculator: the package the capabilities example gates."""

from tinycalc.evaluate import evaluate
from tinycalc.parser import parse

__all__ = ["evaluate", "parse"]
