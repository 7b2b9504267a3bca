from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Notification, Task, TaskAssignee, TaskComment
from tests.conftest import assert_both_ways

BASE = "/p/acme-test"


@pytest.fixture
def board(db, tenants, make_task):
    today = date.today()
    tenants.open_task = make_task(
        tenants.acme_project,
        "Draft the sitemap",
        status="open",
        due_date=today - timedelta(days=1),
        assignees=[tenants.acme_collab],
    )
    tenants.done_task = make_task(tenants.acme_project, "Kick-off", status="complete")
    tenants.private_task = make_task(
        tenants.acme_project, "Internal margin check", status="open", is_private=True
    )
    tenants.milestone = make_task(
        tenants.acme_project,
        "Beta launch",
        status="up_next",
        is_milestone=True,
        due_date=today + timedelta(days=5),
    )
    return tenants


@pytest.mark.parametrize(
    "path",
    [
        "/tasks",
        "/tasks?view=list",
        "/tasks?view=calendar",
        "/tasks?due=overdue&priority=medium",
        "/tasks/requests",
        "/dashboard",
    ],
)
def test_pages_render_both_ways(client, login, board, path) -> None:
    login(board.acme_collab)
    full, part = assert_both_ways(client, BASE + path)
    assert "Draft the sitemap" in full or path.endswith("requests") or "overdue" in path
    assert "Internal margin check" not in full + part


def test_board_columns_and_cards(client, login, board) -> None:
    login(board.acme_collab)
    html = client.get(f"{BASE}/tasks").get_data(as_text=True)
    for status in ("open", "up_next", "in_progress", "complete"):
        assert f'class="kanban-col" data-status="{status}"' in html
    assert f'data-task-id="{board.open_task.id}" data-status="open"' in html
    assert 'data-can-move="true"' in html and "drag-handle" in html
    assert "Overdue" in html


def test_task_drawer_is_a_fragment_or_a_whole_page(client, login, board) -> None:
    login(board.acme_collab)
    url = f"{BASE}/tasks/{board.open_task.id}"
    full, part = assert_both_ways(client, url)
    assert 'id="task-drawer"' in full and "drawer-page" in full  # a page of its own
    assert 'id="task-drawer"' in part and "drawer-page" not in part and "drawer-backdrop" in part
    assert "Add a comment" in part


def test_viewer_sees_no_write_controls_and_gets_403(client, db, login, board) -> None:
    login(board.acme_viewer)
    html = client.get(f"{BASE}/tasks").get_data(as_text=True)
    assert 'data-can-move="false"' in html
    for marker in ("drag-handle", "task-status-select", "Add a task", "New request"):
        assert marker not in html
    drawer = client.get(f"{BASE}/tasks/{board.open_task.id}").get_data(as_text=True)
    assert "Add a comment" not in drawer and "Edit task" not in drawer
    tid = board.open_task.id
    for path, data in [
        (f"/tasks/{tid}/move", {"status": "complete"}),
        (f"/tasks/{tid}/comments", {"body": "hi"}),
        (f"/tasks/{tid}/edit", {"title": "x"}),
        (f"/tasks/{tid}/delete", {}),
        ("/tasks/new", {"title": "x", "project_id": board.acme_project.id}),
        ("/tasks/requests", {"title": "x"}),
    ]:
        assert client.post(BASE + path, data=data).status_code == 403, path
    # nothing was written
    db.refresh(board.open_task)
    assert board.open_task.status == "open" and board.open_task.title == "Draft the sitemap"
    assert db.exec(select(Task).where(Task.title == "x")).all() == []
    assert db.exec(select(TaskComment)).all() == []
    assert db.exec(select(ActivityLog)).all() == []


def test_collaborator_moves_a_card(client, db, login, board) -> None:
    login(board.acme_collab)
    resp = client.post(
        f"{BASE}/tasks/{board.open_task.id}/move",
        data={"status": "in_progress", "from_status": "open", "order": str(board.open_task.id)},
    )
    assert resp.status_code == 303
    db.refresh(board.open_task)
    assert board.open_task.status == "in_progress"
    feed = client.get(f"{BASE}/dashboard").get_data(as_text=True)
    assert "moved Draft the sitemap to In progress" in feed


def test_stale_move_answers_409(client, db, login, board) -> None:
    login(board.acme_collab)
    resp = client.post(
        f"{BASE}/tasks/{board.milestone.id}/move",
        data={"status": "complete", "from_status": "open"},
    )
    assert resp.status_code == 409
    db.refresh(board.milestone)
    assert board.milestone.status == "up_next"


def test_drawer_status_select_moves_and_rerenders(client, db, login, board) -> None:
    login(board.pm)
    resp = client.post(
        f"{BASE}/tasks/{board.open_task.id}/move",
        data={"status": "complete", "from_status": "open"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="task-drawer"' in html and 'class="kanban"' not in html
    assert json.loads(resp.headers["HX-Trigger"]) == {
        "stoa:task-moved": {"id": board.open_task.id, "status": "complete"}
    }
    assert db.exec(
        select(ActivityLog).where(
            ActivityLog.action == "task_completed", ActivityLog.object_id == board.open_task.id
        )
    ).first()


def test_private_task_is_404_for_clients_and_visible_to_staff(client, db, login, board) -> None:
    url = f"{BASE}/tasks/{board.private_task.id}"
    login(board.acme_admin)
    assert client.get(url).status_code == 404
    assert client.post(url + "/move", data={"status": "complete"}).status_code == 404
    assert client.post(url + "/comments", data={"body": "hi"}).status_code == 404
    db.refresh(board.private_task)
    assert board.private_task.status == "open"  # nothing was written
    assert db.exec(select(TaskComment)).all() == []
    login(board.pm)
    assert client.get(url).status_code == 200
    assert "Internal margin check" in client.get(f"{BASE}/tasks").get_data(as_text=True)


def test_comment_both_ways(client, db, login, board) -> None:
    login(board.acme_collab)
    url = f"{BASE}/tasks/{board.open_task.id}/comments"
    bad = client.post(url, data={"body": " "}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "Write something first." in bad.get_data(as_text=True)
    ok = client.post(url, data={"body": "On it"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    html = ok.get_data(as_text=True)
    assert "On it" in html and 'class="kanban"' not in html
    plain = client.post(url, data={"body": "Second"})
    assert plain.status_code == 303
    assert len(db.exec(select(TaskComment)).all()) == 2


def test_staff_adds_and_edits_a_task(client, db, login, board) -> None:
    login(board.pm)
    bad = client.post(
        f"{BASE}/tasks/new",
        data={"title": "", "project_id": board.acme_project.id},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "Give the task a title." in bad.get_data(as_text=True)
    assert len(db.exec(select(Task)).all()) == 4  # nothing was written
    resp = client.post(
        f"{BASE}/tasks/new",
        data={
            "title": "Set up analytics",
            "project_id": board.acme_project.id,
            "status": "up_next",
        },
    )
    assert resp.status_code == 303
    task = db.exec(select(Task).where(Task.title == "Set up analytics")).one()
    resp = client.post(
        f"{BASE}/tasks/{task.id}/edit",
        data={
            "title": "Set up analytics (GA4)",
            "priority": "urgent",
            "type": "feature",
            "due_date": "2031-02-03",
            "assignee_ids": [str(board.acme_collab.id)],
            "_boxes": ["is_milestone", "is_private"],  # the boxes staff's form shows
            "is_private": "on",
        },
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith(
        f"/tasks?project={board.acme_project.id}"
    )
    db.refresh(task)
    assert (task.title, task.priority, task.is_private, task.is_milestone) == (
        "Set up analytics (GA4)",
        "urgent",
        True,
        False,
    )
    assert db.exec(
        select(Notification).where(
            Notification.user_id == board.acme_collab.id, Notification.type == "task_assigned"
        )
    ).first()


def test_client_request_form(client, db, login, board) -> None:
    login(board.acme_collab)
    bad = client.post(f"{BASE}/tasks/requests", data={"title": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert "Tell us what you need" in bad.get_data(as_text=True)
    assert db.exec(select(Task).where(Task.is_request)).all() == []  # nothing was written
    resp = client.post(
        f"{BASE}/tasks/requests",
        data={"title": "New hero image", "priority": "high", "project_id": board.acme_project.id},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 204 and resp.headers["HX-Redirect"].endswith("/tasks/requests")
    mine = client.get(f"{BASE}/tasks/requests").get_data(as_text=True)
    assert "New hero image" in mine and "answer by" in mine
    assert db.exec(
        select(Notification).where(
            Notification.user_id == board.pm.id, Notification.type == "request_created"
        )
    ).first()


def test_dashboard_shows_progress_due_tasks_and_milestones(client, login, board) -> None:
    login(board.acme_collab)
    html = client.get(f"{BASE}/dashboard").get_data(as_text=True)
    assert '<progress class="project-progress" max="3" value="1"' in html  # private not counted
    assert "Draft the sitemap" in html  # overdue
    assert "Beta launch" in html  # milestone
    assert "Internal margin check" not in html


def test_unknown_project_is_404(client, login, board) -> None:
    login(board.acme_collab)
    assert client.get(f"{BASE}/tasks?project={board.globex_project.id}").status_code == 404


def _grow(make_task, project, n: int) -> None:
    today = date.today()
    statuses = ("open", "up_next", "in_progress", "complete")
    for i in range(n):
        make_task(
            project,
            f"Generated {i}",
            status=statuses[i % 4],
            due_date=today + timedelta(days=i % 10 - 3),
            is_milestone=i % 7 == 0,
        )


@pytest.mark.parametrize(
    "path",
    [
        "/tasks",
        "/tasks?view=list",
        "/tasks?view=calendar",
        "/tasks?assignee=1&due=week",
        "/tasks/requests",
        "/dashboard",
    ],
)
@pytest.mark.parametrize("who", ["acme_collab", "pm"])
def test_query_count_does_not_grow_with_tasks(
    client, db, login, tenants, make_task, make_user, count_queries, path, who
) -> None:
    login(getattr(tenants, who))
    counts = []
    for n in (3, 27):
        _grow(make_task, tenants.acme_project, n)
        tasks = db.exec(select(Task).where(Task.project_id == tenants.acme_project.id)).all()
        for t in tasks:
            db.add(TaskComment(company_id=t.company_id, task_id=t.id, body="c"))
            db.add(
                TaskAssignee(
                    company_id=t.company_id, task_id=t.id, user_id=make_user(tenants.acme).id
                )
            )
        db.flush()
        with count_queries() as q:
            assert client.get(BASE + path).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


@pytest.mark.parametrize("who", ["acme_collab", "acme_viewer", "pm"])
def test_task_page_and_drawer_stay_within_bounds(
    client, db, login, tenants, make_task, make_user, count_queries, who
) -> None:
    """A task with many comments and assignees costs no more queries than one with few."""
    login(getattr(tenants, who))
    counts = []
    for n in (2, 20):
        people = [make_user(tenants.acme) for _ in range(n)]
        task = make_task(
            tenants.acme_project, requested_by_id=tenants.acme_admin.id, assignees=people
        )
        for i in range(n):
            db.add(TaskComment(company_id=tenants.acme.id, task_id=task.id, body=f"c{i}"))
        db.flush()
        with count_queries() as full:
            assert client.get(f"{BASE}/tasks/{task.id}").status_code == 200
        with count_queries() as part:
            resp = client.get(f"{BASE}/tasks/{task.id}", headers={"HX-Request": "true"})
            assert resp.status_code == 200
        counts.append((full.count, part.count))
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 12, counts


def test_unticking_a_box_clears_it_and_a_client_cannot_make_a_task_private(
    client, db, login, board, make_task
) -> None:
    task = make_task(board.acme_project, "Launch", status="open", is_milestone=True)
    login(board.acme_collab)
    # a client's form shows the milestone box only; unticked, it clears the flag
    resp = client.post(
        f"{BASE}/tasks/{task.id}/edit", data={"title": "Launch", "_boxes": "is_milestone"}
    )
    assert resp.status_code == 303
    db.refresh(task)
    assert task.is_milestone is False
    # naming the privacy box by hand is refused, and nothing changes
    forged = client.post(
        f"{BASE}/tasks/{task.id}/edit",
        data={"title": "Renamed", "_boxes": ["is_private"], "is_private": "on"},
    )
    assert forged.status_code == 403
    db.refresh(task)
    assert (task.title, task.is_private) == ("Launch", False)


def test_a_board_column_shows_a_bounded_page_of_cards_with_show_more(
    client, db, login, tenants, make_task, count_queries
) -> None:
    import re

    from portal.models.task import BOARD_CARDS

    n = BOARD_CARDS + 5
    for i in range(n):
        make_task(tenants.acme_project, f"Card {i:03}", status="open", sort_order=i)
    make_task(tenants.acme_project, "Shipped", status="complete")
    login(tenants.acme_collab)
    url = f"/p/acme-test/tasks?project={tenants.acme_project.id}"

    def column(html: str, status: str) -> str:
        return html.split(f'class="kanban-col" data-status="{status}"', 1)[1].split(
            "</section>", 1
        )[0]

    html = client.get(url).get_data(as_text=True)
    todo = column(html, "open")
    shown = list(dict.fromkeys(re.findall(r"Card (\d{3})", todo)))  # a card names it twice
    assert shown == [f"{i:03}" for i in range(BOARD_CARDS)]  # the first ones, board order
    assert f">{n}</span>" in todo and 'data-hidden="5"' in todo  # the count is the column's
    assert "Show more" in todo and "(5 more)" in todo and f"{n + 1} tasks in" in html
    assert "Show more" not in column(html, "complete") and "Shipped" in html
    more = re.search(r'class="btn btn-ghost btn-sm kanban-more" href="([^"]+)"', todo)
    assert more is not None
    html = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    todo = column(html, "open")
    assert len(set(re.findall(r"Card (\d{3})", todo))) == n and "Show more" not in todo
    # a silly size is clamped, never an error
    assert client.get(url + "&cards=-4").status_code == 200
    assert client.get(url + "&cards=99999999999999").status_code == 200
    # the statements do not grow with the cards
    with count_queries() as few:
        client.get(url)
    for i in range(n, n + 40):
        make_task(tenants.acme_project, f"Card {i:03}", status="in_progress", sort_order=i)
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count
