"""Drill: many people writing at once on the embedded default (``make run``: SQLite, gunicorn
2 workers × 4 threads), and on PostgreSQL when the suite runs on it (a scratch database beside
the test one). Every response is below 500 and every acknowledged write is there.

The CI run is short; the acceptance run (32 writers for 60 s) is
``STOA_DRILL_WRITERS=32 STOA_DRILL_SECONDS=60 pytest -s tests/reliability/test_sqlite_writers.py``.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter

import pytest
import requests
from sqlalchemy import text

from portal.db import make_engine
from tests.conftest import TEST_DATABASE_URL, scratch_database_url
from tests.live import LiveServer, signed_in

WRITERS = int(os.environ.get("STOA_DRILL_WRITERS", "8"))
SECONDS = float(os.environ.get("STOA_DRILL_SECONDS", "8"))
ACCOUNTS = ("dev@acme.test", "owner@acme.test")


DATABASES = ["sqlite", "postgresql"] if TEST_DATABASE_URL.startswith("postgresql") else ["sqlite"]


@pytest.fixture(params=DATABASES)
def server(request, tmp_path):
    db_url, drop = (None, lambda: None)
    if request.param == "postgresql":
        db_url, drop = scratch_database_url("writers")
    live = LiveServer(tmp_path, workers=2, threads=4, db_url=db_url)
    try:
        live.prepare()
        live.start()
        yield live
    finally:
        live.stop()
        drop()


def _writer(
    base: str, template: requests.Session, ids: dict[str, int], tag: str, out: dict
) -> None:
    s = requests.Session()
    s.cookies.update(template.cookies)
    s.headers.update(template.headers)
    deadline = time.monotonic() + SECONDS
    i = 0
    while time.monotonic() < deadline:
        i += 1
        body = f"drill {tag} {i}"
        if i % 2:
            url = f"{base}/p/acme/notes"
            data = {"body": body, "resource_type": "project", "resource_id": ids["project"]}
        else:
            url = f"{base}/p/acme/tasks/{ids['task']}/comments"
            data = {"body": body}
        try:
            resp = s.post(url, data=data, allow_redirects=False, timeout=60)
        except requests.RequestException as exc:  # a dropped connection is a failure too
            out["statuses"][f"error {type(exc).__name__}"] += 1
            continue
        out["statuses"][resp.status_code] += 1
        if resp.status_code < 400:
            out["acknowledged"].append(body)


def test_concurrent_writers_lose_nothing(server) -> None:
    engine = make_engine(server.db_url)
    with engine.connect() as db:
        project = db.execute(
            text(
                "SELECT p.id FROM project p JOIN portal po ON po.company_id = p.company_id "
                "WHERE po.slug = 'acme' ORDER BY p.id LIMIT 1"
            )
        ).scalar()
        task = db.execute(
            text("SELECT id FROM task WHERE project_id = :p LIMIT 1"), {"p": project}
        ).scalar()
    assert project and task
    sessions = [signed_in(server.base, email) for email in ACCOUNTS]
    out: dict = {"statuses": Counter(), "acknowledged": []}
    threads = [
        threading.Thread(
            target=_writer,
            args=(
                server.base,
                sessions[n % len(sessions)],
                {"project": project, "task": task},
                f"{n}-{uuid.uuid4().hex[:6]}",
                out,
            ),
        )
        for n in range(WRITERS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with engine.connect() as db:
        stored = {
            row[0]
            for table in ("note", "taskcomment")
            for row in db.execute(text(f"SELECT body FROM {table} WHERE body LIKE 'drill %'"))
        }
    engine.dispose()
    acknowledged = out["acknowledged"]
    lost = [b for b in acknowledged if b not in stored]
    failures = {k: v for k, v in out["statuses"].items() if not isinstance(k, int) or k >= 500}
    print(  # noqa: T201 - the drill reports its figures
        f"\n{WRITERS} writers × {SECONDS:.0f}s: {sum(out['statuses'].values())} writes, "
        f"statuses {dict(out['statuses'])}, acknowledged {len(acknowledged)}, lost {len(lost)}"
    )
    assert not failures, failures
    assert not lost, lost[:5]
    assert len(acknowledged) > WRITERS  # the drill really wrote
