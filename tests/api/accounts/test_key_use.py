"""A key's last use is recorded at most once a minute, after the request, in its own transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import select

from portal.models import ApiKey, ServiceToken
from portal.models.base import utcnow
from tests.api.conftest import bearer


def _last_used(db, model, row_id):
    db.expire_all()
    return db.exec(select(model.last_used_at).where(model.id == row_id)).one()


def _statements(db):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    return seen, record


def test_a_key_use_is_written_once_a_minute_not_on_every_request(client, db, make_key) -> None:
    secret = make_key()
    key = db.exec(select(ApiKey).where(ApiKey.name == "test key")).one()
    assert client.get("/api/v1/portals", headers=bearer(secret)).status_code == 200
    first = _last_used(db, ApiKey, key.id)
    assert first is not None and utcnow() - first < timedelta(seconds=30)

    # used again within the minute: no write at all (no row lock shared by every request)
    engine = db.get_bind().engine
    seen, record = _statements(db)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/api/v1/portals", headers=bearer(secret)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE") and "apikey" in s]
    assert _last_used(db, ApiKey, key.id) == first

    # a minute later the next use is recorded again
    db.get(ApiKey, key.id).last_used_at = utcnow() - timedelta(minutes=2)
    db.commit()
    assert client.get("/api/v1/portals", headers=bearer(secret)).status_code == 200
    assert utcnow() - _last_used(db, ApiKey, key.id) < timedelta(seconds=30)


def test_the_worker_token_use_is_recorded(client, db, service_token, tenants) -> None:
    token = db.exec(select(ServiceToken)).one()
    headers = bearer(service_token, **{"X-Portal-Company-Id": tenants.acme.id})
    assert client.get("/api/portal/dashboard", headers=headers).status_code == 200
    assert _last_used(db, ServiceToken, token.id) is not None
