"""The queue: jobs leave by priority, then in the order they came."""

from __future__ import annotations

import heapq
import itertools
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: the largest payload a job may carry, in bytes
MAX_PAYLOAD = 64 * 1024


class QueueFull(Exception):
    """The queue holds ``capacity`` jobs already."""


@dataclass(frozen=True, order=True)
class Job:
    """A unit of work; a lower ``priority`` leaves first."""

    priority: int
    name: str = field(compare=False)
    payload: bytes = field(default=b"", compare=False)


class JobQueue:
    """A bounded priority queue of :class:`Job` that logs every change."""

    def __init__(self, capacity: int = 1000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._heap: list[tuple[int, int, Job]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, job: Job) -> None:
        """Add ``job``; refuse it when the queue is full or the payload too large."""
        if len(job.payload) > MAX_PAYLOAD:
            log.warning("refused %s: payload of %d bytes", job.name, len(job.payload))
            raise ValueError(f"payload of {job.name} exceeds {MAX_PAYLOAD} bytes")
        if len(self._heap) >= self.capacity:
            log.warning("refused %s: queue full", job.name)
            raise QueueFull(f"queue holds {self.capacity} jobs")
        heapq.heappush(self._heap, (job.priority, next(self._order), job))
        log.info("queued %s (priority %d)", job.name, job.priority)

    def get(self) -> Job:
        """Remove and return the next job; ``IndexError`` when empty."""
        if not self._heap:
            raise IndexError("get from an empty queue")
        job = heapq.heappop(self._heap)[2]
        log.info("started %s", job.name)
        return job

    def drain(self) -> list[Job]:
        """Every job, in the order they would leave."""
        return [self.get() for _ in range(len(self._heap))]
