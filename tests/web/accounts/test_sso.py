from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests

from portal import create_app
from tests.conftest import TEST_DATABASE_URL, TMP
from tests.fakes.oidc import FakeOidcProvider


@pytest.fixture
def idp():
    with FakeOidcProvider() as provider:
        yield provider


@pytest.fixture
def sso_client(engine, db, idp):
    """An app configured with a staff provider and a provider for the Acme Test company."""
    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": TEST_DATABASE_URL,
            "INSTANCE_PATH": str(TMP / "instance"),
            "SECRET_KEY": "test-secret-key",
            "STOA_ENV": "test",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "JOBS_IN_PROCESS": True,
            "SSO_PROVIDERS": [
                {
                    "name": "corp",
                    "label": "Northwind SSO",
                    "issuer": idp.issuer,
                    "client_id": idp.client_id,
                    "client_secret": idp.client_secret,
                },
                {
                    "name": "acme",
                    "label": "Acme Entra ID",
                    "issuer": idp.issuer,
                    "client_id": idp.client_id,
                    "client_secret": idp.client_secret,
                    "company_slug": "acme-test",
                },
            ],
        }
    )
    # requests share the test's rolled-back connection
    from sqlmodel import Session

    conn = db.connection()
    app.extensions["stoa_db"].session_factory = lambda: Session(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app.test_client()


def _sso(client, idp, provider: str, identity: dict):
    idp.next_identity = identity
    start = client.get(f"/sso/{provider}/login?next=/admin/")
    assert start.status_code == 302 and start.headers["Location"].startswith(idp.issuer)
    consent = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    callback = urlparse(consent.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_login_page_offers_the_providers(sso_client) -> None:
    html = sso_client.get("/login").get_data(as_text=True)
    assert "Sign in with Northwind SSO" in html and "Sign in with Acme Entra ID" in html


def test_staff_signs_in_with_sso(sso_client, idp, tenants) -> None:
    resp = _sso(
        sso_client,
        idp,
        "corp",
        {"email": tenants.staff_admin.email.upper(), "email_verified": True},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
    assert sso_client.get("/admin/").status_code == 200


def test_staff_provider_refuses_clients_and_unverified_emails(sso_client, idp, tenants) -> None:
    client_user = _sso(
        sso_client, idp, "corp", {"email": tenants.acme_admin.email, "email_verified": True}
    )
    assert client_user.status_code == 403 and "for agency staff" in client_user.get_data(
        as_text=True
    )
    unverified = _sso(
        sso_client, idp, "corp", {"email": tenants.staff_admin.email, "email_verified": False}
    )
    assert unverified.status_code == 403
    unknown = _sso(
        sso_client, idp, "corp", {"email": "stranger@example.test", "email_verified": True}
    )
    assert unknown.status_code == 403 and "Ask for an invitation" in unknown.get_data(as_text=True)
    assert sso_client.get("/admin/").status_code == 302  # still signed out


def test_company_provider_signs_in_only_its_people(sso_client, idp, tenants) -> None:
    ok = _sso(sso_client, idp, "acme", {"email": tenants.acme_collab.email, "email_verified": True})
    assert ok.status_code == 303
    sso_client.post("/logout")
    other = _sso(
        sso_client, idp, "acme", {"email": tenants.globex_admin.email, "email_verified": True}
    )
    assert other.status_code == 403


def test_tampered_state_is_refused(sso_client, idp, tenants) -> None:
    idp.next_identity = {"email": tenants.staff_admin.email, "email_verified": True}
    start = sso_client.get("/sso/corp/login")
    consent = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    callback = urlparse(consent.headers["Location"])
    forged = callback.query.replace("state=", "state=forged")
    resp = sso_client.get(f"{callback.path}?{forged}")
    assert resp.status_code == 400 and "did not complete" in resp.get_data(as_text=True)


def test_unknown_provider_is_404(sso_client) -> None:
    assert sso_client.get("/sso/nope/login").status_code == 404


def test_unreachable_provider_is_a_clear_503(engine, db) -> None:
    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": TEST_DATABASE_URL,
            "INSTANCE_PATH": str(TMP / "instance"),
            "SECRET_KEY": "k",
            "STOA_ENV": "test",
            "TESTING": True,
            "SSO_PROVIDERS": [
                {
                    "name": "down",
                    "issuer": "http://127.0.0.1:9",
                    "client_id": "a",
                    "client_secret": "b",
                }
            ],
        }
    )
    resp = app.test_client().get("/sso/down/login")
    assert resp.status_code == 503 and "not answering" in resp.get_data(as_text=True)
