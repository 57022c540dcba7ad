import pytest
from tinycalc import parse


def test_numbers_and_operators():
    assert parse("12 + 3*4") == [12, "+", 3, "*", 4]


def test_rejects_unknown_characters():
    with pytest.raises(ValueError, match="unexpected character 'x'"):
        parse("1 x 2")
