"""One truth per number: the same figure on every page that shows it."""

from __future__ import annotations

import re

from services import deliverables as deliverables_service
from tests.factories.deliverables import actor, make_deliverable


def _section(html: str, heading: str) -> str:
    """The <section> whose heading is ``heading`` (up to its end)."""
    start = html.index(f">{heading}</h2>")
    return html[start : html.index("</section>", start)]


def test_progress_is_one_labelled_metric_everywhere(client, login, tenants, make_task) -> None:
    p = tenants.acme_project
    for i in range(5):
        make_task(p, title=f"T{i}", status="complete" if i < 2 else "open")
    login(tenants.acme_admin)
    dashboard = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    projects = client.get("/p/acme-test/projects").get_data(as_text=True)
    detail = client.get(f"/p/acme-test/projects/{p.id}").get_data(as_text=True)
    for page in (dashboard, projects, detail):
        assert "2 of 5 tasks done" in page
        assert "40%" in page or "40<span>%</span>" in page
    assert "goals and roadmap steps" not in detail


def test_waiting_for_you_counts_agree(client, login, db, tenants) -> None:
    pm = actor(db, tenants.pm)
    for i in range(12):
        d = make_deliverable(db, tenants.pm, tenants.acme, name=f"Banner {i:02d}")
        deliverables_service.submit(db, actor=pm, deliverable_id=d.id)
    login(tenants.acme_collab)
    count = re.compile(r'Waiting for you <span class="count">(\d+)</span>')
    dashboard = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    tab = client.get("/p/acme-test/deliverables").get_data(as_text=True)
    assert count.search(dashboard)[1] == count.search(tab)[1] == "12"
    assert "All 12 deliverables waiting for you" in dashboard  # it shows 5 and says so
    assert "All 12 in review" in tab


def test_team_and_settings_agree_on_who_belongs_to_the_company(client, login, tenants) -> None:
    login(tenants.acme_admin)
    team = client.get("/p/acme-test/team").get_data(as_text=True)
    settings = client.get("/p/acme-test/settings").get_data(as_text=True)
    people_team = _section(team, "People at Acme Test")
    people_settings = _section(settings, "People at Acme Test")
    for user in (tenants.acme_admin, tenants.acme_collab, tenants.acme_viewer):
        assert user.display_name in people_team and user.display_name in people_settings
    # the child company's admin belongs to the child, on both pages
    assert tenants.retail_admin.display_name not in people_team
    assert tenants.retail_admin.display_name not in people_settings
    assert tenants.retail_admin.display_name in _section(team, "People at Acme Retail Test")
