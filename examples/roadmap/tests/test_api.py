import inspect

import tinyqueue

#: the public API of 0.2 (docs/api.md); changing it is a breaking change
FROZEN = ["Job", "JobQueue", "QueueFull", "__version__"]


def test_the_public_api_is_frozen():
    assert tinyqueue.__all__ == FROZEN


def test_every_public_object_is_documented():
    for name in FROZEN[:-1]:
        assert inspect.getdoc(getattr(tinyqueue, name)), name
