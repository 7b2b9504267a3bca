"""Blob storage behind one interface: a local directory (default) or S3-compatible (``s3://``).

Uploads stream to a temporary object (size, SHA-256 and the first bytes are computed on the way),
then are promoted to their final key. Nothing is ever read whole into memory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

from portal.errors import Invalid

CHUNK = 1024 * 1024
HEAD_BYTES = 8192


@dataclass(frozen=True)
class TempObject:
    """A streamed upload not yet visible under a final key."""

    ref: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for content-type sniffing


class Storage(Protocol):
    def write_temp(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempObject: ...
    def promote(self, temp: TempObject, key: str) -> None: ...
    def discard(self, temp: TempObject) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def cleanup_temp(self, *, older_than_seconds: int) -> int: ...


def _safe_key(key: str) -> str:
    parts = [p for p in key.split("/") if p]
    if not parts or any(p in {".", ".."} or "\\" in p or "\x00" in p for p in parts):
        raise ValueError(f"unsafe storage key {key!r}")
    return "/".join(parts)


class LocalStorage:
    """Files under a directory outside ``static/``; never served directly."""

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


def storage_from_url(url: str) -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path or "."))
    if parsed.scheme == "s3":
        raise NotImplementedError("s3:// storage is not available in this build")
    raise ValueError(f"unsupported STORAGE_URL scheme {parsed.scheme!r}")


_cache: dict[str, Storage] = {}


def get_storage() -> Storage:
    """The configured storage (``STORAGE_URL``), one instance per URL."""
    from portal.runtime import get_runtime

    url = get_runtime().settings.storage_url
    if url not in _cache:
        _cache[url] = storage_from_url(url)
    return _cache[url]
