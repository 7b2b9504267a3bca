"""The one download responder: every file that leaves the app goes through ``send_blob``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Response

from portal.storage import Blob

CHUNK = 256 * 1024

# An inline preview may be framed by our own pages only, and may run nothing.
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
ATTACHMENT_CSP = "default-src 'none'; sandbox"


class _Body:
    """The response body: the blob's stream in chunks. The stream is closed once read to the
    end, or when the response is closed (a WSGI server always closes it, even unsent)."""

    def __init__(self, stream: BinaryIO | None) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        if self._stream is None:
            return
        try:
            while chunk := self._stream.read(CHUNK):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


def content_disposition(name: str, *, inline: bool) -> str:
    """``attachment``/``inline`` with an ASCII fallback name and the exact UTF-8 one."""
    fallback = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def send_blob(blob: Blob, *, inline: bool = False) -> Response:
    """Stream ``blob`` (or redirect to its URL) with private, sandboxed, no-sniff headers.

    ``inline`` is honoured only for types the blob declares safe to show in the browser.
    """
    if blob.redirect_url:
        resp = Response(status=302)
        resp.headers["Location"] = blob.redirect_url
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    inline = inline and blob.inline_ok
    resp = Response(
        _Body(blob.stream),
        mimetype=blob.content_type or "application/octet-stream",
        direct_passthrough=True,
    )
    resp.headers["Content-Length"] = str(blob.size)
    resp.headers["Content-Disposition"] = content_disposition(blob.name, inline=inline)
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        resp.headers["Content-Security-Policy"] = INLINE_CSP
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        resp.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    return resp
