"""Red-team #7: a client can only name staff who can see its company (task assignees, file
approvers); any other staff id gets exactly the answer an unknown id gets."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Notification
from tests.api.conftest import bearer, portal_of

UNKNOWN = 2_000_000_000


@pytest.fixture
def other_pm(make_user, tenants):
    """Staff on Globex only: Acme must not be able to pick (and so notify) them."""
    return make_user(staff="pm", assign=[tenants.globex])


def _task(client, db, tenants, key, company, assignee_id):
    return client.post(
        f"/api/v1/portals/{portal_of(db, company).id}/tasks",
        json={"title": "Check the copy", "assignee_ids": [assignee_id]},
        headers=key,
    )


def _linked_file(client, db, tenants, key, company, approver_id):
    return client.post(
        f"/api/v1/portals/{portal_of(db, company).id}/files",
        json={
            "url": "https://example.test/spec.pdf",
            "name": "spec.pdf",
            "approver_id": approver_id,
        },
        headers=key,
    )


@pytest.mark.parametrize("create", [_task, _linked_file])
def test_staff_who_cannot_see_the_company_look_unknown(
    client, db, tenants, make_key, other_pm, create
) -> None:
    key = bearer(make_key(tenants.acme))
    unknown = create(client, db, tenants, key, tenants.acme, UNKNOWN)
    hidden = create(client, db, tenants, key, tenants.acme, other_pm.id)
    assert unknown.status_code == hidden.status_code == 422
    assert unknown.get_json() == hidden.get_json()
    assert not db.exec(select(Notification).where(Notification.user_id == other_pm.id)).all()


@pytest.mark.parametrize("create", [_task, _linked_file])
@pytest.mark.parametrize("who", ["pm", "staff_admin"])
def test_staff_who_see_the_company_are_assignable(
    client, db, tenants, make_key, create, who
) -> None:
    """Assigned staff (also on a child company of their client) and agency-wide admins."""
    staff = getattr(tenants, who)
    for company in (tenants.acme, tenants.retail):
        resp = create(client, db, tenants, bearer(make_key(company)), company, staff.id)
        assert resp.status_code == 201, resp.get_json()
