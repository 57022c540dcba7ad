"""Turn "1 + 2 * 3" into tokens: ints and operator characters."""

from __future__ import annotations

OPERATORS = "+-*/"


def parse(text: str) -> list[int | str]:
    tokens: list[int | str] = []
    number = ""
    for char in text + " ":
        if char.isdigit():
            number += char
            continue
        if number:
            tokens.append(int(number))
            number = ""
        if char in OPERATORS:
            tokens.append(char)
        elif not char.isspace():
            raise ValueError(f"unexpected character {char!r}")
    return tokens
