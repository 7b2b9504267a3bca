"""Rendered pages and fragments, cached per browser session until the data changes.

One mechanism, in three parts:

* **The data version** (:class:`DataVersion`): a stamp that changes after every committed write
  to the database, in every process. Redis ``INCR`` when ``REDIS_URL`` is set (shared by app
  replicas on several hosts), and always a small file in the instance folder that each bump
  appends one byte to (shared by every process on this host, and by a SQLite ``make run``
  without Redis). The version is the pair.
* **The write watch** (:func:`watch_writes`): an engine hook marks a transaction that ran an
  ``INSERT``/``UPDATE``/``DELETE`` (anything but a credential's last-use bookkeeping and the
  sign-in throttle's counters); the version is bumped right after that transaction commits,
  before the request that wrote answers. A reader that read the version before the commit can
  only have stored what it rendered under a version that is already gone. Every write path
  (ORM flushes, bulk statements, raw SQL, background jobs, the CLI) ends in the same commit:
  no view or service has to remember to invalidate anything.
* **The cache** (:class:`PageCache`): views marked :func:`cacheable` (plain reads) store their
  finished response (after compression) per process, keyed by the version, the browser
  session's contents (who, which sign-in, CSRF secret, "view as"), the URL and the headers a
  response depends on. A hit answers before the user, the portal or any data is loaded: a
  write, a sign-out, a role change or a deactivation is a write, so it changes the version and
  no entry survives it. Entries also expire after ``PAGE_CACHE_SECONDS`` (30 s), which bounds
  what the database cannot tell (relative times such as "5 minutes ago", "overdue" at
  midnight). A request that wrote, flashed a message, changed the session or answered other
  than 200 is never stored. A hard reload (``Cache-Control: no-cache``) is rendered afresh.

``PAGE_CACHE_SECONDS=0`` (configuration or environment) switches the cache off. Query-count
tests and ``stoa bench``'s statement counts measure with it off: they bound what a render costs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Response, g, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.db import BOOKKEEPING, SHARED_CONNECTION
from portal.web.assets import accepts_gzip

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30
DEFAULT_BYTES = 32 * 1024 * 1024  # per process
REDIS_TIMEOUT_SECONDS = 0.25
REDIS_RETRY_AFTER_SECONDS = 5.0
VERSION_FILE = "data-version"
VERSION_FILE_ROTATE_BYTES = 1 << 20
# The response header that tells a cached answer from a rendered one (tests, the bench).
CACHE_HEADER = "X-Stoa-Cache"
# The request headers a page's answer depends on besides the URL and the session.
VARY_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")

_WRITE = re.compile(
    r"\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|REPLACE|MERGE|TRUNCATE)\b", re.I | re.S
)
# Writes that are not data any page shows: the sign-in throttle's counters.
_IGNORED_TABLES = re.compile(r"\b(?:INTO|UPDATE|FROM)\s+\"?throttle_counter\b", re.I)

F = TypeVar("F", bound=Callable[..., Any])


def cacheable(view: F) -> F:
    """Mark a GET view whose answer depends only on the data, the session and the URL."""
    view.stoa_cacheable = True  # type: ignore[attr-defined]
    return view


# The data version --------------------------------------------------------------------------


class DataVersion:
    """The stamp every write changes: (Redis counter or None, this host's version file)."""

    def __init__(self, instance_path: Path, redis_url: str | None, namespace: str = "") -> None:
        self.path = instance_path / VERSION_FILE
        self.key = f"stoa:{namespace}data-version"  # one installation's, on a shared Redis
        instance_path.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        self._redis: Any = None
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.on_redis_lost: Callable[[], None] = lambda: None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )

    def _file_version(self) -> tuple[int, int, int]:
        st = os.stat(self.path)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._down_until

    def _redis_failed(self) -> None:
        log.warning("data version: Redis unreachable; page cache off for a while")
        self._down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
        self.on_redis_lost()

    def current(self) -> tuple[Any, ...] | None:
        """The version now, or None when it cannot be known (Redis configured but down)."""
        from redis.exceptions import RedisError

        shared: int | None = None
        if self._redis is not None:
            if not self._redis_usable():
                return None
            try:
                raw = self._redis.get(self.key)
                if raw is None:
                    # a new (or emptied) Redis: start somewhere no earlier version could be
                    self._redis.set(self.key, secrets.randbits(48), nx=True)
                    raw = self._redis.get(self.key)
                shared = int(raw)
            except (RedisError, ValueError, TypeError):
                self._redis_failed()
                return None
        return (shared, *self._file_version())

    def bump(self) -> None:
        """Change the version, in Redis (if set) and in this host's file. Never raises."""
        from redis.exceptions import RedisError

        if self._redis is not None:
            try:
                self._redis.incr(self.key)
            except RedisError:
                self._redis_failed()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, b".")
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > VERSION_FILE_ROTATE_BYTES:
                self._rotate()
        except OSError:
            log.exception("data version: could not bump the version file")

    def _rotate(self) -> None:
        # a new file (a new inode: a version no reader saw) replaces the long one
        with self._lock:
            fresh = self.path.with_name(f"{VERSION_FILE}.{os.getpid()}.tmp")
            fresh.write_bytes(b"")
            os.replace(fresh, self.path)


# The write watch ---------------------------------------------------------------------------


def watch_writes(engine: Engine, version: DataVersion) -> None:
    """Bump ``version`` after every commit on ``engine`` whose transaction wrote.

    The commit itself is wrapped (the dialect's ``do_commit``: ORM sessions, Core connections,
    jobs and the CLI all end there), so the bump always follows the commit.
    """
    dialect = engine.dialect
    dirty: set[int] = set()  # ids of DB-API connections whose open transaction wrote

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(
        conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if not _WRITE.match(statement) or _IGNORED_TABLES.search(statement):
            return
        if context is not None and context.execution_options.get(BOOKKEEPING):
            return
        if has_request_context():
            g.stoa_wrote = True
        dirty.add(id(conn.connection.dbapi_connection))
        if conn.info.get(SHARED_CONNECTION):
            # every session shares this connection (the test harness): its writes are seen
            # before any commit, so the version changes with each of them
            version.bump()

    original_commit, original_rollback = dialect.do_commit, dialect.do_rollback

    # SQLAlchemy passes the pool's proxy of the DB-API connection here
    def do_commit(connection: Any) -> None:
        original_commit(connection)
        key = id(getattr(connection, "dbapi_connection", connection))
        if key in dirty:
            dirty.discard(key)
            version.bump()

    def do_rollback(connection: Any) -> None:
        dirty.discard(id(getattr(connection, "dbapi_connection", connection)))
        original_rollback(connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign,assignment]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign,assignment]


# The cache ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """A kept answer (always a 200: nothing else is kept)."""

    expires: float
    headers: list[tuple[str, str]]
    body: bytes


class PageCache:
    """Finished responses per key, least recently used first out, bounded in bytes."""

    def __init__(
        self, *, seconds: float, max_bytes: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.enabled = seconds > 0
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        now = self.clock()
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            if entry.expires <= now:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._items.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._items)


def _session_fingerprint() -> str | None:
    """Who is asking, from the signed session cookie alone; None: not cacheable."""
    if "_user_id" not in session or "_sid" not in session or "_flashes" in session:
        return None
    raw = json.dumps(dict(session), sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _asks_fresh() -> bool:
    """A hard reload (``Cache-Control: no-cache``, or the older ``Pragma``) gets a new render."""
    asked = f"{request.headers.get('Cache-Control', '')},{request.headers.get('Pragma', '')}"
    return "no-cache" in asked.lower()


def _key(version: tuple[Any, ...], who: str) -> str:
    parts = [
        repr(version),
        who,
        request.full_path,
        "gz" if accepts_gzip() else "",
        *(request.headers.get(h, "") for h in VARY_HEADERS),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def init_app(app: Flask, engine: Engine) -> None:
    """Watch ``engine`` for writes; serve and store the views marked :func:`cacheable`."""

    def setting(name: str, default: int) -> str:
        # the app's configuration (tests), else the environment (gunicorn: deploy/, stoa bench)
        return str(app.config.get(name, os.environ.get(name) or default))

    seconds = float(setting("PAGE_CACHE_SECONDS", DEFAULT_SECONDS))
    cache = PageCache(seconds=seconds, max_bytes=int(setting("PAGE_CACHE_BYTES", DEFAULT_BYTES)))
    settings = app.config["STOA_SETTINGS"]
    namespace = str(app.config.get("RATELIMIT_NAMESPACE", ""))
    version = DataVersion(Path(app.instance_path), settings.redis_url, namespace)
    version.on_redis_lost = cache.clear
    watch_writes(engine, version)
    app.extensions["stoa_page_cache"] = cache
    app.extensions["stoa_data_version"] = version

    @app.before_request
    def _serve_cached() -> Response | None:
        if not cache.enabled or request.method != "GET":
            return None
        view = app.view_functions.get(request.endpoint or "")
        if view is None or not getattr(view, "stoa_cacheable", False):
            return None
        who = _session_fingerprint()
        if who is None:
            return None
        stamp = version.current()
        if stamp is None:
            return None
        key = _key(stamp, who)
        entry = None if _asks_fresh() else cache.get(key)
        if entry is None:
            g.stoa_page_cache_key = key  # rendered, then kept (a hard reload refreshes it)
            return None
        resp = Response(entry.body, headers=entry.headers)
        resp.headers[CACHE_HEADER] = "hit"
        if resp.get_etag()[0]:
            resp.make_conditional(request)
        return resp

    # registered by create_app before every other after-request step: so it runs last, on the
    # finished (compressed) response
    @app.after_request
    def _store(response: Response) -> Response:
        key = g.pop("stoa_page_cache_key", None)  # set only when the view rendered
        if key is None:
            return response
        response.headers[CACHE_HEADER] = "miss"
        if (
            response.status_code != 200
            or g.get("stoa_wrote")
            or session.modified
            or "_flashes" in session
            or response.is_streamed
            or response.direct_passthrough
            or "Set-Cookie" in response.headers
        ):
            return response
        cache.put(
            key,
            Entry(
                expires=cache.clock() + cache.seconds,
                headers=[(k, v) for k, v in response.headers.items() if k != CACHE_HEADER],
                body=response.get_data(),
            ),
        )
        return response
