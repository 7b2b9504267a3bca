"""Parallel wrong passwords against a real gunicorn (two workers, four threads each): the
throttle is shared and counted before the password check, so at most the limit get through.
Runs on PostgreSQL when TEST_DATABASE_URL points at it, on one SQLite file otherwise (no Redis:
the counters live in the database)."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
import requests

from services.accounts.auth import ACCOUNT_IP_LIMIT
from tests.conftest import TEST_DATABASE_URL, scratch_database_url
from tests.live import LiveServer

ATTEMPTS = 24
OWNER = "owner@example.test"


@pytest.fixture
def server(tmp_path):
    if TEST_DATABASE_URL.startswith("postgresql"):
        url, drop = scratch_database_url("throttle")
    else:
        url, drop = f"sqlite:///{tmp_path / 'live.db'}", lambda: None
    live = LiveServer(tmp_path, workers=2, threads=4, db_url=url)
    live.cli("db", "upgrade")
    live.cli("create-admin", OWNER, "--password", "the-owners-password")
    try:
        live.start()
        yield live
    finally:
        live.stop()
        drop()


def test_parallel_guesses_across_workers_stop_at_the_limit(server) -> None:
    clients = []
    for _ in range(ATTEMPTS):
        s = requests.Session()
        page = s.get(f"{server.base}/login", timeout=30).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        clients.append((s, token))
    start = threading.Barrier(ATTEMPTS)
    statuses: list[int] = []

    def guess(s: requests.Session, token: str, i: int) -> None:
        start.wait()
        resp = s.post(
            f"{server.base}/login",
            data={"email": OWNER, "password": f"guess-{i}", "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )
        statuses.append(resp.status_code)

    threads = [
        threading.Thread(target=guess, args=(s, token, i)) for i, (s, token) in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = Counter(statuses)
    assert set(counts) <= {422, 429} and sum(counts.values()) == ATTEMPTS, counts
    assert counts[422] <= ACCOUNT_IP_LIMIT, counts
