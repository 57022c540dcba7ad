"""A deliberately small calculator to gate."""


def add(a: float, b: float) -> float:
    return a + b


def divide(a: float, b: float) -> float:
    # Dividing by zero still raises ZeroDivisionError: the rc-phase test below
    # expects a ValueError, so rc is not ready yet.
    return a / b
