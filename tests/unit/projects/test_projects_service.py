from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import func, select

from portal.models import (
    Company,
    Decision,
    Page,
    Project,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
)
from portal.tenancy import ANONYMOUS, Actor
from services.demo import load_demo
from services.projects import can_edit_plan, project_detail
from services.projects.progress import ProjectProgress, project_progress
from services.projects.summary import compose_summary

STAFF = Actor(kind="staff", company_ids=None, nodes=frozenset({"*"}), label="Staff")


def test_progress_counts_tasks_done_and_is_labelled(db, tenants, make_task) -> None:
    p = tenants.acme_project
    for status in ("complete", "complete", "complete", "open", "in_progress"):
        make_task(p, status=status)
    # goals and roadmap steps are not a second percentage
    db.add(ProjectGoal(company_id=p.company_id, project_id=p.id, title="a", status="at_risk"))
    db.flush()
    progress = project_progress(
        db, actor=STAFF, project_ids=[p.id, tenants.retail_project.id, None]
    )
    assert (progress[p.id].done, progress[p.id].total, progress[p.id].percent) == (3, 5, 60)
    assert progress[p.id].label == "3 of 5 tasks done"
    assert progress[tenants.retail_project.id] == ProjectProgress()
    assert ProjectProgress().percent == 0 and ProjectProgress(total=1).label == "0 of 1 task done"
    assert project_progress(db, actor=STAFF, project_ids=[]) == {}


def test_summary_is_composed_from_the_plan(db, tenants) -> None:
    p = tenants.acme_project
    p.due_date = date(2030, 1, 31)
    p.lead_id = tenants.pm.id
    db.add(p)
    db.add_all(
        [
            ProjectGoal(company_id=p.company_id, project_id=p.id, title="Speed", status="at_risk"),
            ProjectGoal(company_id=p.company_id, project_id=p.id, title="Launch", status="done"),
            Decision(
                company_id=p.company_id,
                project_id=p.id,
                title="Go with teal",
                decided_by_id=tenants.acme_admin.id,
            ),
        ]
    )
    db.flush()
    detail = project_detail(db, actor=STAFF.narrowed([p.company_id]), project_id=p.id)
    text = compose_summary(detail, today=date(2030, 1, 21))
    assert text.startswith("Acme Website: 1 goal open")
    assert "%" not in text  # progress lives on the Progress card only
    assert "1 goal open, 1 at risk (“Speed”)" in text
    assert f"by {tenants.acme_admin.display_name}: Go with teal." in text
    assert text.endswith("Due 31 Jan 2030, 10 days away.")
    assert compose_summary(detail, today=date(2030, 1, 21)) == text  # deterministic


def test_who_may_edit_the_plan(tenants) -> None:
    assert can_edit_plan(STAFF)
    assert can_edit_plan(Actor(kind="staff", nodes=frozenset({"project.*"})))
    assert not can_edit_plan(Actor(kind="staff", nodes=frozenset({"portal.read"})))
    assert can_edit_plan(Actor(kind="client", role="admin", nodes=frozenset({"portal.manage"})))
    assert not can_edit_plan(
        Actor(kind="client", role="collaborator", nodes=frozenset({"portal.write"}))
    )
    assert not can_edit_plan(ANONYMOUS)


def test_demo_fills_projects_and_pages_idempotently(db) -> None:
    load_demo(db)
    tables = (ProjectGoal, ProjectMember, Decision, ProjectSummary, Roadmap, RoadmapItem, Page)
    counts = [db.exec(select(func.count()).select_from(t)).one() for t in tables]
    assert all(c > 0 for c in counts), counts
    assert load_demo(db) is False
    assert [db.exec(select(func.count()).select_from(t)).one() for t in tables] == counts
    assert db.exec(select(Decision).where(Decision.decided_by_id.is_(None))).first() is None
    pages = db.exec(select(Page, Company.slug).join(Company, Company.id == Page.company_id)).all()
    assert any(slug == "acme-retail" and p.published_at for p, slug in pages)  # the child's
    assert any(p.project_id and p.published_at for p, _ in pages)  # project-linked
    assert any(p.published_at is None for p, _ in pages)  # a draft
    website = db.exec(select(Project).where(Project.name == "Website redesign")).one()
    assert website.due_date and website.due_date > date.today() - timedelta(days=1)
