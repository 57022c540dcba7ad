"""Doctests, one passing and one failing."""


def add(a: int, b: int) -> int:
    """
    >>> add(1, 2)
    3
    """
    return a + b


def sub(a: int, b: int) -> int:
    """
    >>> sub(3, 1)
    1
    """
    return a - b
