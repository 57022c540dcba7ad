import pytest
from tinyqueue import Job, JobQueue, QueueFull


def test_jobs_leave_by_priority_then_in_order():
    queue = JobQueue()
    for job in (Job(2, "b"), Job(1, "a"), Job(2, "c")):
        queue.put(job)
    assert [job.name for job in queue.drain()] == ["a", "b", "c"]


def test_a_full_queue_refuses_a_job():
    queue = JobQueue(capacity=1)
    queue.put(Job(1, "a"))
    with pytest.raises(QueueFull):
        queue.put(Job(1, "b"))
    assert len(queue) == 1


def test_get_from_an_empty_queue():
    with pytest.raises(IndexError):
        JobQueue().get()


def test_capacity_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        JobQueue(capacity=0)


def test_draining_is_reproducible():
    # listed in [tool.graduation] deterministic: the gate runs it three times
    queue = JobQueue()
    for index, name in enumerate(["build", "test", "lint", "docs", "release"]):
        queue.put(Job(index % 2, name))
    assert [job.name for job in queue.drain()] == ["build", "lint", "release", "test", "docs"]
