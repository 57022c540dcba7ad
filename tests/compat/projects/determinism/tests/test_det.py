import asyncio
import time
import unittest

import pytest


@pytest.mark.parametrize("word", ["a", "b"])
def test_plain(word):
    assert sorted({word, "z"})[0] == word


def test_workload():
    # the sleep is the workload: a test of 0.3 s under `timeout = 0.8`
    time.sleep(0.3)


@pytest.mark.asyncio
async def test_asyncio():
    await asyncio.sleep(0)


def test_mocker(mocker):
    spy = mocker.Mock(return_value=2)
    assert spy() == 2


def test_subtests(subtests):
    for i in range(2):
        with subtests.test(i=i):
            assert i < 2


class TestCase(unittest.TestCase):
    def test_sub(self):
        for i in range(2):
            with self.subTest(i=i):
                self.assertLess(i, 2)
