import sys

import pytest
from calc import add, divide


@pytest.mark.smoke
def test_add():
    assert add(2, 3) == 5


def test_divide():
    assert divide(6, 3) == 2


@pytest.mark.skipif(sys.platform != "win32", reason="Windows-only path handling")
def test_windows_paths():
    assert add(0.1, 0.2) == pytest.approx(0.3)


@pytest.mark.phase("rc")
def test_divide_by_zero_is_a_value_error():
    with pytest.raises(ValueError):
        divide(1, 0)
