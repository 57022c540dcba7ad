import pytest


def test_passes():
    assert True


def test_fails():
    assert 1 == 2


def test_skips():
    pytest.skip("not here")


@pytest.mark.xfail(reason="known")
def test_xfails():
    raise AssertionError("known")


@pytest.mark.xfail(reason="fixed meanwhile")
def test_xpasses():
    assert True


@pytest.mark.parametrize("n", [1, 2, 3])
def test_params(n):
    assert n != 2


@pytest.fixture
def broken():
    raise RuntimeError("setup fails")


def test_setup_error(broken):
    pass


@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown fails")


def test_teardown_error(bad_teardown):
    pass


class TestGroup:
    def test_in_class(self):
        assert True
