"""@mentions in a deliverable's comment (the revision request) notify the people named who can
see the deliverable, once, never the author (services.notes.notify_mentions, as the notes)."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Notification
from services import deliverables as service
from tests.factories.deliverables import actor, make_deliverable

BASE = "/p/acme-test/deliverables"


def _types(db, user) -> list[str]:
    return list(db.exec(select(Notification.type).where(Notification.user_id == user.id)).all())


def test_a_mention_in_a_revision_request_notifies_once(
    client, db, login, tenants, make_user
) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Brand book")
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    outsider_staff = make_user(staff="pm")
    db.exec(select(Notification)).all()
    before = {u.id: len(_types(db, u)) for u in (tenants.acme_admin, tenants.pm)}
    login(tenants.acme_collab)
    note = (
        f"Darker blue, @{tenants.acme_admin.email} @{tenants.acme_admin.email} agrees; "
        f"@{tenants.pm.email} @{tenants.globex_admin.email} @{outsider_staff.email} "
        f"@{tenants.acme_collab.email}"
    )
    resp = client.post(f"{BASE}/{d.id}/request-revision", data={"note": note})
    assert resp.status_code == 303
    admin = db.exec(
        select(Notification)
        .where(Notification.user_id == tenants.acme_admin.id)
        .where(Notification.type == "deliverable_mention")
    ).one()
    assert len(_types(db, tenants.acme_admin)) == before[tenants.acme_admin.id] + 1
    assert admin.title == f"{tenants.acme_collab.name} mentioned you on Brand book"
    assert admin.url == f"{BASE}/{d.id}"
    # the manager is told once: the revision notice, not a second mention notice
    assert "deliverable_mention" not in _types(db, tenants.pm)
    assert len(_types(db, tenants.pm)) == before[tenants.pm.id] + 1
    assert _types(db, tenants.globex_admin) == []
    assert _types(db, outsider_staff) == []
    assert "deliverable_mention" not in _types(db, tenants.acme_collab)


def test_the_revision_box_offers_mentions(client, db, login, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Brand book")
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    login(tenants.acme_collab)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert 'id="r-note" data-mention-url="/p/acme-test/mentions"' in page
    assert "js/mentions.js" in page
