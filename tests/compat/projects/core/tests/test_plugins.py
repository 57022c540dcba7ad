import asyncio
import os

import pytest


@pytest.mark.asyncio
async def test_asyncio():
    await asyncio.sleep(0)


def test_mocker(mocker):
    mocker.patch("os.getcwd", return_value="/nowhere")
    assert os.getcwd() == "/nowhere"


def test_subtests(subtests):
    for i in range(3):
        with subtests.test(msg="each", i=i):
            assert i != 2
