"""Blob storage behind one interface: a local directory (default) or S3-compatible (``s3://``).

Uploads stream to a temporary object (size, SHA-256 and the first bytes are computed on the way),
then are promoted to their final key. Nothing is ever read whole into memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import parse_qs, urlparse

from portal.errors import Conflict, Invalid

CHUNK = 1024 * 1024
HEAD_BYTES = 8192


@dataclass(frozen=True)
class TempObject:
    """A streamed upload not yet visible under a final key."""

    ref: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for content-type sniffing


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: its stream (read once, never whole) and the name it was given."""

    stream: BinaryIO
    filename: str


@dataclass
class Blob:
    """A stored object on its way out: what a service hands ``portal.web.downloads.send_blob``.

    ``stream`` is open and owned by the response (closed when sent); a linked object has only
    ``redirect_url``. ``inline_ok`` says the type is safe to show in the browser.
    """

    name: str
    content_type: str
    size: int
    stream: BinaryIO | None = None
    redirect_url: str | None = None
    inline_ok: bool = False


def document_blob(data: dict[str, object], *, name: str, as_text: bool = False) -> Blob:
    """A small generated document (a receipt) as JSON, or one ``key: value`` line per field."""
    if as_text:
        body = "\n".join(f"{k}: {'' if v is None else v}" for k, v in data.items()) + "\n"
        content_type, ext = "text/plain", "txt"
    else:
        body = json.dumps(data, indent=2) + "\n"
        content_type, ext = "application/json", "json"
    raw = body.encode()
    return Blob(
        name=f"{name}.{ext}", content_type=content_type, size=len(raw), stream=io.BytesIO(raw)
    )


class _OpenOnRead(io.RawIOBase):
    """A stored object opened by its first read, so a response that is never sent never
    holds it open."""

    def __init__(self, opener: Callable[[], BinaryIO]) -> None:
        self._opener = opener
        self._stream: BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._stream is None:
            self._stream = self._opener()
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        super().close()


def open_on_read(storage: Storage, key: str) -> BinaryIO:
    """``storage.open(key)`` deferred to the first read (and closed with the reader)."""
    return io.BufferedReader(_OpenOnRead(lambda: storage.open(key)), buffer_size=CHUNK)


class Storage(Protocol):
    def write_temp(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempObject: ...
    def promote(self, temp: TempObject, key: str) -> None: ...
    def discard(self, temp: TempObject) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def cleanup_temp(self, *, older_than_seconds: int) -> int: ...

    # Chunked, resumable uploads: chunks append to a temp object, sealed once complete.
    min_chunk: int

    def create_temp(self) -> str: ...
    def append_temp(
        self, ref: str, stream: BinaryIO, *, offset: int, max_bytes: int | None = None
    ) -> int: ...
    def temp_size(self, ref: str) -> int | None: ...
    def seal_temp(self, ref: str) -> TempObject: ...
    def discard_ref(self, ref: str) -> None: ...


def _too_large(max_bytes: int) -> Invalid:
    return Invalid(
        "That file is larger than this portal allows.",
        code="file_too_large",
        errors={"file": [f"Files may be at most {max_bytes // (1024 * 1024)} MB."]},
    )


def _offset_conflict(current: int) -> Conflict:
    return Conflict(
        f"The upload is at byte {current}; resume from there.",
        code="offset_mismatch",
        errors={"offset": [str(current)]},
    )


def _digest_stream(chunks: Iterator[bytes]) -> tuple[int, str, bytes]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in chunks:
        size += len(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
    return size, digest.hexdigest(), head


def _safe_ref(ref: str) -> str:
    if not ref or "/" in ref or "\\" in ref or ref.startswith(".") or "\x00" in ref:
        raise ValueError(f"unsafe temp ref {ref!r}")
    return ref


def _safe_key(key: str) -> str:
    parts = [p for p in key.split("/") if p]
    if not parts or any(p in {".", ".."} or "\\" in p or "\x00" in p for p in parts):
        raise ValueError(f"unsafe storage key {key!r}")
    return "/".join(parts)


class LocalStorage:
    """Files under a directory outside ``static/``; never served directly."""

    min_chunk = 1

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def write_temp(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempObject:
        self.tmp.mkdir(parents=True, exist_ok=True)
        ref = f"{uuid.uuid4().hex}.part"
        path = self.tmp / ref
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with open(path, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise Invalid(
                            "That file is larger than this portal allows.",
                            code="file_too_large",
                            errors={
                                "file": [f"Files may be at most {max_bytes // (1024 * 1024)} MB."]
                            },
                        )
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return TempObject(ref=ref, size=size, sha256=digest.hexdigest(), head=head)

    def promote(self, temp: TempObject, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.tmp / temp.ref, target)  # atomic on one filesystem

    def discard(self, temp: TempObject) -> None:
        (self.tmp / temp.ref).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def cleanup_temp(self, *, older_than_seconds: int) -> int:
        if not self.tmp.exists():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for item in self.tmp.iterdir():
            if item.stat().st_mtime < cutoff:
                if item.is_dir():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)
                removed += 1
        return removed

    def create_temp(self) -> str:
        self.tmp.mkdir(parents=True, exist_ok=True)
        ref = f"{uuid.uuid4().hex}.part"
        (self.tmp / ref).touch()
        return ref

    def append_temp(
        self, ref: str, stream: BinaryIO, *, offset: int, max_bytes: int | None = None
    ) -> int:
        path = self.tmp / _safe_ref(ref)
        if not path.exists():
            raise FileNotFoundError(ref)
        with open(path, "r+b") as out:
            current = out.seek(0, os.SEEK_END)
            if offset != current:
                raise _offset_conflict(current)
            size = current
            try:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise _too_large(max_bytes)
                    out.write(chunk)
            except BaseException:
                # A chunk is all or nothing: a dropped connection resumes from the last whole chunk.
                out.truncate(current)
                raise
        return size

    def temp_size(self, ref: str) -> int | None:
        path = self.tmp / _safe_ref(ref)
        return path.stat().st_size if path.exists() else None

    def seal_temp(self, ref: str) -> TempObject:
        path = self.tmp / _safe_ref(ref)
        with open(path, "rb") as fh:
            size, sha, head = _digest_stream(iter(lambda: fh.read(CHUNK), b""))
        return TempObject(ref=ref, size=size, sha256=sha, head=head)

    def discard_ref(self, ref: str) -> None:
        (self.tmp / _safe_ref(ref)).unlink(missing_ok=True)


class _BodyReader(io.RawIOBase):
    """A file-like view of an S3 streaming body (read in pieces, closed with the response)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size is None or size < 0 else size)

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3Storage:
    """S3-compatible object storage (``s3://bucket/prefix``); uploads go through multipart parts."""

    min_chunk = 5 * 1024 * 1024  # S3 parts other than the last must be at least 5 MiB
    PART = 8 * 1024 * 1024

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **options: Any) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3", **options)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, key: str) -> str:
        safe = _safe_key(key)
        return f"{self.prefix}/{safe}" if self.prefix else safe

    def _tmp_key(self, ref: str) -> str:
        return self._key(f".tmp/{_safe_ref(ref.split('~', 1)[0])}")

    def _upload_id(self, ref: str) -> str | None:
        return ref.split("~", 1)[1] if "~" in ref else None

    def write_temp(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempObject:
        ref = self.create_temp()
        try:
            self.append_temp(ref, stream, offset=0, max_bytes=max_bytes)
            return self.seal_temp(ref)
        except BaseException:
            self.discard_ref(ref)
            raise

    def create_temp(self) -> str:
        name = f"{uuid.uuid4().hex}.part"
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=self._tmp_key(name))
        return f"{name}~{upload['UploadId']}"

    def _parts(self, ref: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._tmp_key(ref),
            "UploadId": self._upload_id(ref),
        }
        while True:
            page = self.client.list_parts(**kwargs)
            parts.extend(page.get("Parts", []))
            if not page.get("IsTruncated"):
                return parts
            kwargs["PartNumberMarker"] = page["NextPartNumberMarker"]

    def temp_size(self, ref: str) -> int | None:
        try:
            return sum(p["Size"] for p in self._parts(ref))
        except self.client.exceptions.NoSuchUpload:
            return None

    def append_temp(
        self, ref: str, stream: BinaryIO, *, offset: int, max_bytes: int | None = None
    ) -> int:
        parts = self._parts(ref)
        current = sum(p["Size"] for p in parts)
        if offset != current:
            raise _offset_conflict(current)
        number = len(parts) + 1
        size = current
        # Buffer one part at a time: memory stays at PART bytes whatever the upload's size.
        while True:
            buf = bytearray()
            while len(buf) < self.PART and (chunk := stream.read(CHUNK)):
                buf += chunk
            if not buf:
                break
            size += len(buf)
            if max_bytes is not None and size > max_bytes:
                raise _too_large(max_bytes)
            self.client.upload_part(
                Bucket=self.bucket,
                Key=self._tmp_key(ref),
                UploadId=self._upload_id(ref),
                PartNumber=number,
                Body=bytes(buf),
            )
            number += 1
        return size

    def seal_temp(self, ref: str) -> TempObject:
        parts = self._parts(ref)
        key = self._tmp_key(ref)
        if parts:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=self._upload_id(ref),
                MultipartUpload={
                    "Parts": [{"ETag": p["ETag"], "PartNumber": p["PartNumber"]} for p in parts]
                },
            )
        else:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=self._upload_id(ref)
            )
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            size, sha, head = _digest_stream(iter(lambda: body.read(CHUNK), b""))
        finally:
            body.close()
        return TempObject(ref=ref.split("~", 1)[0], size=size, sha256=sha, head=head)

    def promote(self, temp: TempObject, key: str) -> None:
        source = self._tmp_key(temp.ref)
        self.client.copy({"Bucket": self.bucket, "Key": source}, self.bucket, self._key(key))
        self.client.delete_object(Bucket=self.bucket, Key=source)

    def discard(self, temp: TempObject) -> None:
        self.discard_ref(temp.ref)

    def discard_ref(self, ref: str) -> None:
        upload_id = self._upload_id(ref)
        if upload_id:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self._tmp_key(ref), UploadId=upload_id
                )
            except self.client.exceptions.NoSuchUpload:
                pass
        self.client.delete_object(Bucket=self.bucket, Key=self._tmp_key(ref))

    def open(self, key: str) -> BinaryIO:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None
        return io.BufferedReader(_BodyReader(body), buffer_size=CHUNK)

    def size(self, key: str) -> int:
        return int(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True

    def cleanup_temp(self, *, older_than_seconds: int) -> int:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        tmp_prefix = self._key(".tmp") + "/"
        removed = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=tmp_prefix
        ):
            for obj in page.get("Contents", []):
                if obj["LastModified"] < cutoff:
                    self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])
                    removed += 1
        uploads = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=tmp_prefix)
        for up in uploads.get("Uploads", []):
            if up["Initiated"] < cutoff:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=up["Key"], UploadId=up["UploadId"]
                )
                removed += 1
        return removed


def storage_from_url(url: str) -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path or "."))
    if parsed.scheme == "s3":
        # s3://bucket/prefix?endpoint_url=…&region_name=… (credentials from the usual AWS env)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        options = {k: query[k] for k in ("endpoint_url", "region_name") if k in query}
        if "endpoint_url" not in options and os.environ.get("S3_ENDPOINT_URL"):
            options["endpoint_url"] = os.environ["S3_ENDPOINT_URL"]
        return S3Storage(parsed.netloc, parsed.path, **options)
    raise ValueError(f"unsupported STORAGE_URL scheme {parsed.scheme!r}")


_cache: dict[str, Storage] = {}


def get_storage() -> Storage:
    """The configured storage (``STORAGE_URL``), one instance per URL."""
    from portal.runtime import get_runtime

    url = get_runtime().settings.storage_url
    if url not in _cache:
        _cache[url] = storage_from_url(url)
    return _cache[url]
