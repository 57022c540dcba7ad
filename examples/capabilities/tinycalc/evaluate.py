"""Evaluate parsed tokens with the usual precedence (* and / before + and -)."""

from __future__ import annotations


def _term(tokens: list[int | str]) -> tuple[int, list[int | str]]:
    value, rest = int(tokens[0]), tokens[1:]
    while rest and rest[0] in ("*", "/"):
        operator, operand, rest = rest[0], int(rest[1]), rest[2:]
        value = value * operand if operator == "*" else value // operand
    return value, rest


def evaluate(tokens: list[int | str]) -> int:
    value, rest = _term(tokens)
    while rest:
        operator = rest[0]
        operand, rest = _term(rest[1:])
        value = value + operand if operator == "+" else value - operand
    return value
