import os


def test_b():
    # fails in the run that records last failures, passes in the measured run
    assert os.environ.get("COMPAT_FIXED") == "1"
