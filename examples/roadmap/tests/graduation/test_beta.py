"""The graduation tests: required from beta (``phases`` in pyproject.toml)."""

from tinyqueue import Job, JobQueue


def test_a_thousand_mixed_jobs_all_leave_in_priority_order():
    queue = JobQueue()
    for index in range(1000):
        queue.put(Job((index * 7919) % 10, f"job-{index}"))
    priorities = [job.priority for job in queue.drain()]
    assert priorities == sorted(priorities)
    assert len(priorities) == 1000


def test_a_drained_queue_takes_new_jobs():
    queue = JobQueue(capacity=2)
    queue.put(Job(1, "a"))
    queue.put(Job(1, "b"))
    queue.drain()
    queue.put(Job(1, "c"))
    assert queue.get().name == "c"
