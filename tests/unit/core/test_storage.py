from __future__ import annotations

import hashlib
import io

import pytest

from portal.errors import Invalid
from portal.storage import LocalStorage


def test_stream_to_temp_then_promote(tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    data = b"%PDF-1.7\n" + b"x" * 3_000_000
    temp = storage.write_temp(io.BytesIO(data))
    assert temp.size == len(data) and temp.sha256 == hashlib.sha256(data).hexdigest()
    assert temp.head.startswith(b"%PDF") and len(temp.head) == 8192
    assert not storage.exists("acme/1/report.pdf")
    storage.promote(temp, "acme/1/report.pdf")
    with storage.open("acme/1/report.pdf") as fh:
        assert fh.read() == data
    assert storage.cleanup_temp(older_than_seconds=0) == 0


def test_too_large_leaves_nothing_behind(tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(Invalid):
        storage.write_temp(io.BytesIO(b"a" * 2_000_000), max_bytes=1_000_000)
    assert list((tmp_path / ".tmp").iterdir()) == []


@pytest.mark.parametrize("key", ["../etc/passwd", "a/../../b", "", "a\\b"])
def test_unsafe_keys_are_refused(tmp_path, key) -> None:
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).exists(key)
