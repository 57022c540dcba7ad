import pytest
from tinycalc import evaluate, parse

pytestmark = pytest.mark.capability("evaluate")


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 + 2 * 3", 7), ("10 - 4 / 2", 8), ("2 * 3 * 4", 24)],
)
def test_precedence(text, value):
    assert evaluate(parse(text)) == value
