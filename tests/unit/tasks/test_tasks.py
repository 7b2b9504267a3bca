from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Agency, Notification, Task, TaskComment
from portal.models.task import RequestCreate, TaskCommentCreate, TaskCreate, TaskFilters, TaskUpdate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import tasks as task_service
from services.projects.progress import project_progress
from services.tasks import requests as requests_service
from services.tasks.views import tasks_view, upcoming


def _actions(db, task_id) -> list[str]:
    return list(
        db.exec(
            select(ActivityLog.action)
            .where(ActivityLog.object_type == "task", ActivityLog.object_id == task_id)
            .order_by(ActivityLog.id)
        ).all()
    )


def _notified(db, user, kind) -> list[Notification]:
    return list(
        db.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.type == kind)
        ).all()
    )


def test_create_task_records_activity_and_notifies_assignees(db, tenants) -> None:
    pm = actor_for_user(db, tenants.pm)
    task = task_service.create_task(
        db,
        actor=pm,
        data=validated(
            TaskCreate,
            {
                "project_id": tenants.acme_project.id,
                "title": "  Write the copy  ",
                "assignee_ids": [tenants.acme_collab.id],
                "due_date": "2030-01-31",
            },
        ),
    )
    assert task.title == "Write the copy"
    assert task.due_date == date(2030, 1, 31)
    assert _actions(db, task.id) == ["task_created"]
    assert [n.title for n in _notified(db, tenants.acme_collab, "task_assigned")] == [
        "Assigned to you: Write the copy"
    ]


def test_create_task_validates(db, tenants) -> None:
    pm = actor_for_user(db, tenants.pm)
    acme = tenants.acme_project.id
    with pytest.raises(Invalid) as exc:
        task_service.create_task(
            db, actor=pm, data=validated(TaskCreate, {"project_id": acme, "title": " "})
        )
    assert "title" in exc.value.errors
    with pytest.raises(Invalid):
        task_service.create_task(
            db,
            actor=pm,
            data=validated(TaskCreate, {"project_id": acme, "title": "x", "due_date": "soon"}),
        )
    with pytest.raises(Invalid):  # a Globex person can't be assigned to Acme's task
        task_service.create_task(
            db,
            actor=pm,
            data=TaskCreate(project_id=acme, title="x", assignee_ids=[tenants.globex_admin.id]),
        )
    with pytest.raises(NotFound):  # the PM isn't assigned to Globex
        task_service.create_task(
            db, actor=pm, data=TaskCreate(project_id=tenants.globex_project.id, title="x")
        )
    assert db.exec(select(Task)).all() == []  # nothing was written


def test_move_through_the_columns_records_each_step(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project, "Ship it", assignees=[tenants.acme_collab])
    pm = actor_for_user(db, tenants.pm)
    task_service.move_task(db, actor=pm, task_id=task.id, status="in_progress")
    task_service.move_task(db, actor=pm, task_id=task.id, status="complete")
    assert task.completed_at is not None
    assert [n.title for n in _notified(db, tenants.acme_collab, "task_completed")] == [
        "Completed: Ship it"
    ]
    task_service.move_task(db, actor=pm, task_id=task.id, status="open")
    assert task.completed_at is None
    assert _actions(db, task.id) == ["task_moved", "task_completed", "task_reopened"]
    moved = db.exec(select(ActivityLog).where(ActivityLog.action == "task_moved")).first()
    assert moved.description.endswith("moved Ship it to In progress")


def test_move_persists_the_column_order(db, tenants, make_task) -> None:
    a, b, c = (make_task(tenants.acme_project, n, status="up_next") for n in "abc")
    moving = make_task(tenants.acme_project, "moving", status="open")
    collab = actor_for_user(db, tenants.acme_collab)
    task_service.move_task(
        db,
        actor=collab,
        task_id=moving.id,
        status="up_next",
        from_status="open",
        order=[a.id, moving.id, b.id, c.id],
    )
    ordered = db.exec(
        select(Task.title)
        .where(Task.project_id == tenants.acme_project.id, Task.status == "up_next")
        .order_by(Task.sort_order)
    ).all()
    assert ordered == ["a", "moving", "b", "c"]


def test_stale_move_is_a_conflict_and_bad_status_invalid(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project, status="in_progress")
    collab = actor_for_user(db, tenants.acme_collab)
    with pytest.raises(Conflict):
        task_service.move_task(
            db, actor=collab, task_id=task.id, status="complete", from_status="open"
        )
    with pytest.raises(Invalid):
        task_service.move_task(db, actor=collab, task_id=task.id, status="done")
    db.refresh(task)
    assert task.status == "in_progress" and _actions(db, task.id) == []


def test_who_may_move(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project)
    with pytest.raises(Forbidden):
        task_service.move_task(
            db, actor=actor_for_user(db, tenants.acme_viewer), task_id=task.id, status="complete"
        )
    with pytest.raises(NotFound):  # another tenant: the task doesn't exist for them
        task_service.move_task(
            db, actor=actor_for_user(db, tenants.globex_admin), task_id=task.id, status="complete"
        )
    with pytest.raises(NotFound):  # nor for the child company
        task_service.move_task(
            db, actor=actor_for_user(db, tenants.retail_admin), task_id=task.id, status="complete"
        )
    db.refresh(task)
    assert task.status == "open" and _actions(db, task.id) == []  # nothing was written
    task_service.move_task(
        db, actor=actor_for_user(db, tenants.acme_collab), task_id=task.id, status="complete"
    )
    assert task.status == "complete"


def test_private_tasks_never_reach_clients(db, tenants, make_task) -> None:
    make_task(tenants.acme_project, "Public", status="open")
    secret = make_task(tenants.acme_project, "Internal margin", status="open", is_private=True)
    client = actor_for_user(db, tenants.acme_admin)
    staff = actor_for_user(db, tenants.pm)
    ids = [tenants.acme.id, tenants.retail.id]
    view = tasks_view(db, actor=client.narrowed(ids), filters=TaskFilters())
    titles = [c.task.title for col in view.columns for c in col.cards]
    assert titles == ["Public"]
    staff_view = tasks_view(db, actor=staff.narrowed(ids), filters=TaskFilters())
    assert {c.task.title for col in staff_view.columns for c in col.cards} == {
        "Public",
        "Internal margin",
    }
    with pytest.raises(NotFound):
        task_service.get_task(db, actor=client, task_id=secret.id)
    with pytest.raises(NotFound):
        task_service.add_comment(
            db, actor=client, task_id=secret.id, data=TaskCommentCreate(body="hi")
        )
    assert (
        project_progress(db, actor=client, project_ids=[tenants.acme_project.id])[
            tenants.acme_project.id
        ].total
        == 1
    )
    assert (
        project_progress(db, actor=staff, project_ids=[tenants.acme_project.id])[
            tenants.acme_project.id
        ].total
        == 2
    )


def test_clients_cannot_make_tasks_private(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project)
    with pytest.raises(Forbidden):
        task_service.update_task(
            db,
            actor=actor_for_user(db, tenants.acme_collab),
            task_id=task.id,
            data=TaskUpdate(title="Renamed", is_private=True),
        )
    db.refresh(task)
    assert task.title != "Renamed" and not task.is_private  # nothing was written
    created = task_service.create_task(
        db,
        actor=actor_for_user(db, tenants.acme_collab),
        data=TaskCreate(project_id=tenants.acme_project.id, title="Mine", is_private=True),
    )
    assert created.is_private is False


def test_filters(db, tenants, make_task) -> None:
    today = date.today()
    make_task(tenants.acme_project, "late", due_date=today - timedelta(days=2), priority="high")
    make_task(tenants.acme_project, "soon", due_date=today + timedelta(days=3))
    make_task(tenants.acme_project, "undated", assignees=[tenants.acme_collab])
    make_task(
        tenants.acme_project, "late but done", due_date=today - timedelta(days=5), status="complete"
    )
    actor = actor_for_user(db, tenants.acme_admin)

    def titles(**args: str) -> set[str]:
        filters = validated(TaskFilters, args)
        view = tasks_view(db, actor=actor.narrowed([tenants.acme.id]), filters=filters)
        return {c.task.title for col in view.columns for c in col.cards}

    assert titles(due="overdue") == {"late"}
    assert titles(due="week") == {"soon"}
    assert titles(due="none") == {"undated"}
    assert titles(priority="high") == {"late"}
    assert titles(assignee=str(tenants.acme_collab.id)) == {"undated"}
    assert titles(due="bogus") == {"late", "soon", "undated", "late but done"}


def test_calendar_and_list_views(db, tenants, make_task) -> None:
    today = date.today()
    make_task(tenants.acme_project, "in month", due_date=today.replace(day=15))
    actor = actor_for_user(db, tenants.acme_admin)
    actor = actor.narrowed([tenants.acme.id])
    view = tasks_view(db, actor=actor, filters=TaskFilters(view="calendar"))
    days = {d.day: d for week in view.weeks for d in week}
    assert [c.task.title for c in days[today.replace(day=15)].cards] == ["in month"]
    listed = tasks_view(db, actor=actor, filters=TaskFilters(view="list"))
    assert [c.task.title for g in listed.groups for c in g.cards] == ["in month"]


def test_upcoming_lists_overdue_and_due_soon_but_not_later(db, tenants, make_task) -> None:
    today = date.today()
    make_task(tenants.acme_project, "overdue", due_date=today - timedelta(days=1))
    make_task(tenants.acme_project, "next week", due_date=today + timedelta(days=7))
    make_task(tenants.acme_project, "next month", due_date=today + timedelta(days=40))
    make_task(
        tenants.acme_project, "milestone", due_date=today + timedelta(days=40), is_milestone=True
    )
    actor = actor_for_user(db, tenants.acme_admin)
    ms, due = upcoming(db, actor=actor.narrowed([tenants.acme.id]))
    assert [t.title for t, _ in due] == ["overdue", "next week"]
    assert [t.title for t, _ in ms] == ["milestone"]
    progress = project_progress(db, actor=actor, project_ids=[tenants.acme_project.id])
    assert progress[tenants.acme_project.id].overdue == 1


def test_comment_validation(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project)
    collab = actor_for_user(db, tenants.acme_collab)
    with pytest.raises(Invalid):
        task_service.add_comment(
            db, actor=collab, task_id=task.id, data=validated(TaskCommentCreate, {"body": "   "})
        )
    comment = task_service.add_comment(
        db, actor=collab, task_id=task.id, data=TaskCommentCreate(body="Looks good")
    )
    assert comment.author_id == tenants.acme_collab.id
    with pytest.raises(Forbidden):
        task_service.add_comment(
            db,
            actor=actor_for_user(db, tenants.acme_viewer),
            task_id=task.id,
            data=TaskCommentCreate(body="hi"),
        )
    assert [c.id for c in db.exec(select(TaskComment)).all()] == [comment.id]
    assert _actions(db, task.id) == ["task_commented"]


def test_delete_is_for_staff_and_client_admins(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project)
    with pytest.raises(Forbidden):
        task_service.delete_task(db, actor=actor_for_user(db, tenants.acme_collab), task_id=task.id)
    assert db.get(Task, task.id) is not None and _actions(db, task.id) == []
    task_service.delete_task(db, actor=actor_for_user(db, tenants.acme_admin), task_id=task.id)
    assert db.get(Task, task.id) is None
    assert _actions(db, task.id) == ["task_deleted"]


# Client requests ----------------------------------------------------------------------------


def _request(db, tenants, who="acme_collab", **kw):
    actor = actor_for_user(db, getattr(tenants, who))
    return requests_service.create_request(
        db,
        actor=actor.narrowed([tenants.acme.id, tenants.retail.id]),
        company_id=tenants.acme.id,
        data=validated(RequestCreate, {"title": "New landing page", **kw}),
    )


def test_request_becomes_a_task_with_an_sla_and_notifies_the_pm(db, tenants) -> None:
    task = _request(db, tenants, priority="urgent", description="For the campaign")
    assert task.is_request and task.type == "request" and task.status == "open"
    assert task.project_id == tenants.acme_project.id
    assert task.requested_by_id == tenants.acme_collab.id
    hours = (task.sla_due_at - task.created_at).total_seconds() / 3600
    assert 3.9 < hours < 4.1
    assert _actions(db, task.id) == ["task_created"]
    assert [n.title for n in _notified(db, tenants.pm, "request_created")] == [
        "New request: New landing page"
    ]
    rows = requests_service.list_requests(
        db, actor=actor_for_user(db, tenants.acme_collab).narrowed([tenants.acme.id])
    )
    assert [r.task.id for r in rows] == [task.id]
    # another client of the company doesn't see it under "my requests"; staff see all
    assert not requests_service.list_requests(
        db, actor=actor_for_user(db, tenants.acme_admin).narrowed([tenants.acme.id])
    )
    assert requests_service.list_requests(
        db, actor=actor_for_user(db, tenants.pm).narrowed([tenants.acme.id])
    )


def test_sla_is_configurable_per_agency(db, tenants) -> None:
    agency = db.exec(select(Agency)).first()
    if agency is None:
        agency = Agency(name="Test agency")
    agency.sla_hours = {"high": 8}
    db.add(agency)
    db.flush()
    task = _request(db, tenants, priority="high")
    assert round((task.sla_due_at - task.created_at).total_seconds() / 3600) == 8
    assert requests_service.sla_hours(db)["low"] == 120


def test_request_rules(db, tenants) -> None:
    with pytest.raises(Invalid) as exc:
        _request(db, tenants, title="  ")
    assert "title" in exc.value.errors
    with pytest.raises(Invalid):
        _request(db, tenants, priority="whenever")
    with pytest.raises(Forbidden):
        _request(db, tenants, who="acme_viewer")
    with pytest.raises(NotFound):
        _request(db, tenants, project_id=tenants.globex_project.id)
    assert db.exec(select(Task).where(Task.is_request)).all() == []  # nothing was written
    task = _request(db, tenants, project_id=tenants.retail_project.id)
    assert task.company_id == tenants.retail.id
