import logging

import pytest
from tinyqueue import Job, JobQueue, QueueFull


def test_every_change_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="tinyqueue")
    queue = JobQueue()
    queue.put(Job(1, "build"))
    queue.get()
    assert [r.getMessage() for r in caplog.records] == [
        "queued build (priority 1)",
        "started build",
    ]


def test_a_refusal_is_a_warning(caplog):
    queue = JobQueue(capacity=1)
    queue.put(Job(1, "a"))
    with pytest.raises(QueueFull):
        queue.put(Job(1, "b"))
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "refused b: queue full")
    ]
