"""A client's own account lives in their portal's Settings tab, with the portal's branding."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import passwords
from portal.models import Portal, UserSession
from services.accounts.auth import open_session
from tests.conftest import PASSWORD

SETTINGS = "/p/acme-test/settings"
ROLES = ["acme_admin", "acme_collab", "acme_viewer"]


@pytest.mark.parametrize("who", ROLES)
def test_account_sends_a_client_to_their_portal_settings(client, login, tenants, who) -> None:
    login(getattr(tenants, who))
    resp = client.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"] == SETTINGS
    html = client.get(SETTINGS).get_data(as_text=True)
    assert 'class="tabbar portal-tabbar"' in html and "Acme Test" in html  # the portal's own layout
    # an answer (a refusal) scrolls to the form it is about
    assert f'action="{SETTINGS}/profile#profile-form"' in html
    assert f'action="{SETTINGS}/password#password-form"' in html
    assert 'name="email:note_mention"' in html  # the notification preferences too
    assert f'href="{SETTINGS}">Your account' in html  # the user menu stays in the portal


@pytest.mark.parametrize("who", ROLES)
def test_every_role_renames_themselves_in_the_portal(client, db, login, tenants, who) -> None:
    user = getattr(tenants, who)
    login(user)
    resp = client.post(f"{SETTINGS}/profile", data={"name": "New Name"})
    assert resp.status_code == 303 and resp.headers["Location"] == SETTINGS
    db.refresh(user)
    assert user.name == "New Name"
    assert "Profile saved." in client.get(SETTINGS).get_data(as_text=True)


def test_wrong_current_password_is_a_clear_error_in_the_portal(client, db, login, tenants) -> None:
    login(tenants.acme_viewer)
    resp = client.post(
        f"{SETTINGS}/password",
        data={"current_password": "wrong", "new_password": "another-long-one"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'class="tabbar portal-tabbar"' in html
    assert 'id="acct-current_password-err"' in html and "That is not your current password." in html
    weak = client.post(
        f"{SETTINGS}/password", data={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    blank = client.post(f"{SETTINGS}/profile", data={"name": " "})
    assert blank.status_code == 422 and "Your name can&#39;t be empty." in blank.get_data(
        as_text=True
    )
    db.refresh(tenants.acme_viewer)
    assert passwords.verify_password(tenants.acme_viewer.password_hash, PASSWORD)
    assert tenants.acme_viewer.session_version == 1


def test_password_change_signs_out_other_devices_only(client, db, login, tenants) -> None:
    user = tenants.acme_collab
    login(user)
    other_device = open_session(db, user=user)
    assert other_device
    resp = client.post(
        f"{SETTINGS}/password",
        data={"current_password": PASSWORD, "new_password": "a-brand-new-secret"},
    )
    assert resp.status_code == 303
    db.refresh(user)
    assert passwords.verify_password(user.password_hash, "a-brand-new-secret")
    left = db.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(left) == 1  # this device's session; the other one ended
    page = client.get(SETTINGS)  # still signed in here
    assert page.status_code == 200 and "Other devices were signed out." in page.get_data(
        as_text=True
    )


def test_foreign_portal_settings_are_not_found(client, login, tenants) -> None:
    login(tenants.acme_viewer)
    for path in ("/p/globex-test/settings", "/p/globex-test/settings/profile"):
        method = client.post if path.endswith("profile") else client.get
        assert method(path, data={"name": "x"}).status_code == 404


def test_staff_and_a_client_without_a_live_portal_keep_account(client, db, login, tenants) -> None:
    login(tenants.pm)
    page = client.get("/account")
    assert page.status_code == 200
    assert 'action="/account/password#password-form"' in page.get_data(as_text=True)
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.status = "pending"  # not open to its clients yet
    db.add(portal)
    db.flush()
    login(tenants.acme_viewer)
    page = client.get("/account")
    assert page.status_code == 200
    portal.status = "archived"  # read-only: its Settings cannot save, /account can
    db.add(portal)
    db.flush()
    assert client.get("/account").status_code == 200
    assert client.post("/account/profile", data={"name": "Still Me"}).status_code == 303
    page = client.get("/account")
    assert 'action="/account/profile#profile-form"' in page.get_data(as_text=True)
