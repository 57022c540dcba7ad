"""The one reader of files that may not be files (goldens, locks, baselines, shards)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_graduation.regular_files import NotAFile, TooLarge, read_regular


def test_a_file_of_exactly_the_limit_is_read_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_bytes(b"x" * 10)
    assert read_regular(path, 10) == b"x" * 10
    with pytest.raises(TooLarge) as caught:
        read_regular(path, 9)
    assert (caught.value.limit, caught.value.size) == (9, 10)
    assert str(caught.value) == f"{path} is larger than the 9 byte limit"


def test_without_a_limit_the_whole_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_bytes(bytes(range(256)) * 5000)
    assert read_regular(path) == bytes(range(256)) * 5000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_a_folder_is_named_and_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opened for reading, it would wait for a writer forever
    with pytest.raises(NotAFile) as caught:
        read_regular(fifo, 100)
    assert (caught.value.kind, str(caught.value)) == (
        "FIFO",
        f"{fifo} is a FIFO, not a regular file",
    )
    with pytest.raises(NotAFile, match="is a directory, not a regular file"):
        read_regular(tmp_path)


def test_a_missing_file_is_the_system_s_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "absent", 10)
