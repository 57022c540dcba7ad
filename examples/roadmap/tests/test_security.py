import pytest
from tinyqueue import Job, JobQueue
from tinyqueue.queue import MAX_PAYLOAD


@pytest.mark.security
def test_an_oversized_payload_is_refused():
    queue = JobQueue()
    with pytest.raises(ValueError, match="exceeds"):
        queue.put(Job(1, "big", b"x" * (MAX_PAYLOAD + 1)))
    assert len(queue) == 0


@pytest.mark.security
def test_a_payload_at_the_limit_is_accepted():
    queue = JobQueue()
    queue.put(Job(1, "edge", b"x" * MAX_PAYLOAD))
    assert queue.get().payload == b"x" * MAX_PAYLOAD
