import pytest
from tinycalc.cli import main

# the command line is a release-candidate feature: required from rc
pytestmark = pytest.mark.phase("rc")


def test_prints_the_value(capsys):
    assert main(["1 + 2"]) == 0
    assert capsys.readouterr().out == "3\n"


def test_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
