"""Emailed sign-in and invitation links come from configuration only (red-team finding #1):
a forged Host or X-Forwarded-Host never becomes the domain a victim is sent to."""

from __future__ import annotations

import pytest
from sqlmodel import select
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import create_app
from portal.config import ConfigError
from portal.models import EmailOutbox
from tests.conftest import TMP

EVIL = "evil.example"


def _last_mail(db, to: str) -> EmailOutbox:
    db.expire_all()
    return db.exec(
        select(EmailOutbox).where(EmailOutbox.to_email == to).order_by(EmailOutbox.id.desc())
    ).first()


def test_magic_link_ignores_a_forged_host(client, db, tenants) -> None:
    email = tenants.acme_admin.email
    resp = client.post(
        "/magic",
        data={"email": email},
        headers={"Host": EVIL, "X-Forwarded-Host": EVIL},
    )
    assert resp.status_code == 200
    mail = _last_mail(db, email)
    assert mail is not None and "/magic/" in mail.body_text
    assert EVIL not in mail.body_text and EVIL not in (mail.body_html or "")
    assert "http://127.0.0.1:8000/magic/" in mail.body_text  # the configured default


def test_invitation_link_ignores_a_forwarded_host(
    app, client, db, login, tenants, monkeypatch
) -> None:
    """Behind the shipped proxy setting (TRUSTED_PROXIES=1) X-Forwarded-Host is honoured."""
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    login(tenants.acme_admin)
    resp = client.post(
        "/p/acme-test/settings/invitations",
        data={"email": "new.person@example.test", "name": "New Person", "role": "viewer"},
        headers={"X-Forwarded-Host": EVIL, "X-Forwarded-For": "203.0.113.9"},
    )
    assert resp.status_code == 303, resp.status_code
    mail = _last_mail(db, "new.person@example.test")
    assert mail is not None and "/invite/" in mail.body_text
    assert EVIL not in mail.body_text


def _production(**extra: object):
    return create_app(
        {
            "STOA_ENV": "production",
            "SECRET_KEY": "prod-secret",
            "STOA_ENCRYPTION_KEYS": "4mDjl8n7hQ7-aTgYVdNLeokv0hFIs6iC8YBVDVkGKxQ=",
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(TMP / "prod-instance"),
            "REDIS_URL": "",
            "SWEEPER": False,  # no background sweep thread outliving the test (empty database)
            **extra,
        }
    )


def test_production_refuses_to_start_without_a_base_url() -> None:
    with pytest.raises(ConfigError, match="STOA_BASE_URL"):
        _production()


def test_production_answers_only_its_own_hosts() -> None:
    app = _production(BASE_URL="https://portal.example.com")
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "portal.example.com"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200  # probes
    assert client.get("/healthz", headers={"Host": EVIL}).status_code == 400
