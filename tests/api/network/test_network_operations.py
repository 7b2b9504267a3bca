"""Changes on the controller are queued: 202 with an operation at once, the job makes the call
and the operation says how it ended (succeeded, rejected with the controller's message, or
failed). No request waits on the controller; a lost job is found again by the sweep."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.jobs import run_job
from portal.models import ActivityLog, PortalManager, Role, UserRole
from portal.models.network import NetworkOperation
from services.network.changes import OPERATION_JOB, SWEEP_JOB
from tests.api.conftest import bearer

API = "/api/v1/network/sites"
OPS = "/api/v1/network/operations"


def _op(client, key, resp) -> dict:
    """Follow a 202's Location to the operation."""
    assert resp.status_code == 202, resp.get_json()
    location = resp.headers["Location"]
    assert location == f"{OPS}/{resp.get_json()['data']['id']}"
    got = client.get(location, headers=key)
    assert got.status_code == 200, got.get_json()
    return got.get_json()["data"]


def _wifi_names(client, key, site_id: int) -> set[str]:
    return {w["name"] for w in client.get(f"{API}/{site_id}/wifi", headers=key).get_json()["data"]}


def test_patch_wifi_answers_202_and_the_job_changes_the_controller(
    client, db, make_key, synced, live_controller
) -> None:
    key = bearer(make_key())
    resp = client.patch(
        f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2",
        headers=key,
        json={"name": "Acme-Visitors", "x_passphrase": "New-Guest-Pass-1", "band": "5g"},
    )
    queued = resp.get_json()["data"]
    assert queued["status"] == "pending" and queued["kind"] == "wifi.update"
    assert queued["siteId"] == str(synced.hq.id) and isinstance(queued["id"], str)
    assert "New-Guest-Pass-1" not in resp.get_data(as_text=True)
    op = _op(client, key, resp)
    assert op["status"] == "succeeded" and op["error"] is None and op["finishedAt"]
    wlan = live_controller.sites["acmehq01"].wlans[1]
    assert wlan["name"] == "Acme-Visitors" and wlan["x_passphrase"] == "New-Guest-Pass-1"
    assert "Acme-Visitors" in _wifi_names(client, bearer(make_key(synced.acme)), synced.hq.id)
    row = db.exec(select(ActivityLog).where(ActivityLog.action == "wifi_network_updated")).one()
    assert "passphrase" in row.description and "New-Guest-Pass-1" not in row.description
    stored = db.exec(select(NetworkOperation)).one()
    assert "New-Guest-Pass-1" not in stored.payload_encrypted  # encrypted at rest


def test_a_passphrase_keeps_its_spaces(client, make_key, synced, live_controller) -> None:
    """Leading and trailing spaces are legal in a WPA passphrase: they are not trimmed away."""
    key = bearer(make_key())
    url = f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2"
    resp = client.patch(url, headers=key, json={"x_passphrase": "  spaced pass  "})
    assert _op(client, key, resp)["status"] == "succeeded"
    assert live_controller.sites["acmehq01"].wlans[1]["x_passphrase"] == "  spaced pass  "
    wifi = client.get(f"{API}/{synced.hq.id}/wifi", headers=key).get_json()["data"]
    assert wifi[1]["passphrase"] == "  spaced pass  "


def test_bad_input_is_422_per_field_and_nothing_is_queued(client, db, make_key, synced) -> None:
    url = f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2"
    key = bearer(make_key())
    assert (
        client.patch(url, headers=bearer(make_key(synced.acme)), json={"name": "x"}).status_code
        == 403
    )
    bad = client.patch(url, headers=key, json={"x_passphrase": "short", "band": "6g"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"x_passphrase", "band"}
    bad = client.post(f"{API}/{synced.hq.id}/speed-profiles", headers=key, json={"name": ""})
    assert bad.status_code == 422 and "name" in bad.get_json()["errors"]
    missing = client.patch(f"{API}/{synced.hq.id}/wifi/nope", headers=key, json={})
    assert missing.status_code == 404
    assert client.patch(f"{API}/999999/wifi/x", headers=key, json={}).status_code == 404
    assert not db.exec(select(NetworkOperation)).all()


def test_no_request_waits_on_the_controller(
    client, db, make_key, synced, live_controller, held_jobs
) -> None:
    """With the controller slow, every change answers 202 without a single call to it; the
    operation is pending until the job has run, then says how it ended."""
    live_controller.delay = 0.5
    seen = len(live_controller.requests)
    key = bearer(make_key())
    base = f"{API}/{synced.hq.id}"
    answers = [
        client.patch(f"{base}/wifi/acmehq01-wlan2", headers=key, json={"name": "Slowpoke"}),
        client.post(f"{base}/wlan-groups", headers=key, json={"name": "Lobby"}),
        client.post(f"{base}/speed-profiles", headers=key, json={"name": "Slow"}),
        client.post(
            f"{base}/wifi/acmehq01-wlan1/ppsk",
            headers=key,
            json={"key": "Laptop-Key-1", "name": "L"},
        ),
        client.post(API, headers=key, json={"description": "New Branch"}),
    ]
    assert [r.status_code for r in answers] == [202] * 5
    assert len(live_controller.requests) == seen  # nobody asked the controller yet
    assert {_op(client, key, r)["status"] for r in answers} == {"pending"}
    listed = client.get(f"{base}/operations", headers=key).get_json()
    assert listed["total"] == 4 and {o["status"] for o in listed["data"]} == {"pending"}
    assert "Slowpoke" not in _wifi_names(client, key, synced.hq.id)

    live_controller.delay = 0.0
    held_jobs.run()
    assert {_op(client, key, r)["status"] for r in answers} == {"succeeded"}
    assert "Slowpoke" in _wifi_names(client, key, synced.hq.id)
    groups = client.get(f"{base}/wlan-groups", headers=key).get_json()["data"]
    assert "Lobby" in {g["name"] for g in groups}
    profiles = client.get(f"{base}/speed-profiles", headers=key).get_json()["data"]
    assert "Slow" in {p["name"] for p in profiles}
    keys = client.get(f"{base}/wifi/acmehq01-wlan1/ppsk", headers=key).get_json()["data"]
    assert keys[-1]["key"] == "Laptop-Key-1"
    new_site = _op(client, key, answers[-1])["siteId"]
    site = client.get(f"{API}/{new_site}", headers=key).get_json()["data"]
    assert site["name"] == "New Branch" and site["companyId"] is None


def test_controller_down_fails_the_operation_and_changes_nothing(
    client, db, make_key, synced, live_controller
) -> None:
    live_controller.stop()
    key = bearer(make_key())
    resp = client.patch(
        f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2", headers=key, json={"name": "Nope"}
    )
    op = _op(client, key, resp)
    assert op["status"] == "failed" and op["error"] == "The controller cannot be reached."
    names = _wifi_names(client, key, synced.hq.id)
    assert "Acme-Guest" in names and "Nope" not in names
    assert not db.exec(
        select(ActivityLog).where(ActivityLog.action == "wifi_network_updated")
    ).all()


def test_a_refusal_is_rejected_with_the_controllers_message(
    client, db, make_key, synced, live_controller
) -> None:
    key = bearer(make_key())
    live_controller.refuse_next("api.err.WlanGroupNameExists")
    resp = client.post(f"{API}/{synced.hq.id}/wlan-groups", headers=key, json={"name": "Default"})
    op = _op(client, key, resp)
    assert op["status"] == "rejected"
    assert "api.err.WlanGroupNameExists" in op["error"] and "reach" not in op["error"]
    assert not db.exec(select(ActivityLog).where(ActivityLog.action == "wlan_group_created")).all()


def test_a_wifi_change_is_retried_a_create_is_sent_once(
    client, db, make_key, synced, live_controller
) -> None:
    key = bearer(make_key())
    live_controller.fail_next(1, status=502)
    resp = client.patch(
        f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2", headers=key, json={"name": "Retried"}
    )
    assert _op(client, key, resp)["status"] == "succeeded"  # the PUT is idempotent: retried

    live_controller.fail_next(3, status=500)
    posts = lambda: [r for r in live_controller.requests if r.startswith("POST")]  # noqa: E731
    before = len(posts())
    resp = client.post(f"{API}/{synced.hq.id}/wlan-groups", headers=key, json={"name": "Lobby"})
    op = _op(client, key, resp)
    assert op["status"] == "failed" and op["error"] == "The controller failed (HTTP 500)."
    assert len(posts()) - before == 1
    run_job(OPERATION_JOB, int(op["id"]))  # queued again (the sweep, a second worker)
    assert len(posts()) - before == 1 and _op(client, key, resp)["status"] == "failed"


def test_the_sweep_requeues_a_lost_job_and_never_resends_a_create(
    client, db, make_key, synced, live_controller, held_jobs
) -> None:
    """Redis (or the process) lost the job: the operation row is still pending, so the periodic
    sweep queues it again. A create that was already sent is failed instead of sent twice."""
    key = bearer(make_key())
    patch = client.patch(
        f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2", headers=key, json={"name": "Swept"}
    )
    create = client.post(f"{API}/{synced.hq.id}/wlan-groups", headers=key, json={"name": "Lost"})
    held_jobs.clear()  # the jobs are gone
    ops = db.exec(select(NetworkOperation)).all()
    for op in ops:
        op.created_at = op.created_at - timedelta(minutes=5)
        if op.kind == "wlanGroup.create":
            op.started_at = op.created_at  # it had been sent when the worker died
        db.add(op)
    db.flush()
    sent = len(live_controller.requests)
    run_job(SWEEP_JOB)
    held_jobs.run()
    assert _op(client, key, patch)["status"] == "succeeded"
    lost = _op(client, key, create)
    assert lost["status"] == "failed" and "not sent twice" in lost["error"]
    assert not [r for r in live_controller.requests[sent:] if r.startswith("POST")]
    assert "Swept" in _wifi_names(client, key, synced.hq.id)


def _pm(db, make_user, company, *nodes: str):
    user = make_user(staff="custom")
    role = Role(name=f"r-{user.id}", permissions=list(nodes))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.add(PortalManager(user_id=user.id, company_id=company.id))
    db.flush()
    return user


def test_operations_are_tenant_scoped_and_need_the_change_node(
    client, db, login, make_key, make_user, synced, live_controller
) -> None:
    resp = client.patch(
        f"{API}/{synced.hq.id}/wifi/acmehq01-wlan2", headers=bearer(make_key()), json={"name": "A"}
    )
    url = resp.headers["Location"]
    # a company key is not staff; another portal's manager finds nothing there
    assert client.get(url, headers=bearer(make_key(synced.acme))).status_code == 403
    login(_pm(db, make_user, synced.globex, "network.read", "network.wifi.update"))
    assert client.get(url).status_code == 404
    assert client.get(f"{OPS}/999999").status_code == 404
    login(_pm(db, make_user, synced.acme, "network.read", "network.wifi.update"))
    assert client.get(url).get_json()["data"]["status"] == "succeeded"
    assert client.get(f"{API}/{synced.hq.id}/operations").get_json()["total"] == 1
    login(_pm(db, make_user, synced.acme, "network.read"))  # reads, changes nothing
    assert client.get(url).status_code == 403
    assert client.get(f"{API}/{synced.hq.id}/operations").status_code == 403


def test_the_operations_list_is_bounded_in_queries(
    client, db, make_key, synced, live_controller, count_queries, held_jobs
) -> None:
    key = bearer(make_key())
    url = f"{API}/{synced.hq.id}/operations"

    def queue(n: int) -> None:
        for i in range(n):
            client.post(f"{API}/{synced.hq.id}/wlan-groups", headers=key, json={"name": f"G{i}"})

    queue(3)
    with count_queries() as few:
        assert client.get(url, headers=key).get_json()["total"] == 3
    queue(27)
    with count_queries() as many:
        assert client.get(url, headers=key).get_json()["total"] == 30
    assert many.count == few.count


def test_the_openapi_says_changes_answer_202(client) -> None:
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    assert "202" in paths["/api/v1/network/sites/{site_id}/wifi/{wlan_id}"]["patch"]["responses"]
    assert "202" in paths["/api/v1/network/sites"]["post"]["responses"]
    assert "/api/v1/network/operations/{operation_id}" in paths
