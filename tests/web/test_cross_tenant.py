from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import (
    DeliverableVersion,
    Page,
    ProjectGoal,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.models.base import utcnow
from tests.factories.deliverables import approved_with_receipt
from tests.web.files_world import add_acme_files
from tests.web.probe import build_path, probed_rules


@pytest.fixture
def world(db, world):
    """The notes/notifications world of tests/web/conftest.py, plus webhooks and deliverables."""
    tenants = world
    tenants.acme_webhook = WebhookSubscription(
        url="https://hooks.example.test/acme",
        company_id=tenants.acme.id,
        secret_encrypted="x",
        active=False,  # never sends: the probe's requests must not start deliveries
    )
    db.add(tenants.acme_webhook)
    db.flush()
    tenants.acme_delivery = WebhookDelivery(
        subscription_id=tenants.acme_webhook.id, event="client_invited", payload="{}"
    )
    db.add(tenants.acme_delivery)
    db.flush()
    tenants.acme_deliverable, tenants.acme_receipt = approved_with_receipt(
        db, tenants.staff_admin, tenants.acme_collab, tenants.acme
    )
    tenants.acme_version_id = db.exec(
        select(DeliverableVersion.id).where(
            DeliverableVersion.deliverable_id == tenants.acme_deliverable.id
        )
    ).one()
    from services.accounts.tokens import create_api_key

    tenants.acme_api_key_id = create_api_key(db, name="acme", company_id=tenants.acme.id)[0].id
    from portal.models.task import TaskCreate
    from services.tasks import create_task
    from tests.factories import actor_of

    tenants.acme_task_id = create_task(
        db,
        actor=actor_of(db, tenants.staff_admin),
        data=TaskCreate(project_id=tenants.acme_project.id, title="Acme only"),
    ).id
    add_acme_files(db, tenants)
    tenants.acme_page = Page(
        company_id=tenants.acme.id,
        title="Acme handbook",
        slug="acme-handbook",
        body_html="<p>Acme only</p>",
        published_at=utcnow(),
    )
    tenants.acme_goal = ProjectGoal(
        company_id=tenants.acme.id, project_id=tenants.acme_project.id, title="Acme goal"
    )
    db.add_all([tenants.acme_page, tenants.acme_goal])
    db.flush()
    from services.tasks.attachments import attach_existing

    tenants.acme_attachment_id = attach_existing(
        db,
        actor=actor_of(db, tenants.staff_admin),
        task_id=tenants.acme_task_id,
        file_id=tenants.acme_file_id,
    ).id
    from portal.models.feedback import PostUpdate, TagCreate
    from services.feedback import posts, taxonomy
    from tests.factories.feedback import board_actor, make_category, make_comment, make_post

    tenants.acme_post = make_post(db, tenants.acme_collab, tenants.acme, "Acme-only idea")
    tenants.acme_comment = make_comment(
        db, tenants.acme_collab, tenants.acme, tenants.acme_post, "Acme-only comment"
    )
    tenants.acme_category = make_category(db, tenants.staff_admin, tenants.acme, "Acme-only")
    staff = board_actor(db, tenants.staff_admin, tenants.acme)
    tenants.acme_tag = taxonomy.create_tag(
        session=db, actor=staff, company_id=tenants.acme.id, data=TagCreate(tag="acme-only")
    )
    posts.update_post(
        session=db, actor=staff, key=tenants.acme_post.key, data=PostUpdate(tags=["acme-only"])
    )
    return tenants


def test_every_route_argument_is_known_to_the_probe(app) -> None:
    _, unresolved = probed_rules(app)
    assert not unresolved, f"teach tests/web/probe.py these route arguments: {unresolved}"


@pytest.mark.parametrize("who", ["globex_admin", "retail_admin"])
def test_foreign_tenant_gets_404_everywhere(app, client, login, world, who) -> None:
    """Globex, and Acme's own child company, see nothing of Acme: every route answers 404."""
    login(getattr(world, who))
    rules, _ = probed_rules(app)
    assert len(rules) >= 4
    leaks = []
    for rule, method, resolvers in rules:
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        for headers in ({}, {"HX-Request": "true"}):
            resp = client.open(path, method=method, data={}, headers=headers)
            if resp.status_code != 404:
                leaks.append(f"{method} {path} {headers} -> {resp.status_code}")
    assert not leaks, "\n".join(leaks)


STAFF_ONLY = (
    "/admin/",
    "/p/<slug>/files/downloads",
    "/p/<slug>/files/requests",
    "/p/<slug>/feedback/moderation",
)


def test_own_tenant_reaches_the_same_routes(app, client, login, world) -> None:
    """The probe is meaningful: the owner of the data gets through on GET routes."""
    rules, _ = probed_rules(app)
    for rule, method, resolvers in rules:
        if method != "GET" or rule.startswith("/api/"):
            continue
        # The staff area's "owner" is staff: clients never reach /admin/ or staff-only tabs.
        login(world.staff_admin if rule.startswith(STAFF_ONLY) else world.acme_admin)
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        resp = client.get(path)
        resp.close()  # streamed downloads hold their file open until closed
        assert resp.status_code in {200, 302}, path


@pytest.mark.parametrize("company", ["globex", "retail"])
def test_foreign_tokens_get_404_on_every_api_route(app, client, db, world, company) -> None:
    """/api/v1 probed with another company's API key (all scopes), /api/portal with the worker's
    service token speaking for another company (as its admin): 404 everywhere."""
    from services.accounts.tokens import create_api_key, create_service_token

    company_id = getattr(world, company).id
    _, key = create_api_key(db, name="probe", company_id=company_id)
    _, token = create_service_token(db, name="probe")
    rules, _ = probed_rules(app)
    api_rules = [r for r in rules if r[0].startswith("/api/")]
    assert api_rules
    leaks = []
    for rule, method, resolvers in api_rules:
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        if rule.startswith("/api/portal/"):
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Portal-Company-Id": str(company_id),
                "X-Portal-User-Role": "admin",
            }
        else:
            headers = {"Authorization": f"Bearer {key}"}
        resp = client.open(path, method=method, json={}, headers=headers)
        if resp.status_code != 404:
            leaks.append(f"{method} {path} -> {resp.status_code}")
    assert not leaks, "\n".join(leaks)
