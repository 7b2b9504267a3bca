"""The staff People page and the client admin's Settings: roles, deactivation, invitations."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import ActivityLog, EmailOutbox, Invitation, UserSession
from services.accounts.auth import open_session
from tests.factories.people import make_invitation


def _actions(db, action: str) -> list[ActivityLog]:
    return list(db.exec(select(ActivityLog).where(ActivityLog.action == action)).all())


def test_admin_lists_everyone_with_company_role_sign_in_and_status(client, login, tenants) -> None:
    login(tenants.staff_admin)
    html = client.get("/admin/people/").get_data(as_text=True)
    for user in (tenants.acme_admin, tenants.globex_admin, tenants.pm, tenants.retail_admin):
        assert user.email in html
    assert "Acme Retail Test" in html and "Globex Test" in html
    assert "Never" in html  # last sign-in of people who never signed in
    assert "badge-active" in html


def test_search_company_role_and_status_filters(client, login, tenants, db) -> None:
    login(tenants.staff_admin)
    tenants.acme_viewer.is_active = False
    db.add(tenants.acme_viewer)
    db.flush()
    html = client.get(f"/admin/people/?q={tenants.acme_collab.email[:8]}").get_data(as_text=True)
    assert tenants.acme_collab.email in html and tenants.acme_admin.email not in html
    html = client.get(f"/admin/people/?company={tenants.globex.id}").get_data(as_text=True)
    assert tenants.globex_admin.email in html and tenants.acme_admin.email not in html
    html = client.get("/admin/people/?role=staff").get_data(as_text=True)
    assert tenants.pm.email in html and tenants.acme_admin.email not in html
    html = client.get("/admin/people/?status=deactivated").get_data(as_text=True)
    assert tenants.acme_viewer.email in html and tenants.acme_admin.email not in html


def test_both_ways(client, login, tenants) -> None:
    from tests.conftest import assert_both_ways

    login(tenants.staff_admin)
    full, fragment = assert_both_ways(client, "/admin/people/")
    assert "People" in fragment


def test_pages_through_people_in_a_bounded_number_of_queries(
    client, login, tenants, make_user, count_queries
) -> None:
    login(tenants.staff_admin)
    counts = []
    for n in (3, 30):
        for _ in range(n):
            make_user(tenants.globex, "viewer")
        with count_queries() as counter:
            resp = client.get("/admin/people/")
        assert resp.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert "Next" in client.get("/admin/people/").get_data(as_text=True)


def test_pm_sees_only_its_portals_people(client, login, tenants) -> None:
    login(tenants.pm)
    html = client.get("/admin/people/").get_data(as_text=True)
    assert tenants.acme_admin.email in html and tenants.retail_admin.email in html
    assert tenants.globex_admin.email not in html


def test_changing_a_role_is_logged(client, login, tenants, db) -> None:
    login(tenants.pm)
    resp = client.post(
        f"/admin/people/{tenants.acme_viewer.id}/role", data={"role": "collaborator"}
    )
    assert resp.status_code == 303
    db.refresh(tenants.acme_viewer)
    assert tenants.acme_viewer.client_role == "collaborator"
    [row] = _actions(db, "client_role_changed")
    assert row.company_id == tenants.acme.id and "viewer to collaborator" in row.description


def test_an_unknown_role_is_422(client, login, tenants, db) -> None:
    login(tenants.staff_admin)
    resp = client.post(f"/admin/people/{tenants.acme_viewer.id}/role", data={"role": "owner"})
    assert resp.status_code == 422
    db.refresh(tenants.acme_viewer)
    assert tenants.acme_viewer.client_role == "viewer"


def test_deactivating_ends_every_session_and_refuses_sign_in(
    app, client, login, tenants, db
) -> None:
    victim = tenants.acme_collab
    other = app.test_client()
    key = open_session(db, user=victim)
    with other.session_transaction() as sess:
        sess["_user_id"] = victim.get_id()
        sess["_sid"] = key
    assert other.get("/p/acme-test/dashboard").status_code == 200
    login(tenants.staff_admin)
    assert client.post(f"/admin/people/{victim.id}/deactivate").status_code == 303
    assert db.exec(select(UserSession).where(UserSession.user_id == victim.id)).all() == []
    assert other.get("/p/acme-test/dashboard").status_code in {302, 401}
    client.post("/logout")
    resp = client.post("/login", data={"email": victim.email, "password": "correct-horse-battery"})
    assert resp.status_code in {401, 422}
    assert len(_actions(db, "user_deactivated")) == 1
    login(tenants.staff_admin)
    assert client.post(f"/admin/people/{victim.id}/reactivate").status_code == 303
    db.refresh(victim)
    assert victim.is_active and len(_actions(db, "user_reactivated")) == 1


def test_revoked_invitation_link_shows_a_clear_page(client, login, tenants, db) -> None:
    inv, token = make_invitation(db, tenants.acme)
    assert client.get(f"/invite/{token}").status_code == 200
    login(tenants.staff_admin)
    html = client.get("/admin/people/").get_data(as_text=True)
    assert inv.email in html
    assert client.post(f"/admin/people/invitations/{inv.id}/revoke").status_code == 303
    client.post("/logout")
    resp = client.get(f"/invite/{token}")
    assert resp.status_code == 404
    assert "withdrawn" in resp.get_data(as_text=True)
    resp = client.post(f"/invite/{token}", data={"name": "X", "password": "long-enough-pass-1"})
    assert resp.status_code == 404
    assert len(_actions(db, "invitation_revoked")) == 1


def test_resending_an_invitation_mails_a_new_link_and_retires_the_old(
    client, login, tenants, db
) -> None:
    inv, token = make_invitation(db, tenants.acme)
    login(tenants.staff_admin)
    assert client.post(f"/admin/people/invitations/{inv.id}/resend").status_code == 303
    db.refresh(inv)
    assert inv.email_id is not None
    assert db.get(EmailOutbox, inv.email_id).to_email == inv.email
    assert client.get(f"/invite/{token}").status_code == 404
    assert len(_actions(db, "invitation_resent")) == 1
    # revoked invitations can't be resent
    client.post(f"/admin/people/invitations/{inv.id}/revoke")
    assert client.post(f"/admin/people/invitations/{inv.id}/resend").status_code == 409


def test_a_pm_cannot_act_on_people_of_portals_it_is_not_assigned_to(
    client, login, tenants, make_user, db
) -> None:
    globex_pm = make_user(staff="pm", assign=[tenants.globex])
    inv, _ = make_invitation(db, tenants.acme)
    login(globex_pm)
    for path in (
        f"/admin/people/{tenants.acme_viewer.id}/role",
        f"/admin/people/{tenants.acme_viewer.id}/deactivate",
        f"/admin/people/{tenants.acme_viewer.id}/view-as",
        f"/admin/people/invitations/{inv.id}/revoke",
        f"/admin/people/invitations/{inv.id}/resend",
    ):
        assert client.post(path, data={"role": "admin"}).status_code == 404, path
    db.refresh(tenants.acme_viewer)
    assert tenants.acme_viewer.client_role == "viewer" and tenants.acme_viewer.is_active
    db.refresh(inv)
    assert inv.revoked_at is None


def test_staff_users_are_not_changed_here(client, login, tenants) -> None:
    login(tenants.staff_admin)
    assert client.post(f"/admin/people/{tenants.pm.id}/deactivate").status_code == 404


def test_clients_do_not_find_the_people_page(client, login, tenants) -> None:
    login(tenants.acme_admin)
    assert client.get("/admin/people/").status_code == 404


# The client admin's Settings ----------------------------------------------------------------


def test_client_admin_manages_its_own_company_under_settings(client, login, tenants, db) -> None:
    inv, token = make_invitation(db, tenants.acme)
    login(tenants.acme_admin)
    html = client.get("/p/acme-test/settings").get_data(as_text=True)
    assert f"/p/acme-test/settings/people/{tenants.acme_viewer.id}/role" in html
    assert f"/p/acme-test/settings/invitations/{inv.id}/revoke" in html
    resp = client.post(
        f"/p/acme-test/settings/people/{tenants.acme_viewer.id}/role", data={"role": "admin"}
    )
    assert resp.status_code == 303
    db.refresh(tenants.acme_viewer)
    assert tenants.acme_viewer.client_role == "admin"
    assert (
        client.post(f"/p/acme-test/settings/people/{tenants.acme_collab.id}/deactivate").status_code
        == 303
    )
    assert client.post(f"/p/acme-test/settings/invitations/{inv.id}/revoke").status_code == 303
    assert client.get(f"/invite/{token}").status_code == 404


def test_client_admin_cannot_lock_itself_out(client, login, tenants) -> None:
    login(tenants.acme_admin)
    me = tenants.acme_admin.id
    resp = client.post(f"/p/acme-test/settings/people/{me}/deactivate")
    assert resp.status_code == 409
    assert "yourself" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/p/acme-retail-test/settings/people/{retail}/role",
        "/p/acme-retail-test/settings/people/{retail}/deactivate",
        "/p/acme-test/settings/people/{retail}/role",
        "/p/acme-test/settings/people/{globex}/role",
    ],
)
def test_a_client_admin_never_manages_another_company(client, login, tenants, db, path) -> None:
    """Not its child company (even though it sees that portal) nor anyone else's."""
    login(tenants.acme_admin)
    url = path.format(retail=tenants.retail_admin.id, globex=tenants.globex_admin.id)
    assert client.post(url, data={"role": "viewer"}).status_code in {403, 404}
    db.refresh(tenants.retail_admin)
    assert tenants.retail_admin.client_role == "admin" and tenants.retail_admin.is_active
    html = client.get("/p/acme-retail-test/settings").get_data(as_text=True)
    assert "settings/people/" not in html


def test_a_client_admin_cannot_revoke_another_companys_invitation(
    client, login, tenants, db
) -> None:
    inv, _ = make_invitation(db, tenants.retail)
    login(tenants.acme_admin)
    assert client.post(f"/p/acme-test/settings/invitations/{inv.id}/revoke").status_code == 404
    resp = client.post(f"/p/acme-retail-test/settings/invitations/{inv.id}/revoke")
    assert resp.status_code == 403
    assert db.get(Invitation, inv.id).revoked_at is None
