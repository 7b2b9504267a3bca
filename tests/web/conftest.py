"""The probe's world: the Tenants plus one object of every kind that routes take an id of."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Announcement, Note, Notification, Portal


@pytest.fixture
def world(db, tenants):
    tenants.acme_portal_id = db.exec(
        select(Portal.id).where(Portal.company_id == tenants.acme.id)
    ).one()
    note = Note(
        company_id=tenants.acme.id,
        resource_type="project",
        resource_id=tenants.acme_project.id,
        author_id=tenants.acme_admin.id,
        body="Acme's own note",
    )
    notification = Notification(
        user_id=tenants.acme_admin.id,
        company_id=tenants.acme.id,
        type="note_mention",
        title="Acme-only notification",
        url="/p/acme-test/notes",
    )
    announcement = Announcement(company_id=tenants.acme.id, title="Acme-only news", body="")
    db.add_all([note, notification, announcement])
    db.flush()
    from portal.models.network import NetworkWlan
    from tests.factories.network import make_site

    tenants.acme_site = make_site(db, tenants.acme, name="Acme-only site")
    tenants.acme_wlan_id = db.exec(
        select(NetworkWlan.id).where(NetworkWlan.site_id == tenants.acme_site.id)
    ).first()
    tenants.acme_note = note
    tenants.acme_notification = notification
    tenants.acme_announcement = announcement
    return tenants
