def double(x: int) -> int:
    return 2 * x


def never(x: int) -> int:
    return x
