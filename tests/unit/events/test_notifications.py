from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Notification, NotificationPreference
from portal.tenancy import actor_for_user
from services.events.notifications import notify


def test_notify_honours_preferences_and_skips_the_actor(db, tenants) -> None:
    db.add(
        NotificationPreference(
            user_id=tenants.acme_viewer.id,
            notification_type="task_assigned",
            channel_in_app=False,
            channel_email=True,
        )
    )
    db.add(
        NotificationPreference(
            user_id=tenants.acme_collab.id,
            notification_type="task_assigned",
            channel_in_app=False,
            channel_email=False,
        )
    )
    db.flush()
    actor = actor_for_user(db, tenants.acme_admin)
    created = notify(
        db,
        user_ids=[
            tenants.acme_admin.id,
            tenants.acme_viewer.id,
            tenants.acme_collab.id,
            tenants.pm.id,
            None,
        ],
        type="task_assigned",
        title="Task X assigned",
        company_id=tenants.acme.id,
        actor=actor,
    )
    by_user = {n.user_id: n for n in created}
    assert set(by_user) == {
        tenants.acme_viewer.id,
        tenants.pm.id,
    }  # not the actor, not the opted-out
    assert (
        by_user[tenants.acme_viewer.id].in_app is False
        and by_user[tenants.acme_viewer.id].email_wanted
    )
    assert by_user[tenants.pm.id].in_app and by_user[tenants.pm.id].email_wanted
    assert (
        db.exec(select(Notification).where(Notification.user_id == tenants.pm.id)).one().actor_label
    )


def test_unknown_type_is_a_programming_error(db, tenants) -> None:
    with pytest.raises(ValueError):
        notify(db, user_ids=[tenants.pm.id], type="nope", title="x", company_id=None)
