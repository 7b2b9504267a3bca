"""Fast repeat visits: versioned static URLs cached for a year, and gzip for text responses.

* ``url_for("static", filename=...)`` gets ``?v=<content hash>``; a request carrying the current
  hash is answered ``Cache-Control: public, max-age=31536000, immutable`` (a changed file gets a
  new URL, so nothing stale is ever served); without it, ``no-cache`` (revalidate).
* HTML, CSS, JS, JSON and SVG responses are gzipped when the client accepts it. Static files are
  compressed once per file version and kept in memory; pages and fragments per response.
  Streamed bodies (downloads, uploads' progress) are never touched.
* The stylesheets are served as one file, ``/assets/stoa.css?v=<hash>`` (:data:`STYLESHEETS`
  concatenated in cascade order), so a page has one render-blocking stylesheet besides the
  agency's small theme. It is built and gzipped once per process; in development it is rebuilt
  when one of its files changes.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, url_for

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
#: The stylesheets in cascade order: tokens, base, components, then one per area. All of them on
#: every page: a tab swap (HTMX) replaces only #main, and a sheet fetched then would paint the new
#: tab unstyled.
STYLESHEETS = (
    "tokens",
    "base",
    "components",
    "auth",
    "admin",
    "api",
    "deliverables",
    "tasks",
    "dashboard",
    "notes",
    "notifications",
    "announcements",
    "files",
    "projects",
    "pages",
    "team",
    "settings",
    "invoices",
    "network",
    "feedback",
    "tools",
    "people",
    "results",
    "onboarding",
    "catalog",
    "roles",
)
BUNDLE_ENDPOINT = "stylesheet_bundle"
MIN_SIZE = 512  # smaller bodies gain nothing from gzip
LEVEL = 6


class StaticVersions:
    """Content hashes and gzipped bodies of the static files, per app, keyed by file version.

    Static files ship with the code, so outside development (``watch=False``) a file's hash
    is worked out once per process: a page links ~25 files, and resolving and stat-ing each one
    on every ``url_for`` was a few hundred system calls per page. In development the file's
    mtime is checked on each use, so an edited stylesheet gets a new URL at once.
    """

    def __init__(self, root: Path, *, watch: bool = True) -> None:
        self.root = root.resolve()
        self.watch = watch
        self._lock = threading.Lock()
        self._hash: dict[str, tuple[float, str]] = {}
        self._gzip: dict[str, tuple[str, bytes]] = {}

    def _path(self, filename: str) -> Path | None:
        try:
            path = (self.root / filename).resolve()
            if not path.is_file() or self.root not in path.parents:
                return None
        except (OSError, ValueError):  # a name too long for the file system, or with a NUL
            return None
        return path

    def version(self, filename: str) -> str | None:
        cached = self._hash.get(filename)
        if cached is not None and not self.watch:
            return cached[1]
        path = self._path(filename)
        if path is None:
            return None  # not cached: a request may name any file
        mtime = path.stat().st_mtime
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


@dataclass(frozen=True)
class Built:
    key: tuple[str | None, ...]  # the files' versions it was built from
    version: str
    body: bytes
    gzipped: bytes


class StylesheetBundle:
    """:data:`STYLESHEETS` as one file: each part headed by a ``/* css/NAME.css */`` comment.

    Built and gzipped once per process outside development; with ``watch`` the parts' versions
    (mtime-checked by :class:`StaticVersions`) are compared on each use and a change rebuilds it.
    """

    def __init__(self, versions: StaticVersions, names: tuple[str, ...] = STYLESHEETS) -> None:
        self.versions = versions
        self.files = tuple(f"css/{name}.css" for name in names)
        self._lock = threading.Lock()
        self._built: Built | None = None

    def current(self) -> Built:
        built = self._built
        if built is not None and not self.versions.watch:
            return built
        key = tuple(self.versions.version(f) for f in self.files)
        if built is not None and built.key == key:
            return built
        with self._lock:
            parts = []
            for name in self.files:
                path = self.versions.root / name
                parts.append(f"/* {name} */\n".encode() + path.read_bytes().rstrip() + b"\n")
            body = b"".join(parts)
            built = Built(
                key=key,
                version=hashlib.sha256(body).hexdigest()[:12],
                body=body,
                gzipped=gzip.compress(body, compresslevel=LEVEL, mtime=0),
            )
            self._built = built
        return built


def _bundle_view(bundle: StylesheetBundle) -> Response:
    built = bundle.current()
    pinned = request.args.get("v") == built.version
    gz = accepts_gzip()
    response = Response(built.gzipped if gz else built.body, mimetype="text/css")
    if gz:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = IMMUTABLE if pinned else "no-cache"
    response.set_etag(f"{built.version}-gz" if gz else built.version)
    response.make_conditional(request)
    return response


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


def init_app(app: Flask, *, watch: bool) -> None:
    """``watch``: follow edits to the static files (development); else hash once per process."""
    versions = StaticVersions(Path(app.static_folder or "static"), watch=watch)
    app.extensions["stoa_static_versions"] = versions
    bundle = StylesheetBundle(versions)
    app.extensions["stoa_stylesheet_bundle"] = bundle
    app.add_url_rule(
        "/assets/stoa.css", BUNDLE_ENDPOINT, lambda: _bundle_view(bundle), methods=["GET"]
    )

    @app.context_processor
    def _stylesheet() -> dict[str, Any]:
        return {"stylesheet_url": lambda: url_for(BUNDLE_ENDPOINT, v=bundle.current().version)}

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
        if request.endpoint == BUNDLE_ENDPOINT:
            return response  # compressed already, once
        return _compress_dynamic(response)
