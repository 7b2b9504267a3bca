"""S3Storage against moto's S3 server on 127.0.0.1: same interface as the local directory."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from portal.errors import Conflict
from portal.storage import S3Storage, storage_from_url


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server in a thread on a free port: ready when start() returns, always stopped."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch) -> S3Storage:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"stoa-{os.urandom(4).hex()}"
    storage = storage_from_url(f"s3://{bucket}/files?endpoint_url={s3_endpoint}")
    assert isinstance(storage, S3Storage)
    storage.client.create_bucket(Bucket=bucket)
    return storage


def test_stream_to_temp_then_promote_round_trip(s3) -> None:
    data = b"%PDF-1.7\n" + os.urandom(12 * 1024 * 1024)  # two multipart parts
    temp = s3.write_temp(io.BytesIO(data))
    assert temp.size == len(data) and temp.sha256 == hashlib.sha256(data).hexdigest()
    assert temp.head.startswith(b"%PDF")
    assert not s3.exists("c1/report")
    s3.promote(temp, "c1/report")
    with s3.open("c1/report") as fh:
        assert hashlib.sha256(fh.read()).digest() == hashlib.sha256(data).digest()
    assert s3.size("c1/report") == len(data)
    s3.delete("c1/report")
    assert not s3.exists("c1/report")


def test_chunked_resumable_upload_with_parts(s3) -> None:
    data = os.urandom(6 * 1024 * 1024) + b"tail"
    ref = s3.create_temp()
    assert s3.temp_size(ref) == 0
    first = data[: 5 * 1024 * 1024]
    assert s3.append_temp(ref, io.BytesIO(first), offset=0) == len(first)
    with pytest.raises(Conflict):
        s3.append_temp(ref, io.BytesIO(first), offset=0)  # a retried chunk is told the offset
    assert s3.temp_size(ref) == len(first)
    s3.append_temp(ref, io.BytesIO(data[len(first) :]), offset=len(first))
    temp = s3.seal_temp(ref)
    assert temp.size == len(data) and temp.sha256 == hashlib.sha256(data).hexdigest()
    s3.promote(temp, "c1/big")
    with s3.open("c1/big") as fh:
        assert fh.read() == data


def test_abandoned_uploads_are_cleaned(s3) -> None:
    ref = s3.create_temp()
    s3.append_temp(ref, io.BytesIO(b"x" * 100), offset=0)
    s3.write_temp(io.BytesIO(b"leftover"))
    assert s3.cleanup_temp(older_than_seconds=0) >= 2
    assert s3.temp_size(ref) is None
