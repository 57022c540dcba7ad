import time

import pytest
from tinyqueue import Job, JobQueue


@pytest.mark.benchmark
def test_ten_thousand_jobs_in_well_under_a_second():
    # the budget in docs/performance.md; generous, so a slow CI runner passes
    queue = JobQueue(capacity=10_000)
    start = time.perf_counter()
    for index in range(10_000):
        queue.put(Job(index % 7, f"job-{index}"))
    assert len(queue.drain()) == 10_000
    assert time.perf_counter() - start < 5.0
