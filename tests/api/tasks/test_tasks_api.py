"""Tasks over JSON: the worker's dashboard, project tasks and requests; 003's portal tasks."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from portal.models import ActivityLog, Notification, Task, TaskList
from tests.api.conftest import assert_envelope, bearer, portal_of


def worker(token: str, company, role: str = "collaborator", **extra) -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role}, **extra)


def test_worker_dashboard(client, tenants, service_token, make_task) -> None:
    today = date.today()
    make_task(tenants.acme_project, "Done", status="complete")
    make_task(tenants.acme_project, "Late", status="open", due_date=today - timedelta(days=1))
    make_task(
        tenants.retail_project, "Go live", is_milestone=True, due_date=today + timedelta(days=3)
    )
    make_task(tenants.acme_project, "Secret", is_private=True)
    make_task(tenants.globex_project, "Globex thing", due_date=today)
    resp = client.get("/api/portal/dashboard", headers=worker(service_token, tenants.acme))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert set(body) >= {
        "projects",
        "taskCounts",
        "financial",
        "recentActivity",
        "milestones",
        "announcements",
    }
    assert {p["name"] for p in body["projects"]} == {"Acme Website", "Retail Launch"}
    counts = body["taskCounts"][str(tenants.acme_project.id)]
    assert counts == {"open": 1, "up_next": 0, "in_progress": 0, "complete": 1, "total": 2}
    assert [m["title"] for m in body["milestones"]] == ["Go live"]
    assert [t["title"] for t in body["dueTasks"]] == ["Late"]
    assert body["financial"] == {
        "total_invoiced": "0.00",
        "total_outstanding": "0.00",
        "total_overdue": "0.00",
        "currency": None,
        "byCurrency": [],
    }
    # the child company sees only itself
    child = client.get("/api/portal/dashboard", headers=worker(service_token, tenants.retail))
    assert {p["name"] for p in child.get_json()["projects"]} == {"Retail Launch"}


def test_worker_projects_report_task_counts(client, tenants, service_token, make_task) -> None:
    make_task(tenants.acme_project, status="in_progress")
    resp = client.get("/api/portal/projects", headers=worker(service_token, tenants.acme))
    counts = resp.get_json()["taskCounts"][str(tenants.acme_project.id)]
    assert counts["in_progress"] == 1 and counts["total"] == 1


def test_worker_project_tasks_hide_private_ones(client, tenants, service_token, make_task) -> None:
    make_task(tenants.acme_project, "Visible", assignees=[tenants.acme_collab], priority="high")
    make_task(tenants.acme_project, "Private", is_private=True)
    url = f"/api/portal/projects/{tenants.acme_project.id}/tasks"
    resp = client.get(url, headers=worker(service_token, tenants.acme))
    tasks = resp.get_json()["tasks"]
    assert [t["title"] for t in tasks] == ["Visible"]
    assert tasks[0]["priority"] == "high" and isinstance(tasks[0]["id"], str)
    assert tasks[0]["assignees"] == [
        {"id": str(tenants.acme_collab.id), "name": tenants.acme_collab.display_name}
    ]
    assert_envelope(client.get(url, headers=worker(service_token, tenants.globex)), 404)
    assert_envelope(client.get(url, headers=worker(service_token, tenants.retail)), 404)


def test_worker_project_tasks_come_in_pages(
    client, tenants, service_token, make_task, count_queries
) -> None:
    """A project of any size answers one page in board order, with the total, in a fixed
    number of statements (it was every task up to a silent cap of 1,000)."""
    url = f"/api/portal/projects/{tenants.acme_project.id}/tasks"
    headers = worker(service_token, tenants.acme)
    for i in range(3):
        make_task(tenants.acme_project, f"Task {i}", assignees=[tenants.acme_collab])
    client.get(url, headers=headers)
    with count_queries() as few:
        small = client.get(url, headers=headers).get_json()
    for i in range(3, 12):
        make_task(tenants.acme_project, f"Task {i}", assignees=[tenants.acme_collab])
    with count_queries() as many:
        large = client.get(url, headers=headers).get_json()
    assert few.count == many.count, (few.statements, many.statements)
    assert (len(small["tasks"]), small["total"]) == (3, 3)
    assert (len(large["tasks"]), large["total"], large["limit"], large["offset"]) == (
        12,
        12,
        100,
        0,
    )
    first = client.get(f"{url}?limit=5", headers=headers).get_json()
    rest = client.get(f"{url}?limit=5&offset=5", headers=headers).get_json()
    last = client.get(f"{url}?limit=5&offset=10", headers=headers).get_json()
    pages = [t["id"] for page in (first, rest, last) for t in page["tasks"]]
    assert pages == [t["id"] for t in large["tasks"]] and len(last["tasks"]) == 2
    assert first["total"] == 12 and first["limit"] == 5
    clamped = client.get(f"{url}?limit=100000", headers=headers).get_json()
    assert clamped["limit"] == 500 and len(clamped["tasks"]) == 12
    assert_envelope(client.get(f"{url}?offset=-1", headers=headers), 422)


def test_worker_creates_a_request(client, db, tenants, service_token) -> None:
    headers = worker(service_token, tenants.acme, **{"X-Portal-User-Id": tenants.acme_collab.id})
    resp = client.post(
        "/api/portal/requests",
        json={
            "title": "Update the team page",
            "priority": "high",
            "projectId": str(tenants.acme_project.id),
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["ok"] is True
    task = db.get(Task, int(body["taskId"]))
    assert task.is_request and task.requested_by_id == tenants.acme_collab.id
    assert round((task.sla_due_at - task.created_at).total_seconds() / 3600) == 24
    assert db.exec(
        select(Notification).where(
            Notification.user_id == tenants.pm.id, Notification.type == "request_created"
        )
    ).first()
    missing = client.post("/api/portal/requests", json={"priority": "low"}, headers=headers)
    assert "title" in assert_envelope(missing, 422)["errors"]
    blank = client.post("/api/portal/requests", json={"title": "  "}, headers=headers)
    assert_envelope(blank, 422)
    viewer = client.post(
        "/api/portal/requests",
        json={"title": "x"},
        headers=worker(service_token, tenants.acme, role="viewer"),
    )
    assert_envelope(viewer, 403)
    foreign = client.post(
        "/api/portal/requests",
        json={"title": "x", "projectId": str(tenants.globex_project.id)},
        headers=headers,
    )
    assert_envelope(foreign, 404)
    # the refused requests wrote nothing
    assert [t.id for t in db.exec(select(Task).where(Task.is_request)).all()] == [task.id]


def test_portal_tasks_in_reference_003_shape(client, db, tenants, make_key, make_task) -> None:
    tl = TaskList(company_id=tenants.acme.id, project_id=tenants.acme_project.id, name="Onboarding")
    db.add(tl)
    db.flush()
    make_task(
        tenants.acme_project,
        "Sign the contract",
        list_id=tl.id,
        status="complete",
        assignees=[tenants.acme_admin],
    )
    make_task(tenants.acme_project, "A request", is_request=True)
    make_task(tenants.acme_project, "Private", list_id=tl.id, is_private=True)
    portal = portal_of(db, tenants.acme)
    url = f"/api/v1/portals/{portal.id}/tasks"
    body = client.get(url, headers=bearer(make_key(tenants.acme))).get_json()
    assert body["total"] == 2 and body["limit"] == 50
    onboarding, other = body["items"]
    assert onboarding["id"] == tl.id and onboarding["name"] == "Onboarding"
    (task,) = onboarding["tasks"]
    assert task["title"] == "Sign the contract" and task["status"] == "complete"
    assert task["assignee_ids"] == [tenants.acme_admin.id]
    assert set(task) >= {"id", "description", "due_date", "sort_order", "created_at", "updated_at"}
    assert other["id"] is None and [t["title"] for t in other["tasks"]] == ["A request"]
    # an agency key (staff) sees private tasks too
    staff = client.get(url, headers=bearer(make_key())).get_json()
    assert "Private" in {t["title"] for t in staff["items"][0]["tasks"]}
    assert_envelope(client.get(url, headers=bearer(make_key(tenants.globex))), 404)
    assert_envelope(
        client.get(url, headers=bearer(make_key(tenants.acme, scopes=["portal:read"]))),
        403,
        "insufficient_scope",
    )


def test_create_update_delete_a_task(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    key = bearer(make_key(tenants.acme))
    resp = client.post(
        f"/api/v1/portals/{portal.id}/tasks",
        json={
            "title": "Send the logo files",
            "list": "Onboarding",
            "status": "up_next",
            "due_date": "2031-03-01",
            "assignee_ids": [tenants.acme_collab.id],
        },
        headers=key,
    )
    assert resp.status_code == 201, resp.get_json()
    task = resp.get_json()
    assert task["status"] == "up_next" and task["due_date"] == "2031-03-01"
    assert task["assignee_ids"] == [tenants.acme_collab.id]
    assert db.get(TaskList, task["list_id"]).name == "Onboarding"
    assert_envelope(
        client.post(f"/api/v1/portals/{portal.id}/tasks", json={"status": "open"}, headers=key),
        422,
    )
    assert_envelope(
        client.post(
            f"/api/v1/portals/{portal.id}/tasks", json={"title": "x", "status": "done"}, headers=key
        ),
        422,
    )
    assert [t.id for t in db.exec(select(Task)).all()] == [task["id"]]  # nothing else written
    patched = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "complete", "due_date": None, "assignee_ids": []},
        headers=key,
    )
    assert patched.status_code == 200, patched.get_json()
    out = patched.get_json()
    assert out["status"] == "complete" and out["due_date"] is None and out["assignee_ids"] == []
    assert out["completed_at"] is not None
    actions = db.exec(
        select(ActivityLog.action)
        .where(ActivityLog.object_id == task["id"])
        .order_by(ActivityLog.id)
    ).all()
    assert actions[0] == "task_created" and "task_completed" in actions
    # another tenant's key: the task does not exist for it
    other = bearer(make_key(tenants.globex))
    refused = client.patch(f"/api/v1/tasks/{task['id']}", json={"title": "Mine"}, headers=other)
    assert_envelope(refused, 404)
    assert_envelope(client.delete(f"/api/v1/tasks/{task['id']}", headers=other), 404)
    assert db.get(Task, task["id"]).title == "Send the logo files"  # nothing was written
    assert client.delete(f"/api/v1/tasks/{task['id']}", headers=key).status_code == 204
    assert db.get(Task, task["id"]) is None


def test_session_viewer_gets_403_on_task_writes(client, db, login, tenants, make_task) -> None:
    task = make_task(tenants.acme_project)
    login(tenants.acme_viewer)
    assert_envelope(client.patch(f"/api/v1/tasks/{task.id}", json={"status": "complete"}), 403)
    db.refresh(task)
    assert task.status == "open"  # nothing was written
    assert db.exec(select(ActivityLog).where(ActivityLog.object_id == task.id)).all() == []
    portal = portal_of(db, tenants.acme)
    assert client.get(f"/api/v1/portals/{portal.id}/tasks").status_code == 200


def test_portal_tasks_page_each_lists_tasks(
    client, db, tenants, make_key, make_task, count_queries
) -> None:
    lists = []
    for name in ("Big", "Small"):
        tl = TaskList(company_id=tenants.acme.id, project_id=tenants.acme_project.id, name=name)
        db.add(tl)
        db.flush()
        lists.append(tl)
    big = [
        make_task(tenants.acme_project, f"Big {i}", list_id=lists[0].id, sort_order=i)
        for i in range(7)
    ]
    make_task(tenants.acme_project, "Small 0", list_id=lists[1].id)
    make_task(tenants.acme_project, "Hidden", list_id=lists[0].id, is_private=True, sort_order=-1)
    portal = portal_of(db, tenants.acme)
    url = f"/api/v1/portals/{portal.id}/tasks"
    key = bearer(make_key(tenants.acme))

    def titles(query: str) -> list[tuple[int, list[str]]]:
        body = client.get(url + query, headers=key).get_json()
        return [(i["tasks_total"], [t["title"] for t in i["tasks"]]) for i in body["items"]]

    # the default keeps every task of a list up to 100 (reference 003's shape, as before)
    assert titles("") == [(7, [f"Big {i}" for i in range(7)]), (1, ["Small 0"])]
    assert titles("?tasks_limit=3") == [(7, ["Big 0", "Big 1", "Big 2"]), (1, ["Small 0"])]
    # the pages of one list follow on, and a list paged past its end still says its size
    assert titles("?tasks_limit=3&tasks_offset=3") == [(7, ["Big 3", "Big 4", "Big 5"]), (1, [])]
    assert titles("?limit=1&tasks_limit=3&tasks_offset=6") == [(7, ["Big 6"])]
    seen = [
        title
        for offset in range(0, 9, 3)
        for _, page in titles(f"?limit=1&tasks_limit=3&tasks_offset={offset}")
        for title in page
    ]
    assert seen == [t.title for t in big]
    # out-of-range sizes are clamped, never an error
    assert titles("?tasks_limit=0")[0] == (7, ["Big 0"])
    assert client.get(url + "?tasks_limit=100000", headers=key).status_code == 200
    # the statements do not grow with the tasks
    client.get(url, headers=key)
    with count_queries() as few:
        client.get(url, headers=key)
    for i in range(7, 30):
        make_task(tenants.acme_project, f"Big {i}", list_id=lists[0].id, sort_order=i)
    with count_queries() as many:
        client.get(url + "?tasks_limit=10", headers=key)
    assert many.count == few.count
