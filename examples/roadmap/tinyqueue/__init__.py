"""tinyqueue: a small in-memory job queue with priorities and logging."""

from __future__ import annotations

from tinyqueue.queue import Job, JobQueue, QueueFull

__version__ = "0.2.0b1"
__all__ = ["Job", "JobQueue", "QueueFull", "__version__"]
