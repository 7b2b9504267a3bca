"""API fixtures: keys and service tokens, and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from portal.models import Company, Portal
from services.accounts.tokens import create_api_key, create_service_token


@pytest.fixture
def make_key(db) -> Callable[..., str]:
    """``make_key(company=None, scopes=None)`` -> the secret of a new API key."""

    def make(company: Company | None = None, scopes: list[str] | None = None) -> str:
        _, secret = create_api_key(
            db, name="test key", company_id=company.id if company else None, scopes=scopes
        )
        return secret

    return make


@pytest.fixture
def service_token(db) -> str:
    _, secret = create_service_token(db, name="worker")
    return secret


def bearer(secret: str, **extra: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **{k: str(v) for k, v in extra.items()}}


def portal_of(db, company: Company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def assert_envelope(resp, status: int, code: str | None = None) -> dict:
    """The error envelope: code, message, data.status — and no HTML, no traceback."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) >= {"code", "message", "data"}
    assert body["data"] == {"status": status}
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in resp.get_data(as_text=True)
    if code:
        assert body["code"] == code, body
    return body
