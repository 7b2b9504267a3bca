"""The dashboard gathers what other areas publish: deliverables waiting for the client, news."""

from __future__ import annotations

from portal.models import Announcement
from services import deliverables as deliverable_service
from tests.factories.deliverables import actor, make_deliverable


def test_waiting_for_you_lists_deliverables_in_review(client, db, login, tenants) -> None:
    d = make_deliverable(db, tenants.staff_admin, tenants.acme, name="Logo concepts")
    deliverable_service.submit(db, actor=actor(db, tenants.staff_admin), deliverable_id=d.id)
    make_deliverable(
        db, tenants.staff_admin, tenants.acme, name="Still a draft"
    )  # pending: not shown
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    waiting = html.split('id="waiting-h"', 1)[1].split("</section>", 1)[0]
    assert "Logo concepts" in waiting and "Still a draft" not in waiting
    login(tenants.acme_viewer)  # viewers cannot approve: nothing waits for them
    assert "Waiting for you" not in client.get("/p/acme-test/dashboard").get_data(as_text=True)
    login(tenants.globex_admin)
    assert "Logo concepts" not in client.get("/p/globex-test/dashboard").get_data(as_text=True)


def test_announcements_on_dashboard_and_worker_api(client, db, login, tenants) -> None:
    db.add(Announcement(title="Office closed Friday", body="See you Monday.", company_id=None))
    db.add(
        Announcement(title="Acme roadmap review", body="Tuesday 10:00", company_id=tenants.acme.id)
    )
    db.add(Announcement(title="Globex only news", body="x", company_id=tenants.globex.id))
    db.flush()
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Office closed Friday" in html and "Acme roadmap review" in html
    assert "Globex only news" not in html


def test_dashboard_with_extras_stays_within_query_budget(
    client, db, login, count_queries, tenants
) -> None:
    for i in range(5):
        d = make_deliverable(db, tenants.staff_admin, tenants.acme, name=f"D{i}")
        deliverable_service.submit(db, actor=actor(db, tenants.staff_admin), deliverable_id=d.id)
        db.add(Announcement(title=f"News {i}", body="", company_id=tenants.acme.id))
    db.flush()
    for user in (tenants.acme_collab, tenants.pm, tenants.staff_admin):
        login(user)
        client.get("/p/acme-test/dashboard")
        with count_queries() as q:
            assert client.get("/p/acme-test/dashboard").status_code == 200
        assert q.count <= 12, (user.email, q.count)


def test_files_waiting_for_my_approval(client, db, login, tenants) -> None:
    from portal.models import PortalFile

    db.add(
        PortalFile(
            company_id=tenants.acme.id,
            name="Signed contract.pdf",
            uploaded_by_id=tenants.acme_admin.id,
            approval_status="pending",
            approver_id=tenants.acme_collab.id,
            linked_url="https://example.test/c",
        )
    )
    db.flush()
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    waiting = html.split('id="waiting-h"', 1)[1].split("</section>", 1)[0]
    assert "Signed contract.pdf" in waiting and "waiting for your approval" in waiting
    login(tenants.acme_viewer)  # not the approver
    assert "Signed contract.pdf" not in client.get("/p/acme-test/dashboard").get_data(as_text=True)
