"""Sizes read as people say them: "2 GB", not "2048 MB" or "2.0 GB" (the ``filesize`` filter)."""

from __future__ import annotations

import pytest

from portal.filetypes import human_size


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (1024 * 1024, "1 MB"),
        (int(2.3 * 1024 * 1024), "2.3 MB"),
        (1024 * 1024 - 1, "1 MB"),
        (2048 * 1024 * 1024, "2 GB"),
        (10240 * 1024 * 1024, "10 GB"),
        (3 * 1024**4, "3 TB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text
