"""Two app processes behind one proxy share one database: a session made on one is valid on
the other, a write on one is read on the other, and concurrent writes through both lose nothing.
Runs on PostgreSQL when TEST_DATABASE_URL points at it (as in CI), on one SQLite file otherwise."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
from sqlalchemy import text

from portal.db import make_engine
from tests.conftest import TEST_DATABASE_URL, scratch_database_url
from tests.live import LiveServer, signed_in


@pytest.fixture
def replicas(tmp_path):
    if TEST_DATABASE_URL.startswith("postgresql"):
        url, drop = scratch_database_url("replicas")
    else:
        url, drop = f"sqlite:///{tmp_path / 'shared.db'}", lambda: None
    a = LiveServer(tmp_path, workers=1, threads=4, db_url=url)
    b = LiveServer(tmp_path, workers=1, threads=4, db_url=url)
    a.prepare()
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()
        drop()


def _project_id(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as db:
        value = db.execute(
            text(
                "SELECT p.id FROM project p JOIN portal po ON po.company_id = p.company_id "
                "WHERE po.slug = 'acme' ORDER BY p.id LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    return int(value)


def test_two_app_processes_share_sessions_and_data(replicas) -> None:
    a, b = replicas
    on_a = signed_in(a.base, "dev@acme.test")
    on_b = requests.Session()  # the same cookie and CSRF token, sent to the other replica
    on_b.cookies.update(on_a.cookies)
    on_b.headers.update(on_a.headers)
    project = _project_id(a.db_url)
    note = {"resource_type": "project", "resource_id": project}

    resp = on_a.post(f"{a.base}/p/acme/notes", data={**note, "body": "written on A"})
    assert resp.status_code == 200
    page = on_b.get(f"{b.base}/p/acme/notes?project={project}")
    assert page.status_code == 200 and "written on A" in page.text

    statuses: Counter = Counter()
    acknowledged: list[str] = []

    def write(template: requests.Session, base: str, tag: str) -> None:
        session = requests.Session()  # one per thread, signed in as the template
        session.cookies.update(template.cookies)
        session.headers.update(template.headers)
        for i in range(15):
            body = f"replica {tag} {i}"
            r = session.post(f"{base}/p/acme/notes", data={**note, "body": body})
            statuses[r.status_code] += 1
            if r.status_code < 400:
                acknowledged.append(body)

    threads = [
        threading.Thread(target=write, args=(s, base, f"{tag}{n}"))
        for n in range(3)
        for s, base, tag in ((on_a, a.base, "a"), (on_b, b.base, "b"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code < 500 for code in statuses), statuses
    engine = make_engine(a.db_url)
    with engine.connect() as db:
        stored = {
            r[0] for r in db.execute(text("SELECT body FROM note WHERE body LIKE 'replica %'"))
        }
    engine.dispose()
    assert set(acknowledged) <= stored and len(acknowledged) == 90
