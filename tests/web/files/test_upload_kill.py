"""Killing the worker mid-upload leaves no row and no visible object; cleanup removes the rest."""

from __future__ import annotations

import http.client
import os
import signal
from urllib.parse import urlparse

import pytest
from sqlalchemy import text

from portal.db import make_engine
from tests.live import LiveServer, signed_in
from tests.waiting import wait_until


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path)
    live.prepare()
    try:
        live.start()
        yield live
    finally:
        live.stop()


def _visible_objects(live: LiveServer) -> list[str]:
    if not live.storage.exists():
        return []
    return [
        str(p.relative_to(live.storage))
        for p in live.storage.rglob("*")
        if p.is_file() and ".tmp" not in p.relative_to(live.storage).parts
    ]


def _temp_bytes(live: LiveServer) -> int:
    tmp = live.storage / ".tmp"
    return sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file()) if tmp.exists() else 0


def test_sigkill_mid_upload_leaves_nothing_visible(server) -> None:
    s = signed_in(server.base, "dev@acme.test")
    size = 32 * 1024 * 1024
    start = s.post(f"{server.base}/p/acme/files/uploads", json={"name": "k.pdf", "size": size})
    assert start.status_code == 201, start.text
    url = start.json()["url"]
    parsed = urlparse(server.base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    conn.putrequest("PATCH", url)
    conn.putheader("Upload-Offset", "0")
    conn.putheader("Content-Length", str(size))
    conn.putheader("Content-Type", "application/offset+octet-stream")
    conn.putheader("X-CSRFToken", s.headers["X-CSRFToken"])
    conn.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in s.cookies))
    conn.endheaders()
    conn.send(b"%PDF-1.7\n" + os.urandom(8 * 1024 * 1024))  # a quarter, then the worker dies
    wait_until(lambda: _temp_bytes(server) > 0, what="the upload's first bytes on disk")
    [worker] = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    conn.close()
    server.wait_healthy()  # gunicorn's master starts a fresh worker
    wait_until(lambda: server.worker_pids() not in ([], [worker]), what="a fresh worker")

    engine = make_engine(server.db_url)
    with engine.connect() as db:
        rows = db.execute(text("SELECT count(*) FROM portal_file WHERE name = 'k.pdf'")).scalar()
        versions = db.execute(text("SELECT count(*) FROM file_version")).scalar()
    engine.dispose()
    assert rows == 0
    assert versions == 0 or all("k.pdf" not in o for o in _visible_objects(server))
    before = set(_visible_objects(server))
    leftovers = list((server.storage / ".tmp").iterdir())
    assert leftovers, "the partial upload stays a temporary object"
    # The list never shows it; completing is refused because the bytes never all arrived.
    assert "k.pdf" not in s.get(f"{server.base}/p/acme/files").text
    done = s.post(f"{server.base}{url}/complete")
    assert done.status_code == 409
    out = server.cli("storage", "cleanup", "--older-than", "0")
    assert "temporary objects removed" in out
    assert list((server.storage / ".tmp").iterdir()) == []
    assert set(_visible_objects(server)) == before  # cleanup touched no real file
