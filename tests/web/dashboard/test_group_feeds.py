"""The dashboard's lists read a group company by company (one short index scan each) and still
show the group's first entries in one order: what a single query over the group would show.
The activity page counts only some pages ahead ("Page 1 of 11 or more"), never the whole log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.models import ActivityLog
from portal.tenancy import actor_for_user
from services.events.activity import PER_PAGE, latest_activity
from services.tasks.views import upcoming


def _log(db, company, n: int, start: datetime, step: timedelta, **kw) -> list[ActivityLog]:
    rows = [
        ActivityLog(
            company_id=company.id,
            actor_label="Someone",
            action="task_created",
            object_type=kw.get("object_type", "task"),
            description=f"{kw.get('label', company.name)} {i}",
            created_at=start + step * i,
        )
        for i in range(n)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def test_the_feed_interleaves_the_groups_companies_newest_first(db, tenants) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    own = _log(db, tenants.acme, 10, start, timedelta(minutes=2))
    child = _log(db, tenants.retail, 10, start + timedelta(minutes=1), timedelta(minutes=2))
    _log(
        db, tenants.acme, 5, start + timedelta(days=1), timedelta(minutes=1), object_type="view_as"
    )
    _log(db, tenants.globex, 5, start + timedelta(days=2), timedelta(minutes=1))
    viewer = actor_for_user(db, tenants.acme_viewer)
    assert viewer.company_ids == {tenants.acme.id, tenants.retail.id}
    newest = sorted(own + child, key=lambda r: (r.created_at, r.id), reverse=True)[:8]
    assert [r.id for r in latest_activity(db, actor=viewer, limit=8)] == [r.id for r in newest]
    # a child's people see their own company only; staff see the staff-only rows too
    retail = actor_for_user(db, tenants.retail_admin)
    assert {r.company_id for r in latest_activity(db, actor=retail, limit=8)} == {tenants.retail.id}
    staff = actor_for_user(db, tenants.pm).narrowed([tenants.acme.id, tenants.retail.id])
    assert all(r.object_type == "view_as" for r in latest_activity(db, actor=staff, limit=5))


def test_upcoming_takes_the_soonest_of_the_whole_group(db, tenants, make_task) -> None:
    today = date.today()
    made = []
    for i in range(6):  # interleaved due dates across parent and child
        made.append(make_task(tenants.acme_project, due_date=today + timedelta(days=2 * i)))
        made.append(make_task(tenants.retail_project, due_date=today + timedelta(days=2 * i + 1)))
    make_task(tenants.acme_project, due_date=today - timedelta(days=30), is_private=True)
    make_task(tenants.acme_project, due_date=today - timedelta(days=40), status="complete")
    make_task(tenants.globex_project, due_date=today - timedelta(days=50))
    stones = [
        make_task(tenants.retail_project, due_date=today + timedelta(days=d), is_milestone=True)
        for d in (3, 1)
    ]
    viewer = actor_for_user(db, tenants.acme_viewer)
    milestones, due = upcoming(db, actor=viewer, milestone_limit=5, due_limit=8)
    expected = sorted(made, key=lambda t: (t.due_date, t.id))[:8]
    assert [t.id for t, _ in due] == [t.id for t in expected]
    assert [t.id for t, _ in milestones] == [stones[1].id, stones[0].id]
    assert {name for _, name in due} == {"Acme Website", "Retail Launch"}


def test_the_activity_page_counts_ten_pages_ahead_only(client, login, db, tenants) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = _log(db, tenants.acme, 12 * PER_PAGE, start, timedelta(minutes=1), label="Acme")
    _log(db, tenants.retail, 2 * PER_PAGE, start, timedelta(minutes=1), label="Retail")
    login(tenants.acme_viewer)
    first = client.get("/p/acme-test/activity").get_data(as_text=True)
    assert "Page 1 of 11 or more" in first
    assert f"Acme {len(rows) - 1}<" in first or f"Acme {len(rows) - 1} " in first
    # further on, the count reaches the end of the log and is exact
    last = client.get("/p/acme-test/activity?page=14").get_data(as_text=True)
    assert "Page 14 of 14" in last and "or more" not in last
    assert "Retail 0" in last
    # a page past the end shows the last one
    assert "Page 14 of 14" in client.get("/p/acme-test/activity?page=99").get_data(as_text=True)
