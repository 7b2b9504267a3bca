"""The page cache's parts on their own: the data version, the write watch, the store."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlmodel import Session

from portal.db import BOOKKEEPING
from portal.web.pagecache import DataVersion, Entry, PageCache, watch_writes
from tests.conftest import TMP

REDIS_URL = os.environ.get("REDIS_URL") or ""


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the socket closes


@pytest.fixture
def folder() -> Path:
    path = TMP / f"version-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


# The data version ---------------------------------------------------------------------------


def test_a_bump_in_one_process_changes_the_version_every_process_reads(folder) -> None:
    # two DataVersion objects on one instance folder stand for two gunicorn workers
    one, other = DataVersion(folder, None), DataVersion(folder, None)
    before = other.current()
    assert before == one.current()
    one.bump()
    after = other.current()
    assert after != before and after == one.current()
    one.bump()
    assert other.current() not in (before, after)


def test_the_version_file_is_replaced_when_long_and_the_version_still_moves(
    folder, monkeypatch
) -> None:
    from portal.web import pagecache

    monkeypatch.setattr(pagecache, "VERSION_FILE_ROTATE_BYTES", 5)
    version = DataVersion(folder, None)
    seen = {version.current()}
    for _ in range(12):
        version.bump()
        now = version.current()
        assert now not in seen
        seen.add(now)
    assert version.path.stat().st_size <= 6


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_with_redis_a_bump_on_another_host_changes_the_version(folder) -> None:
    # two hosts: separate instance folders, one Redis
    other_folder = folder / "other-host"
    other_folder.mkdir()
    space = f"t{uuid.uuid4().hex[:8]}:"
    one, other = DataVersion(folder, REDIS_URL, space), DataVersion(other_folder, REDIS_URL, space)
    before = other.current()
    assert before is not None and before[0] is not None
    one.bump()
    assert other.current()[0] == before[0] + 1


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_an_emptied_redis_starts_at_a_version_no_earlier_reader_saw(folder) -> None:
    version = DataVersion(folder, REDIS_URL, f"t{uuid.uuid4().hex[:8]}:")
    first = version.current()
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(version.key)  # Redis restarted without its data
    again = version.current()
    assert again is not None and again[0] not in (None, 0, 1, first[0])


def test_redis_down_means_no_version_and_the_local_cache_is_dropped(folder) -> None:
    version = DataVersion(folder, _closed_port_url())
    dropped: list[bool] = []
    version.on_redis_lost = lambda: dropped.append(True)
    assert version.current() is None  # the cache is bypassed: nothing served, nothing stored
    assert dropped
    file_before = version._file_version()
    version.bump()  # never raises; this host's file still records the write
    assert version._file_version() != file_before


# The write watch ----------------------------------------------------------------------------


@pytest.fixture
def watched(folder):
    engine = create_engine(f"sqlite:///{folder / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("CREATE TABLE throttle_counter (key TEXT PRIMARY KEY, hits INTEGER)"))
    version = DataVersion(folder, None)
    watch_writes(engine, version)
    yield engine, version
    engine.dispose()


def test_the_version_moves_only_after_a_write_commits(watched) -> None:
    engine, version = watched
    start = version.current()
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO thing (name) VALUES ('a')"))
        assert version.current() == start  # written, not yet committed: readers keep theirs
        conn.commit()
    assert version.current() != start


def test_the_bump_comes_after_the_commit_is_visible(watched, monkeypatch) -> None:
    engine, version = watched
    seen_at_bump: list[int] = []
    real_bump = version.bump

    def bump() -> None:
        # what another connection reads at the moment the version changes
        with engine.connect() as other:
            seen_at_bump.append(other.execute(text("SELECT count(*) FROM thing")).scalar_one())
        real_bump()

    monkeypatch.setattr(version, "bump", bump)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO thing (name) VALUES ('b')"))
    assert seen_at_bump == [1]


def test_reads_a_rollback_bookkeeping_and_throttle_counters_leave_the_version(watched) -> None:
    engine, version = watched
    start = version.current()
    with engine.connect() as conn:
        conn.execute(text("SELECT * FROM thing"))
        conn.commit()
        conn.execute(text("INSERT INTO thing (name) VALUES ('lost')"))
        conn.rollback()
        conn.execute(text("UPDATE thing SET name = 'x'"), execution_options={BOOKKEEPING: True})
        conn.execute(text("INSERT INTO throttle_counter (key, hits) VALUES ('k', 1)"))
        conn.commit()
    assert version.current() == start


@pytest.mark.parametrize(
    "write",
    [
        "INSERT INTO thing (name) VALUES ('n')",
        "UPDATE thing SET name = 'm'",
        "DELETE FROM thing",
        "WITH old AS (SELECT id FROM thing) DELETE FROM thing WHERE id IN (SELECT id FROM old)",
    ],
)
def test_every_kind_of_write_moves_the_version(watched, write) -> None:
    engine, version = watched
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO thing (name) VALUES ('seed')"))
    start = version.current()
    with Session(engine) as session:  # an ORM session, as services and jobs use
        session.execute(text(write))
        session.commit()
    assert version.current() != start


# The store ----------------------------------------------------------------------------------


def _entry(body: bytes, expires: float = 100.0) -> Entry:
    return Entry(expires=expires, headers=[], body=body)


def test_entries_expire() -> None:
    now = [0.0]
    cache = PageCache(seconds=30, max_bytes=1000, clock=lambda: now[0])
    cache.put("a", _entry(b"x", expires=30.0))
    now[0] = 29.9
    assert cache.get("a") is not None
    now[0] = 30.0
    assert cache.get("a") is None and len(cache) == 0


def test_the_least_recently_used_go_first_when_full() -> None:
    cache = PageCache(seconds=30, max_bytes=800, clock=lambda: 0.0)
    for key in "abc":
        cache.put(key, _entry(b"x" * 100))
    cache.get("a")  # used: c and b are older now
    for key in "defghij":
        cache.put(key, _entry(b"x" * 100))
    assert cache.get("a") is not None and cache.get("b") is None
    cache.put("huge", _entry(b"x" * 200))  # more than an eighth of the cache: never kept
    assert cache.get("huge") is None
