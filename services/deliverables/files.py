"""Deliverable version files: streamed into storage, typed by their content (not their name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import BinaryIO

from portal.storage import TempObject, get_storage

MAX_UPLOAD_BYTES = 512 * 1024 * 1024

# Types a browser may display inline; everything else downloads as an attachment.
INLINE_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"}
)

_OFFICE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: a stream and the name the uploader gave it."""

    stream: BinaryIO
    filename: str


def sniff_content_type(head: bytes, filename: str) -> str:
    """The MIME type from the first bytes; the name only picks among zip-based office formats."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return _OFFICE.get(ext, "application/zip")
    if head and b"\x00" not in head and not _looks_like_markup(head):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


def _looks_like_markup(head: bytes) -> bool:
    start = head.lstrip()[:64].lower()
    return start.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script"))


def store_temp(upload: Upload) -> TempObject:
    """Stream an upload to a temporary object (size and SHA-256 computed on the way)."""
    return get_storage().write_temp(upload.stream, max_bytes=MAX_UPLOAD_BYTES)


def new_key(company_id: int, deliverable_id: int) -> str:
    return f"deliverables/{company_id}/{deliverable_id}/{uuid.uuid4().hex}"


def promote(temp: TempObject, key: str) -> None:
    get_storage().promote(temp, key)


def discard(temp: TempObject) -> None:
    get_storage().discard(temp)


def open_blob(key: str) -> BinaryIO:
    return get_storage().open(key)
