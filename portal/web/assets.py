"""Fast repeat visits: versioned static URLs cached for a year, and gzip for text responses.

* ``url_for("static", filename=...)`` gets ``?v=<content hash>``; a request carrying the current
  hash is answered ``Cache-Control: public, max-age=31536000, immutable`` (a changed file gets a
  new URL, so nothing stale is ever served); without it, ``no-cache`` (revalidate).
* HTML, CSS, JS, JSON and SVG responses are gzipped when the client accepts it. Static files are
  compressed once per file version and kept in memory; pages and fragments per response.
  Streamed bodies (downloads, uploads' progress) are never touched.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
}
MIN_SIZE = 512  # smaller bodies gain nothing from gzip
LEVEL = 6


class StaticVersions:
    """Content hashes and gzipped bodies of the static files, per app, keyed by file version."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._hash: dict[str, tuple[float, str]] = {}
        self._gzip: dict[str, tuple[str, bytes]] = {}

    def _path(self, filename: str) -> Path | None:
        try:
            path = (self.root / filename).resolve()
            if not path.is_file() or self.root not in path.parents:
                return None
        except OSError:  # a name the file system refuses (too long, …) names no file
            return None
        return path

    def version(self, filename: str) -> str | None:
        path = self._path(filename)
        if path is None:
            return None
        mtime = path.stat().st_mtime
        cached = self._hash.get(filename)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        with self._lock:
            self._hash[filename] = (mtime, digest)
        return digest

    def gzipped(self, filename: str) -> bytes | None:
        version = self.version(filename)
        path = self._path(filename)
        if version is None or path is None:
            return None
        cached = self._gzip.get(filename)
        if cached is not None and cached[0] == version:
            return cached[1]
        body = gzip.compress(path.read_bytes(), compresslevel=LEVEL, mtime=0)
        with self._lock:
            self._gzip[filename] = (version, body)
        return body


def accepts_gzip() -> bool:
    return "gzip" in (request.headers.get("Accept-Encoding") or "").lower()


def _add_vary(response: Response) -> None:
    vary = [v.strip() for v in (response.headers.get("Vary") or "").split(",") if v.strip()]
    if "accept-encoding" not in {v.lower() for v in vary}:
        response.headers["Vary"] = ", ".join([*vary, "Accept-Encoding"])


def _static_response(response: Response, versions: StaticVersions) -> Response:
    filename = (request.view_args or {}).get("filename", "")
    current = versions.version(filename) if filename else None
    if current is not None and request.args.get("v") == current:
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or current is None
        or "Content-Encoding" in response.headers
    ):
        return response
    _add_vary(response)
    if not accepts_gzip():
        return response
    body = versions.gzipped(filename)
    if body is None:
        return response
    response.close()  # the file the plain response had opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gz", weak=bool(weak))
    return response


def _compress_dynamic(response: Response) -> Response:
    if (
        response.status_code < 200
        or response.status_code in (204, 304)
        or response.direct_passthrough
        or response.is_streamed
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or request.method == "HEAD"
    ):
        return response
    _add_vary(response)
    if not accepts_gzip():
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gz", weak=bool(weak))
    return response


def init_app(app: Flask) -> None:
    versions = StaticVersions(Path(app.static_folder or "static"))
    app.extensions["stoa_static_versions"] = versions

    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = versions.version(str(values["filename"]))
            if version is not None:
                values["v"] = version

    @app.after_request
    def _cache_and_compress(response: Response) -> Response:
        if request.endpoint == "static":
            return _static_response(response, versions)
        return _compress_dynamic(response)
