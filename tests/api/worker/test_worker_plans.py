"""Reference 000: a project's goals, members, summary, roadmap and decisions; Pages."""

from __future__ import annotations

import pytest

from portal.models import (
    Decision,
    Page,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
)
from portal.models.base import utcnow
from tests.api.conftest import assert_envelope
from tests.api.worker.test_worker import worker


@pytest.fixture
def plan(db, tenants):
    p = tenants.acme_project
    p.lead_id = tenants.pm.id
    db.add(p)
    db.add_all(
        [
            ProjectGoal(company_id=p.company_id, project_id=p.id, title="Launch", target="Live"),
            ProjectMember(
                company_id=p.company_id,
                project_id=p.id,
                user_id=tenants.staff_admin.id,
                role_label="Design lead",
            ),
            Decision(
                company_id=p.company_id,
                project_id=p.id,
                title="Two phases",
                decided_by_id=tenants.acme_admin.id,
            ),
            ProjectSummary(company_id=p.company_id, project_id=p.id, body="On track."),
        ]
    )
    roadmap = Roadmap(company_id=p.company_id, project_id=p.id, title="Road")
    db.add(roadmap)
    db.flush()
    db.add_all(
        [
            RoadmapItem(
                company_id=p.company_id,
                roadmap_id=roadmap.id,
                title=f"Step {i}",
                status=s,
                sort_order=i,
            )
            for i, s in enumerate(["done", "in_progress", "planned"])
        ]
    )
    db.flush()
    return p


def page(db, company, title, *, published=True, project=None) -> Page:
    row = Page(
        company_id=company.id,
        project_id=project.id if project else None,
        title=title,
        slug="s",
        body_html="<p>Body</p>",
        published_at=utcnow() if published else None,
    )
    db.add(row)
    db.flush()
    return row


def test_project_detail_has_goals_members_summary_and_decisions(
    client, tenants, plan, service_token
) -> None:
    body = client.get(
        f"/api/portal/projects/{plan.id}", headers=worker(service_token, tenants.acme, "viewer")
    ).get_json()
    assert [g["title"] for g in body["goals"]] == ["Launch"]
    assert body["goals"][0]["target"] == "Live" and body["goals"][0]["status"] == "on_track"
    roles = {m["id"]: m["projectRole"] for m in body["members"]}
    assert roles == {str(tenants.pm.id): "lead", str(tenants.staff_admin.id): "Design lead"}
    assert body["aiSummary"]["summary"] == "On track."
    assert body["aiSummary"]["source"] == "generated"
    decision = body["decisions"][0]
    assert decision["title"] == "Two phases" and isinstance(decision["id"], str)
    assert decision["decidedByName"] == tenants.acme_admin.display_name


def test_roadmap_and_decisions(client, db, tenants, plan, service_token) -> None:
    headers = worker(service_token, tenants.acme)
    body = client.get(f"/api/portal/projects/{plan.id}/roadmap", headers=headers).get_json()
    assert body["roadmap"]["title"] == "Road"
    assert [(i["title"], i["status"]) for i in body["items"]] == [
        ("Step 0", "done"),
        ("Step 1", "in_progress"),
        ("Step 2", "planned"),
    ]
    none = client.get(
        f"/api/portal/projects/{tenants.retail_project.id}/roadmap", headers=headers
    ).get_json()
    assert none == {"roadmap": None, "items": []}
    body = client.get(f"/api/portal/projects/{plan.id}/decisions", headers=headers).get_json()
    assert [d["title"] for d in body["decisions"]] == ["Two phases"]


@pytest.mark.parametrize("suffix", ["", "/roadmap", "/decisions"])
def test_foreign_projects_are_404(client, tenants, plan, service_token, suffix) -> None:
    url = f"/api/portal/projects/{plan.id}{suffix}"
    for company in (tenants.globex, tenants.retail):
        assert_envelope(client.get(url, headers=worker(service_token, company)), 404)


def test_pages_are_group_aware_and_published_only(client, db, tenants, service_token) -> None:
    parent = page(db, tenants.acme, "Parent page", project=tenants.acme_project)
    child = page(db, tenants.retail, "Child page")
    draft = page(db, tenants.acme, "Draft", published=False)
    page(db, tenants.globex, "Globex page")
    body = client.get("/api/portal/pages", headers=worker(service_token, tenants.acme)).get_json()
    assert {p["title"] for p in body["pages"]} == {"Parent page", "Child page"}
    assert body["total"] == 2 and body["limit"] == 50 and body["offset"] == 0
    linked = next(p for p in body["pages"] if p["title"] == "Parent page")
    assert linked["projectName"] == "Acme Website" and "content" not in linked
    body = client.get("/api/portal/pages", headers=worker(service_token, tenants.retail)).get_json()
    assert [p["title"] for p in body["pages"]] == ["Child page"]
    one = client.get(f"/api/portal/pages/{child.id}", headers=worker(service_token, tenants.acme))
    assert one.get_json()["page"]["content"] == "<p>Body</p>"
    for company, row in [(tenants.retail, parent), (tenants.acme, draft), (tenants.globex, parent)]:
        resp = client.get(f"/api/portal/pages/{row.id}", headers=worker(service_token, company))
        assert_envelope(resp, 404)


def test_team_includes_people_on_active_projects(client, tenants, plan, service_token) -> None:
    body = client.get("/api/portal/team", headers=worker(service_token, tenants.acme)).get_json()
    ids = [m["id"] for m in body["team"]]
    assert str(tenants.staff_admin.id) in ids and len(ids) == len(set(ids))
    assert {lead["projectName"] for lead in body["leads"]} == {"Acme Website"}


def test_a_client_session_reads_pages(client, db, login, tenants) -> None:
    page(db, tenants.acme, "Session page")
    login(tenants.acme_viewer)
    assert client.get("/api/portal/pages").get_json()["pages"][0]["title"] == "Session page"


def test_plan_endpoints_queries_do_not_grow(
    client, db, tenants, plan, service_token, count_queries
) -> None:
    headers = worker(service_token, tenants.acme)
    urls = [
        "/api/portal/pages",
        f"/api/portal/projects/{plan.id}",
        f"/api/portal/projects/{plan.id}/decisions",
        f"/api/portal/projects/{plan.id}/roadmap",
    ]
    counts: dict[str, list[int]] = {url: [] for url in urls}
    for n in (3, 27):  # 3 rows, then 30
        for i in range(n):
            page(db, tenants.acme, f"P{n}-{i}", project=tenants.acme_project)
            db.add(Decision(company_id=tenants.acme.id, project_id=plan.id, title=f"D{n}-{i}"))
            db.add(ProjectGoal(company_id=tenants.acme.id, project_id=plan.id, title=f"G{n}-{i}"))
        db.flush()
        for url in urls:
            with count_queries() as q:
                assert client.get(url, headers=headers).status_code == 200
            counts[url].append(q.count)
    for url, (few, many) in counts.items():
        assert few == many and many <= 12, (url, few, many)
