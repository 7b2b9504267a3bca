from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select, update

from portal.models import EmailOutbox, Invitation, MagicLink, User, UserSession
from portal.models.base import utcnow
from tests.conftest import PASSWORD


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_page_is_a_styled_document(client) -> None:
    resp = client.get("/login")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'name="csrf-token"' in html
    sheet = re.search(r'<link rel="stylesheet" href="(/assets/stoa\.css\?v=\w+)"', html)
    assert sheet is not None
    css = client.get(sheet.group(1)).get_data(as_text=True)
    assert all(f"/* css/{name}.css */" in css for name in ("tokens", "base", "auth"))
    assert 'type="password"' in html and 'autocomplete="current-password"' in html


def test_client_signs_in_and_lands_on_portal(client, tenants) -> None:
    resp = _sign_in(client, tenants.acme_admin.email)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/p/acme-test/dashboard"
    assert client.get("/p/acme-test/dashboard").status_code == 200


def test_staff_lands_on_admin(client, tenants) -> None:
    resp = _sign_in(client, tenants.staff_admin.email)
    assert resp.headers["Location"] == "/admin/"


def test_wrong_password_is_rejected_without_saying_which_part(client, db, tenants) -> None:
    resp = _sign_in(client, tenants.acme_admin.email, "nope-nope-nope")
    assert resp.status_code == 422
    assert "Email or password is incorrect." in resp.get_data(as_text=True)
    db.refresh(tenants.acme_admin)
    assert tenants.acme_admin.last_login_at is None
    unknown = _sign_in(client, "nobody@example.test", "whatever-pass")
    assert unknown.status_code == 422
    assert "Email or password is incorrect." in unknown.get_data(as_text=True)


def test_thirty_failures_for_one_account_end_in_429(client, tenants) -> None:
    statuses = [
        _sign_in(client, tenants.acme_admin.email, f"wrong-{i}").status_code for i in range(30)
    ]
    assert statuses[0] == 422
    assert 429 in statuses
    locked = _sign_in(client, tenants.acme_admin.email)  # even the right password now waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)


def test_an_office_behind_one_ip_can_still_sign_in(client, make_company, make_user) -> None:
    office = make_company("Office")
    people = [make_user(office, "viewer") for _ in range(12)]
    for person in people:  # each mistypes twice, then succeeds
        for _ in range(2):
            assert _sign_in(client, person.email, "typo-typo-typo").status_code == 422
        assert _sign_in(client, person.email).status_code == 303
        client.post("/logout")


def test_next_parameter_is_safe_from_open_redirects(client, tenants) -> None:
    for evil in ["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)"]:
        resp = _sign_in(client, tenants.acme_admin.email, next=evil)
        assert resp.headers["Location"] == "/p/acme-test/dashboard", evil
        client.post("/logout")
    resp = _sign_in(client, tenants.acme_admin.email, next="/p/acme-test/team")
    assert resp.headers["Location"] == "/p/acme-test/team"


def test_logout_ends_the_session(client, tenants) -> None:
    _sign_in(client, tenants.acme_admin.email)
    assert client.post("/logout").status_code == 303
    resp = client.get("/p/acme-test/dashboard")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_logout_revokes_a_copied_session_cookie(app, client, tenants) -> None:
    """Red-team #9: sign-out ends the session on the server, not only in this browser."""
    _sign_in(client, tenants.acme_admin.email)
    stolen = client.get_cookie("stoa_session").value
    thief = app.test_client()
    thief.set_cookie("stoa_session", stolen)
    assert thief.get("/p/acme-test/dashboard").status_code == 200  # the copy works...
    assert client.post("/logout").status_code == 303
    resp = thief.get("/p/acme-test/dashboard")  # ...until its owner signs out
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_logout_leaves_the_users_other_devices_signed_in(app, client, tenants) -> None:
    laptop = app.test_client()
    _sign_in(laptop, tenants.acme_admin.email)
    _sign_in(client, tenants.acme_admin.email)
    client.post("/logout")
    assert laptop.get("/p/acme-test/dashboard").status_code == 200


def test_a_password_change_keeps_this_device_and_ends_the_others(app, client, tenants) -> None:
    laptop = app.test_client()
    _sign_in(laptop, tenants.acme_admin.email)
    _sign_in(client, tenants.acme_admin.email)
    resp = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a-brand-new-password"},
    )
    assert resp.status_code == 303
    assert client.get("/p/acme-test/dashboard").status_code == 200
    assert laptop.get("/p/acme-test/dashboard").status_code == 302


def test_a_session_ends_two_weeks_after_sign_in(client, db, tenants) -> None:
    _sign_in(client, tenants.acme_admin.email)
    assert client.get("/p/acme-test/dashboard").status_code == 200
    db.exec(update(UserSession).values(created_at=utcnow() - timedelta(days=14, minutes=1)))
    assert client.get("/p/acme-test/dashboard").status_code == 302


def test_sign_out_everywhere_invalidates_other_sessions(app, client, tenants) -> None:
    other = app.test_client()
    _sign_in(other, tenants.acme_admin.email)
    _sign_in(client, tenants.acme_admin.email)
    assert client.post("/logout-everywhere").status_code == 303
    assert other.get("/p/acme-test/dashboard").status_code == 302


def test_session_cookie_flags(app, client, tenants) -> None:
    resp = _sign_in(client, tenants.acme_admin.email)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    tls = app.test_client()
    resp = tls.post(
        "/login",
        data={"email": tenants.acme_admin.email, "password": PASSWORD},
        base_url="https://portal.example.test",
    )
    assert "Secure" in resp.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in resp.headers


def test_csrf_is_required_on_forms(app, client, tenants) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = _sign_in(client, tenants.acme_admin.email)
        assert resp.status_code == 400
        assert "expired" in resp.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        ok = client.post(
            "/login",
            data={"email": tenants.acme_admin.email, "password": PASSWORD, "csrf_token": token},
        )
        assert ok.status_code == 303
        # HTMX requests carry the token in a header
        meta = re.search(
            r'name="csrf-token" content="([^"]+)"',
            client.get("/p/acme-test/settings").get_data(as_text=True),
        ).group(1)
        no_header = client.post(
            "/p/acme-test/settings/invitations",
            data={"email": "x@y.test"},
            headers={"HX-Request": "true"},
        )
        assert no_header.status_code == 400
        with_header = client.post(
            "/p/acme-test/settings/invitations",
            data={"email": "new@y.test"},
            headers={"HX-Request": "true", "X-CSRFToken": meta},
        )
        assert with_header.status_code == 204 and with_header.headers["HX-Redirect"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# Invitations ------------------------------------------------------------------------------


def _invite(client, slug="acme-test", **data):
    return client.post(f"/p/{slug}/settings/invitations", data={"role": "collaborator", **data})


def test_client_admin_invites_and_invitee_joins(app, client, db, login, tenants, mailbox) -> None:
    login(tenants.acme_admin)
    resp = _invite(client, email="New.Person@Example.test", name="New Person")
    assert resp.status_code == 303
    inv = db.exec(select(Invitation).where(Invitation.email == "new.person@example.test")).one()
    assert inv.expires_at - utcnow() > timedelta(days=6, hours=23)
    mail = db.exec(select(EmailOutbox).where(EmailOutbox.to_email == inv.email)).one()
    db.refresh(mail)
    assert mail.status == "sent"  # delivered to the outbox folder after commit
    token = mailbox.token(inv.email, "invite")
    # the stored copy keeps no usable link once sent (red-team #5)
    assert token not in mail.body_text and "/invite/[redacted]" in mail.body_text

    client.post("/logout")
    assert client.get(f"/invite/{token}").status_code == 200
    short = client.post(f"/invite/{token}", data={"name": "New Person", "password": "short"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    nameless = client.post(f"/invite/{token}", data={"name": " ", "password": "a-long-password"})
    assert nameless.status_code == 422 and "Tell us your name." in nameless.get_data(as_text=True)
    assert db.exec(select(User).where(User.email == "new.person@example.test")).first() is None
    joined = client.post(
        f"/invite/{token}", data={"name": "New Person", "password": "a-long-password"}
    )
    assert joined.status_code == 303 and joined.headers["Location"] == "/p/acme-test/dashboard"
    user = db.exec(select(User).where(User.email == "new.person@example.test")).one()
    assert user.company_id == tenants.acme.id and user.client_role == "collaborator"
    client.post("/logout")
    assert client.get(f"/invite/{token}").status_code == 404  # one time only


def _invitations(db) -> int:
    return db.exec(select(func.count()).select_from(Invitation)).one()


def test_invitation_errors(client, db, login, tenants) -> None:
    login(tenants.acme_admin)
    assert _invite(client, email="not-an-email").status_code == 422
    assert _invite(client, email="ok@example.test", role="owner").status_code == 422
    assert _invite(client, email="ok@example.test", name="n" * 201).status_code == 422
    exists = _invite(client, email=tenants.acme_viewer.email)
    assert exists.status_code == 409
    assert "already exists" in exists.get_data(as_text=True)
    assert _invitations(db) == 0


def test_twenty_invitations_per_portal_per_hour(client, login, tenants) -> None:
    login(tenants.acme_admin)
    for i in range(20):
        assert _invite(client, email=f"bulk{i}@example.test").status_code == 303
    assert _invite(client, email="one-too-many@example.test").status_code == 429


def test_invitation_link_with_a_bad_token_is_404_even_with_bad_fields(client, db) -> None:
    resp = client.post("/invite/no-such-token", data={"name": "", "password": "x"})
    assert resp.status_code == 404 and "invalid, used or expired" in resp.get_data(as_text=True)
    assert client.get("/invite/no-such-token").status_code == 404


def test_a_password_is_taken_exactly_as_typed(client, db, login, tenants, mailbox) -> None:
    login(tenants.acme_admin)
    _invite(client, email="spaces@example.test", name="Spaces")
    token = mailbox.token("spaces@example.test", "invite")
    client.post("/logout")
    joined = client.post(f"/invite/{token}", data={"name": "S", "password": "  spaced out  "})
    assert joined.status_code == 303
    client.post("/logout")
    assert _sign_in(client, "spaces@example.test", "spaced out").status_code == 422
    assert _sign_in(client, "spaces@example.test", "  spaced out  ").status_code == 303


def test_expired_invitation_is_refused(client, db, login, tenants, mailbox) -> None:
    login(tenants.acme_admin)
    _invite(client, email="late@example.test")
    inv = db.exec(select(Invitation).where(Invitation.email == "late@example.test")).one()
    token = mailbox.token("late@example.test", "invite")
    inv.expires_at = utcnow() - timedelta(minutes=1)
    db.add(inv)
    db.flush()
    client.post("/logout")
    assert client.get(f"/invite/{token}").status_code == 404


@pytest.mark.parametrize("who", ["acme_collab", "acme_viewer"])
def test_only_admins_invite(client, db, login, tenants, who) -> None:
    login(getattr(tenants, who))
    assert _invite(client, email="x@example.test").status_code == 403
    assert _invitations(db) == 0


# Magic links -------------------------------------------------------------------------------


def test_magic_link_signs_in_once(client, db, tenants, mailbox) -> None:
    resp = client.post("/magic", data={"email": tenants.acme_collab.email})
    assert resp.status_code == 200 and "Check your email" in resp.get_data(as_text=True)
    token = mailbox.token(tenants.acme_collab.email, "magic")
    assert client.get(f"/magic/{token}").status_code == 200  # a prefetch does not burn it
    used = client.post(f"/magic/{token}")
    assert used.status_code == 303 and used.headers["Location"] == "/p/acme-test/dashboard"
    client.post("/logout")
    assert client.post(f"/magic/{token}").status_code == 410


def test_magic_link_expires_after_15_minutes(client, db, tenants, mailbox) -> None:
    client.post("/magic", data={"email": tenants.acme_collab.email})
    token = mailbox.token(tenants.acme_collab.email, "magic")
    link = db.exec(select(MagicLink).where(MagicLink.user_id == tenants.acme_collab.id)).one()
    assert timedelta(minutes=14) < link.expires_at - utcnow() <= timedelta(minutes=15)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.add(link)
    db.flush()
    assert client.post(f"/magic/{token}").status_code == 410


def test_magic_link_for_unknown_email_says_the_same(client, db) -> None:
    resp = client.post("/magic", data={"email": "ghost@example.test"})
    assert resp.status_code == 200 and "Check your email" in resp.get_data(as_text=True)
    assert (
        db.exec(select(EmailOutbox).where(EmailOutbox.to_email == "ghost@example.test")).first()
        is None
    )
