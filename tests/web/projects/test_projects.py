from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.models import (
    ActivityLog,
    Decision,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
)
from tests.conftest import assert_both_ways


@pytest.fixture
def plan(db, tenants):
    """A project with goals, members, decisions and a roadmap."""
    p = tenants.acme_project
    p.lead_id = tenants.pm.id
    p.due_date = date.today() + timedelta(days=30)
    db.add(p)
    db.add_all(
        [
            ProjectGoal(company_id=p.company_id, project_id=p.id, title="Launch", status="done"),
            ProjectGoal(
                company_id=p.company_id,
                project_id=p.id,
                title="Faster pages",
                target="LCP under 2 s",
                status="at_risk",
            ),
            ProjectMember(
                company_id=p.company_id,
                project_id=p.id,
                user_id=tenants.acme_collab.id,
                role_label="Content owner",
            ),
            Decision(
                company_id=p.company_id,
                project_id=p.id,
                title="Two-phase launch",
                detail="Marketing first.",
                decided_by_id=tenants.acme_admin.id,
            ),
            ProjectSummary(company_id=p.company_id, project_id=p.id, body="Going well."),
        ]
    )
    roadmap = Roadmap(company_id=p.company_id, project_id=p.id, title="Launch roadmap")
    db.add(roadmap)
    db.flush()
    for order, (title, status) in enumerate(
        [("Discovery", "done"), ("Design", "in_progress"), ("Build", "planned")]
    ):
        db.add(
            RoadmapItem(
                company_id=p.company_id,
                roadmap_id=roadmap.id,
                title=title,
                status=status,
                quarter="Q3",
                sort_order=order,
            )
        )
    db.flush()
    return p


def url(project, suffix: str = "") -> str:
    return f"/p/acme-test/projects/{project.id}{suffix}"


def test_projects_list_renders_both_ways_with_progress_and_group(
    client, login, tenants, plan
) -> None:
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, "/p/acme-test/projects")
    assert "Acme Website" in part and "Retail Launch" in part  # the parent sees its child's
    assert "Globex Intranet" not in full
    assert "0 of 0 tasks done" in part  # progress counts tasks (the plan has goals only)
    assert "<title>Projects" in part and 'data-tab="projects"' in full


def test_projects_list_filters_by_status(client, db, login, tenants, make_project) -> None:
    make_project(tenants.acme, "Old audit", status="completed")
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/projects?status=completed").get_data(as_text=True)
    assert "Old audit" in html and "Acme Website" not in html
    assert client.get("/p/acme-test/projects?status=on_hold").status_code == 200
    everything = client.get("/p/acme-test/projects?status=bogus").get_data(as_text=True)
    assert "Old audit" in everything and "Acme Website" in everything


def test_child_company_sees_only_its_projects(client, login, tenants, plan) -> None:
    login(tenants.retail_admin)
    html = client.get("/p/acme-retail-test/projects").get_data(as_text=True)
    assert "Retail Launch" in html and "Acme Website" not in html
    assert client.get(f"/p/acme-retail-test/projects/{plan.id}").status_code == 404
    # and the parent's project is not reachable through the child's portal by the parent either
    login(tenants.acme_admin)
    assert client.get(f"/p/acme-retail-test/projects/{plan.id}").status_code == 404


def test_project_page_shows_the_whole_plan(client, login, tenants, plan) -> None:
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, url(plan))
    for text in [
        "Faster pages",
        "LCP under 2 s",
        "Two-phase launch",
        "Marketing first.",
        "Launch roadmap",
        "Discovery",
        "Design",
        "Build",
        "Content owner",
        "Going well.",
        "Project lead",
    ]:
        assert text in part, text
    assert f"Decided by <strong>{tenants.acme_admin.display_name}</strong>" in part
    assert "0 of 0 tasks done" in part  # progress is the tasks' (one metric everywhere)
    assert "<title>Acme Website" in part


def test_viewer_and_collaborator_see_no_forms(client, login, tenants, plan) -> None:
    for who in ("acme_viewer", "acme_collab"):
        login(getattr(tenants, who))
        html = client.get(url(plan)).get_data(as_text=True)
        assert "Log a decision" not in html and "Add a goal" not in html, who
        assert "Regenerate" not in html and "Write it yourself" not in html


@pytest.mark.parametrize("who", ["staff_admin", "pm", "acme_admin"])
def test_editors_see_forms(client, login, tenants, plan, who) -> None:
    login(getattr(tenants, who))
    html = client.get(url(plan)).get_data(as_text=True)
    assert "Log a decision" in html and "Add a goal" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_admin", 200),
        ("pm", 200),
        ("acme_admin", 200),
        ("acme_collab", 403),
        ("acme_viewer", 403),
        ("globex_admin", 404),
        ("retail_admin", 404),
    ],
)
def test_decision_role_matrix(client, db, login, tenants, plan, who, status) -> None:
    login(getattr(tenants, who))
    resp = client.post(
        url(plan, "/decisions"), data={"title": "Ship on Monday"}, headers={"HX-Request": "true"}
    )
    assert resp.status_code == status
    logged = db.exec(select(Decision).where(Decision.title == "Ship on Monday")).first()
    assert (logged is not None) == (status == 200)
    assert _activity(db, "decision_logged") == (1 if status == 200 else 0)


def test_logging_a_decision_with_htmx_returns_the_log(client, db, login, tenants, plan) -> None:
    login(tenants.pm)
    resp = client.post(
        url(plan, "/decisions"),
        data={
            "title": "Use the new palette",
            "detail": "Teal accent.",
            "decided_by_id": str(tenants.acme_collab.id),
            "decided_on": (date.today() - timedelta(days=2)).isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert 'id="project-decisions"' in html and "Use the new palette" in html
    assert f"Decided by <strong>{tenants.acme_collab.display_name}</strong>" in html
    assert "Decision logged." in html  # the toast travels out of band
    decision = db.exec(select(Decision).where(Decision.title == "Use the new palette")).one()
    assert decision.decided_by_id == tenants.acme_collab.id
    assert decision.decided_at.date() == date.today() - timedelta(days=2)
    act = db.exec(select(ActivityLog).where(ActivityLog.action == "decision_logged")).one()
    assert act.company_id == tenants.acme.id and act.actor_id == tenants.pm.id


def test_logging_a_decision_without_htmx_redirects(client, login, tenants, plan) -> None:
    login(tenants.acme_admin)
    resp = client.post(url(plan, "/decisions"), data={"title": "Plain form"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(url(plan))
    page = client.get(url(plan)).get_data(as_text=True)
    assert "Plain form" in page and "Decision logged." in page
    assert f"Decided by <strong>{tenants.acme_admin.display_name}</strong>" in page


@pytest.mark.parametrize("htmx", [True, False])
def test_invalid_decision_is_a_422_with_the_form(client, db, login, tenants, plan, htmx) -> None:
    login(tenants.pm)
    resp = client.post(
        url(plan, "/decisions"),
        data={"title": "", "decided_by_id": str(tenants.globex_admin.id)},
        headers={"HX-Request": "true"} if htmx else {},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Say what was decided." in html and "Choose someone on the project." in html
    assert ("<html" in html) is not htmx
    assert db.exec(select(Decision).where(Decision.project_id == plan.id)).all().__len__() == 1
    assert _activity(db, "decision_logged") == 0


def test_future_decision_dates_are_refused(client, db, login, tenants, plan) -> None:
    login(tenants.pm)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    resp = client.post(url(plan, "/decisions"), data={"title": "X", "decided_on": tomorrow})
    assert resp.status_code == 422 and "future" in resp.get_data(as_text=True)
    assert db.exec(select(Decision).where(Decision.title == "X")).first() is None
    assert _activity(db, "decision_logged") == 0


def _activity(db, action: str) -> int:
    return len(db.exec(select(ActivityLog).where(ActivityLog.action == action)).all())


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/decisions", {"title": ""}),
        ("/goals", {"title": "", "status": "nope"}),
        ("/summary", {"body": ""}),
    ],
)
def test_a_refused_editor_hears_403_before_422(client, db, login, tenants, plan, path, data):
    """An invalid form from someone who may not change the plan is a 403, as a valid one is."""
    login(tenants.acme_collab)
    before = [len(db.exec(select(t)).all()) for t in (Decision, ProjectGoal, ProjectSummary)]
    assert client.post(url(plan, path), data=data).status_code == 403
    assert (
        client.post(url(plan, path), data=data, headers={"HX-Request": "true"}).status_code == 403
    )
    after = [len(db.exec(select(t)).all()) for t in (Decision, ProjectGoal, ProjectSummary)]
    assert before == after and not db.exec(select(ActivityLog)).all()


def test_an_invalid_form_for_a_missing_project_is_404(client, db, login, tenants) -> None:
    login(tenants.pm)
    for path in ("/decisions", "/goals", "/summary"):
        resp = client.post(
            f"/p/acme-test/projects/{2**31 - 1}{path}", data={"title": "", "body": ""}
        )
        assert resp.status_code == 404, path
    assert not db.exec(select(ActivityLog)).all()


def test_adding_a_goal_updates_the_goals_only(client, db, login, tenants, plan) -> None:
    """Progress counts tasks, not goals, so a goal change sends the goals card alone."""
    login(tenants.acme_admin)
    resp = client.post(
        url(plan, "/goals"),
        data={"title": "More enquiries", "target": "+25%", "status": "done", "due_on": ""},
        headers={"HX-Request": "true"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="project-goals"' in html and "More enquiries" in html
    assert 'id="project-progress"' not in html and "tasks done" not in html
    bad = client.post(url(plan, "/goals"), data={"title": "", "status": "nope"})
    assert bad.status_code == 422 and "Name the goal." in bad.get_data(as_text=True)
    assert len(db.exec(select(ProjectGoal).where(ProjectGoal.project_id == plan.id)).all()) == 3
    assert _activity(db, "goal_created") == 1


def test_goal_status_change(client, db, login, tenants, plan) -> None:
    goal = db.exec(select(ProjectGoal).where(ProjectGoal.title == "Faster pages")).one()
    login(tenants.pm)
    resp = client.post(
        url(plan, f"/goals/{goal.id}/status"),
        data={"status": "done"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200 and "Faster pages" in resp.get_data(as_text=True)
    db.refresh(goal)
    assert goal.status == "done"
    assert db.exec(select(ActivityLog).where(ActivityLog.action == "goal_completed")).first()
    # a goal of another project is not reachable through this one
    other = ProjectGoal(
        company_id=tenants.acme.id,
        project_id=tenants.retail_project.id,
        title="Elsewhere",
    )
    db.add(other)
    db.flush()
    assert (
        client.post(url(plan, f"/goals/{other.id}/status"), data={"status": "done"}).status_code
        == 404
    )
    db.refresh(other)
    assert other.status == "on_track"
    assert (
        client.post(url(plan, f"/goals/{goal.id}/status"), data={"status": "x"}).status_code == 422
    )
    db.refresh(goal)
    assert goal.status == "done"
    assert _activity(db, "goal_completed") == 1 and _activity(db, "goal_updated") == 0


def test_refreshing_the_summary_writes_a_generated_one(client, db, login, tenants, plan) -> None:
    login(tenants.staff_admin)
    resp = client.post(url(plan, "/summary"), headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="project-summary"' in html
    assert "Acme Website: " in html and "Two-phase launch" in html
    latest = db.exec(
        select(ProjectSummary)
        .where(ProjectSummary.project_id == plan.id)
        .order_by(ProjectSummary.id.desc())
    ).first()
    assert latest.source == "generated" and "Faster pages" in latest.body
    login(tenants.acme_collab)
    assert client.post(url(plan, "/summary")).status_code == 403
    assert len(db.exec(select(ProjectSummary)).all()) == 2  # the fixture's and the refreshed one
    assert _activity(db, "summary_generated") == 1


def test_archived_portal_refuses_plan_writes(client, db, login, tenants, plan) -> None:
    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.status = "archived"
    db.add(portal)
    db.flush()
    login(tenants.staff_admin)
    assert client.post(url(plan, "/decisions"), data={"title": "No"}).status_code == 403
    assert "Log a decision" not in client.get(url(plan)).get_data(as_text=True)
    assert db.exec(select(Decision).where(Decision.title == "No")).first() is None
    assert _activity(db, "decision_logged") == 0


def _grow(db, project, n: int) -> None:
    roadmap = db.exec(select(Roadmap).where(Roadmap.project_id == project.id)).first()
    if roadmap is None:
        roadmap = Roadmap(company_id=project.company_id, project_id=project.id, title="R")
        db.add(roadmap)
        db.flush()
    for i in range(n):
        db.add(
            Decision(company_id=project.company_id, project_id=project.id, title=f"Decision {i}")
        )
        db.add(ProjectGoal(company_id=project.company_id, project_id=project.id, title=f"G{i}"))
        db.add(RoadmapItem(company_id=project.company_id, roadmap_id=roadmap.id, title=f"I{i}"))
    db.flush()


@pytest.mark.parametrize("who", ["acme_viewer", "pm"])
def test_project_page_queries_do_not_grow(
    client, db, login, tenants, make_user, count_queries, who
) -> None:
    login(getattr(tenants, who))
    counts = []
    for n in (3, 30):
        project = tenants.acme_project if n == 3 else tenants.retail_project
        _grow(db, project, n)
        for _ in range(n):
            person = make_user(tenants.acme, "viewer")
            db.add(
                ProjectMember(
                    company_id=project.company_id, project_id=project.id, user_id=person.id
                )
            )
        db.flush()
        with count_queries() as q:
            html = client.get(f"/p/acme-test/projects/{project.id}").get_data(as_text=True)
        assert f"Decision {n - 1}" in html
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts


def test_projects_list_queries_do_not_grow(
    client, db, login, tenants, make_project, count_queries
) -> None:
    login(tenants.acme_admin)
    counts = []
    for n in (3, 30):
        for i in range(n):
            project = make_project(tenants.acme, f"Bulk {n}-{i}", lead_id=tenants.pm.id)
            _grow(db, project, 1)
        with count_queries() as q:
            assert client.get("/p/acme-test/projects").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts


def test_projects_list_paginates(client, db, login, tenants, make_project) -> None:
    for i in range(25):
        make_project(tenants.acme, f"Many {i:02d}")
    login(tenants.acme_admin)
    first = client.get("/p/acme-test/projects").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get("/p/acme-test/projects?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
    for odd in ("abc", "-1", "0", "²", "99999999999999999999"):  # never a 500
        resp = client.get(f"/p/acme-test/projects?page={odd}")
        assert resp.status_code == 200 and "Page 1 of 2" in resp.get_data(as_text=True), odd
    assert "Page 2 of 2" in client.get("/p/acme-test/projects?page=9").get_data(as_text=True)
    filtered = client.get("/p/acme-test/projects?q=many&status=active").get_data(as_text=True)
    assert "q=many" in filtered and "status=active" in filtered and "page=2" in filtered


def test_the_team_can_write_the_summary(client, db, login, tenants, plan) -> None:
    login(tenants.acme_admin)
    resp = client.post(
        url(plan, "/summary"), data={"body": "Launch moved to May."}, headers={"HX-Request": "true"}
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Launch moved to May." in html
    assert "Written by the team" in html and "Summary saved." in html
    latest = db.exec(
        select(ProjectSummary)
        .where(ProjectSummary.project_id == plan.id)
        .order_by(ProjectSummary.id.desc())
    ).first()
    assert latest.source == "manual"
    empty = client.post(url(plan, "/summary"), data={"body": "  "}, headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "Write the summary" in empty.get_data(as_text=True)
    login(tenants.acme_viewer)
    assert client.post(url(plan, "/summary"), data={"body": "x"}).status_code == 403
    assert len(db.exec(select(ProjectSummary)).all()) == 2  # the fixture's and the written one
    assert _activity(db, "summary_updated") == 1


def test_projects_search_by_name_keeps_the_status_filter(
    client, login, tenants, make_project
) -> None:
    make_project(tenants.acme, "Website audit", status="completed")
    login(tenants.acme_viewer)
    html = client.get("/p/acme-test/projects?q=WEBSITE").get_data(as_text=True)
    assert "Acme Website" in html and "Website audit" in html and "Retail Launch" not in html
    html = client.get("/p/acme-test/projects?q=website&status=completed").get_data(as_text=True)
    assert "Website audit" in html and "Acme Website" not in html
    assert 'name="status" value="completed"' in html
    none = client.get("/p/acme-test/projects?q=100%25_").get_data(as_text=True)
    assert "No projects match" in none
