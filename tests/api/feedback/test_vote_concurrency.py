"""50 votes at once against a real server leave the count at exactly 50 (the unique constraint
decides who voted, the counter moves in one UPDATE). On PostgreSQL when TEST_DATABASE_URL
points at it, on a SQLite file otherwise."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
from sqlalchemy import text

from portal.db import make_engine
from tests.conftest import TEST_DATABASE_URL, scratch_database_url
from tests.live import LiveServer

VOTERS = 50


@pytest.fixture
def live(tmp_path):
    if TEST_DATABASE_URL.startswith("postgresql"):
        url, drop = scratch_database_url("votes")
    else:
        url, drop = f"sqlite:///{tmp_path / 'votes.db'}", lambda: None
    server = LiveServer(tmp_path, workers=2, threads=8, db_url=url)
    server.prepare()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        drop()


def _voters(url: str, count: int) -> tuple[int, list[int]]:
    """Acme's portal id and ``count`` new Acme people (straight into the database)."""
    engine = make_engine(url)
    with engine.begin() as db:
        acme = db.execute(text("SELECT id FROM company WHERE slug = 'acme'")).scalar_one()
        portal = db.execute(text("SELECT id FROM portal WHERE slug = 'acme'")).scalar_one()
        for i in range(count):
            db.execute(
                text(
                    'INSERT INTO "user" (email, name, is_staff, company_id, client_role,'
                    " is_active, session_version, created_at)"
                    " VALUES (:email, :name, false, :company, 'viewer', true, 1, CURRENT_TIMESTAMP)"
                ),
                {"email": f"voter{i}@acme.test", "name": f"Voter {i}", "company": acme},
            )
        ids = db.execute(
            text("SELECT id FROM \"user\" WHERE email LIKE 'voter%@acme.test' ORDER BY id")
        ).scalars()
        users = list(ids)
    engine.dispose()
    return portal, users


def _count(url: str, key: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as db:
        counter = db.execute(
            text("SELECT vote_count FROM feedback_post WHERE key = :k"), {"k": key}
        ).scalar_one()
        rows = db.execute(
            text(
                "SELECT count(*) FROM feedback_vote v JOIN feedback_post p ON p.id = v.post_id"
                " WHERE p.key = :k"
            ),
            {"k": key},
        ).scalar_one()
    engine.dispose()
    return counter, rows


def _race(calls: list[tuple[str, str]], headers: dict[str, str]) -> Counter:
    """Every call from its own thread, released together."""
    statuses: Counter = Counter()
    start = threading.Barrier(len(calls))
    lock = threading.Lock()

    def call(method: str, url: str) -> None:
        start.wait()
        resp = requests.request(method, url, headers=headers, timeout=120)
        with lock:
            statuses[resp.status_code] += 1

    threads = [threading.Thread(target=call, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_fifty_parallel_votes_count_exactly(live) -> None:
    secret = live.cli("api-key", "create", "--name", "votes").strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    portal, users = _voters(live.db_url, VOTERS)
    made = requests.post(
        f"{live.base}/api/v1/posts",
        json={"title": "Vote race", "portal_id": portal},
        headers=headers,
        timeout=30,
    )
    assert made.status_code == 200, made.text
    key = made.json()["data"]["id"]
    votes = f"{live.base}/api/v1/posts/{key}/votes"

    # each of 50 people votes twice at the same moment: 50 accepted, 50 "already voted"
    statuses = _race([("POST", f"{votes}/{u}") for u in users for _ in range(2)], headers)
    assert statuses == Counter({200: VOTERS, 422: VOTERS}), statuses
    assert _count(live.db_url, key) == (VOTERS, VOTERS)

    # 50 anonymous votes and 25 revocations at once
    anonymous = f"{live.base}/api/v1/posts/{key}/anonymous_votes"
    calls = [("POST", f"{anonymous}/anon{i}") for i in range(VOTERS)]
    calls += [("DELETE", f"{votes}/{u}") for u in users[:25]]
    statuses = _race(calls, headers)
    assert statuses == Counter({200: VOTERS + 25}), statuses
    assert _count(live.db_url, key) == (VOTERS + 25, VOTERS + 25)
    shown = requests.get(f"{live.base}/api/v1/posts/{key}", headers=headers, timeout=30)
    assert shown.json()["data"]["votes_count"] == VOTERS + 25
