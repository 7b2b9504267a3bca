from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Note, Notification
from portal.models.note import NoteCreate, NoteUpdate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import notes


def _as(db, user, company_ids):
    """The user as a portal of ``company_ids`` sees them (the portal gate narrows the actor)."""
    return actor_for_user(db, user).narrowed(company_ids)


def _create(db, actor, **fields):
    return notes.create_note(db, actor=actor, data=validated(NoteCreate, fields))


def _post(db, user, company_ids, project, body, **kw):
    return _create(db, _as(db, user, company_ids), body=body, resource_id=project.id, **kw)


def _written(db) -> tuple[list, list, list]:
    """Notes (body, edit, deletion), activity and notifications: what a refusal must not touch."""
    return (
        [(n.id, n.body, n.edited_at, n.deleted_at) for n in db.exec(select(Note)).all()],
        db.exec(select(ActivityLog.id)).all(),
        db.exec(select(Notification.id)).all(),
    )


def _notes_for(db, user):
    return db.exec(select(Notification).where(Notification.user_id == user.id)).all()


def test_mentions_notify_people_who_see_the_portal(db, tenants) -> None:
    t = tenants
    t.acme_collab.name = "Dana Collab"
    t.globex_admin.name = "Dana Globex"
    db.flush()
    note = _post(
        db,
        t.acme_admin,
        [t.acme.id],
        t.acme_project,
        f"Hi @dana and @{t.pm.email}, also @{t.globex_admin.email}",
    )
    assert [n.type for n in _notes_for(db, t.acme_collab)] == ["note_mention"]
    mention = _notes_for(db, t.pm)[0]
    assert mention.url == f"/p/acme-test/notes?project={t.acme_project.id}#note-{note.id}"
    assert _notes_for(db, t.globex_admin) == []  # another tenant is never notified
    activity = db.exec(select(ActivityLog).where(ActivityLog.object_id == note.id)).one()
    assert activity.action == "message_sent" and activity.object_label == "Acme Website"


def test_ambiguous_first_name_notifies_nobody_but_full_name_works(db, tenants) -> None:
    t = tenants
    t.acme_collab.name = "Sam One"
    t.acme_viewer.name = "Sam Two"
    db.flush()
    _post(db, t.acme_admin, [t.acme.id], t.acme_project, "@Sam hello, @SamTwo you too")
    assert _notes_for(db, t.acme_collab) == []
    assert len(_notes_for(db, t.acme_viewer)) == 1


def test_reply_notifies_the_thread_author_once(db, tenants) -> None:
    t = tenants
    root = _post(db, t.acme_collab, [t.acme.id], t.acme_project, "Question?")
    reply = _create(db, _as(db, t.pm, [t.acme.id]), body="Answer", parent_id=root.id)
    assert reply.parent_id == root.id and reply.company_id == t.acme.id
    assert [n.type for n in _notes_for(db, t.acme_collab)] == ["note_reply"]
    # replying to a reply joins the same thread
    nested = _create(db, _as(db, t.acme_admin, [t.acme.id]), body="+1", parent_id=reply.id)
    assert nested.parent_id == root.id


def test_internal_notes_are_staff_only(db, tenants) -> None:
    t = tenants
    internal = _post(db, t.pm, [t.acme.id], t.acme_project, "Staff only @dana", is_internal=True)
    assert internal.is_internal
    client = _as(db, t.acme_admin, [t.acme.id])
    view = notes.notes_view(db, actor=client)
    assert view.threads == []
    with pytest.raises(NotFound):
        notes.get_note(db, actor=client, note_id=internal.id)
    staff = notes.notes_view(db, actor=_as(db, t.staff_admin, [t.acme.id]))
    assert [th.root.id for th in staff.threads] == [internal.id]
    before = _written(db)
    with pytest.raises(Forbidden):
        _post(db, t.acme_admin, [t.acme.id], t.acme_project, "sneaky", is_internal=True)
    assert _written(db) == before
    # a reply to an internal thread is internal too, whatever the form says
    reply = _create(db, _as(db, t.staff_admin, [t.acme.id]), body="ok", parent_id=internal.id)
    assert reply.is_internal


def test_mentioning_a_client_in_an_internal_note_does_not_notify_them(db, tenants) -> None:
    t = tenants
    _post(db, t.pm, [t.acme.id], t.acme_project, f"@{t.acme_admin.email}", is_internal=True)
    assert _notes_for(db, t.acme_admin) == []


def test_edit_and_delete_only_your_own(db, tenants) -> None:
    t = tenants
    note = _post(db, t.acme_collab, [t.acme.id], t.acme_project, "first")
    other = _as(db, t.acme_admin, [t.acme.id])
    before = _written(db)
    with pytest.raises(Forbidden):
        notes.update_note(db, actor=other, note_id=note.id, data=NoteUpdate(body="x @dana"))
    with pytest.raises(Forbidden):
        notes.delete_note(db, actor=other, note_id=note.id)
    me = _as(db, t.acme_collab, [t.acme.id])
    with pytest.raises(Invalid):
        notes.update_note(db, actor=me, note_id=note.id, data=validated(NoteUpdate, {"body": " "}))
    assert _written(db) == before
    edited = notes.update_note(db, actor=me, note_id=note.id, data=NoteUpdate(body="2nd"))
    assert edited.body == "2nd" and edited.edited_at is not None
    notes.delete_note(db, actor=me, note_id=note.id)
    assert notes.notes_view(db, actor=me).threads == []


def test_deleted_thread_start_keeps_its_replies(db, tenants) -> None:
    t = tenants
    root = _post(db, t.acme_collab, [t.acme.id], t.acme_project, "root")
    _create(db, _as(db, t.pm, [t.acme.id]), body="reply", parent_id=root.id)
    me = _as(db, t.acme_collab, [t.acme.id])
    notes.delete_note(db, actor=me, note_id=root.id)
    [thread] = notes.notes_view(db, actor=me).threads
    assert thread.root.note.deleted_at is not None and str(thread.root.html) == ""
    assert [r.note.body for r in thread.replies] == ["reply"]


def test_viewers_cannot_post_and_foreign_projects_are_not_found(db, tenants) -> None:
    t = tenants
    before = _written(db)
    with pytest.raises(Forbidden):
        _post(db, t.acme_viewer, [t.acme.id], t.acme_project, "hi")
    with pytest.raises(NotFound):
        _post(db, t.acme_admin, [t.acme.id], t.globex_project, "hi")
    with pytest.raises(Invalid):
        _create(
            db, _as(db, t.acme_admin, [t.acme.id]), body="x",
            resource_type="spaceship", resource_id=1,
        )  # fmt: skip
    assert _written(db) == before


def test_group_parent_sees_child_notes_but_not_the_reverse(db, tenants) -> None:
    t = tenants
    _post(db, t.retail_admin, [t.retail.id], t.retail_project, "from retail")
    _post(db, t.acme_admin, [t.acme.id, t.retail.id], t.acme_project, "from acme")
    parent = _as(db, t.acme_admin, [t.acme.id, t.retail.id])
    child = _as(db, t.retail_admin, [t.acme.id, t.retail.id])
    assert len(notes.notes_view(db, actor=parent).threads) == 2
    # the child's actor cannot widen its view by asking for the parent's company
    bodies = [th.root.note.body for th in notes.notes_view(db, actor=child).threads]
    assert bodies == ["from retail"]
    listed = notes.list_notes(db, actor=_as(db, t.retail_admin, [t.retail.id]))
    assert [n.body for n, _ in listed] == ["from retail"]


def test_notes_attach_to_deliverables_too(db, tenants) -> None:
    from tests.factories.deliverables import approved_with_receipt

    t = tenants
    deliverable, _ = approved_with_receipt(db, t.staff_admin, t.acme_collab, t.acme)
    note = _create(
        db,
        _as(db, t.acme_collab, [t.acme.id]),
        body="Lovely work",
        resource_type="deliverable",
        resource_id=deliverable.id,
    )
    [thread] = notes.notes_view(db, actor=_as(db, t.acme_admin, [t.acme.id])).threads
    assert thread.root.id == note.id and thread.resource_label == deliverable.name
    assert notes._note_url(db, note).endswith(f"/notes#note-{note.id}")
