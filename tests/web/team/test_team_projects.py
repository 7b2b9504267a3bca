from __future__ import annotations

from portal.models import ProjectMember
from tests.conftest import assert_both_ways


def _member(db, project, user, label="Member"):
    db.add(
        ProjectMember(
            company_id=project.company_id, project_id=project.id, user_id=user.id, role_label=label
        )
    )
    db.flush()


def test_team_lists_people_per_active_project(client, db, login, tenants, make_project) -> None:
    tenants.acme_project.lead_id = tenants.pm.id
    db.add(tenants.acme_project)
    _member(db, tenants.acme_project, tenants.staff_admin, "Design lead")
    _member(db, tenants.acme_project, tenants.acme_collab, "Content owner")
    _member(db, tenants.retail_project, tenants.retail_admin, "Store lead")
    done = make_project(tenants.acme, "Finished work", status="completed")
    _member(db, done, tenants.acme_viewer, "Old role")
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, "/p/acme-test/team")
    assert "On your projects" in part
    for text in ["Acme Website", "Design lead", "Content owner", "Retail Launch", "Store lead"]:
        assert text in part, text
    assert "Finished work" not in part and "Old role" not in part
    assert "Project manager · Lead on Acme Website" in part  # the PM is listed once
    assert part.count(f">{tenants.pm.display_name}<") == 2  # agency team + project lead


def test_child_company_team_shows_only_its_projects(client, db, login, tenants) -> None:
    _member(db, tenants.acme_project, tenants.acme_collab, "Content owner")
    _member(db, tenants.retail_project, tenants.retail_admin, "Store lead")
    login(tenants.retail_admin)
    html = client.get("/p/acme-retail-test/team").get_data(as_text=True)
    assert "Retail Launch" in html and "Acme Website" not in html and "Content owner" not in html


def test_team_queries_do_not_grow(
    client, db, login, tenants, make_user, make_project, count_queries
) -> None:
    login(tenants.acme_admin)
    counts = []
    for n in (3, 30):
        project = make_project(tenants.acme, f"Team {n}", lead_id=tenants.pm.id)
        for _ in range(n):
            _member(db, project, make_user(tenants.acme, "viewer"))
        with count_queries() as q:
            assert client.get("/p/acme-test/team").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts
