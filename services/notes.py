"""Notes: threaded discussion on projects (and deliverables, invoices, budgets), SPEC §5.5.

Client-visible notes are seen by everyone in the portal; internal notes by staff only. Bodies
are markdown, rendered through ``portal.text`` (sanitised). ``@Name`` / ``@email``
mentions notify the people they name (``note_mention``); a reply notifies the thread's author
(``note_reply``). Every page of threads is built in a fixed number of queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import exists, false, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    NOTE_RESOURCE_TYPES,
    Company,
    Deliverable,
    Note,
    Portal,
    PortalManager,
    Project,
    Role,
    User,
    UserRole,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.tenancy import Actor, has_node, scoped
from portal.text import MENTION_RE, plain_excerpt, render_markdown
from services.events import activity
from services.events.notifications import notify

MAX_BODY = 10_000
PER_PAGE = 20
API_LIMIT = 100

# resource type -> (model, label attribute); other areas register theirs with register_resource
RESOURCE_MODELS: dict[str, tuple[type[Any], str]] = {
    "project": (Project, "name"),
    "deliverable": (Deliverable, "name"),
}


def register_resource(resource_type: str, model: type[Any], label_attr: str) -> None:
    """Let notes attach to ``model`` rows (deliverables, invoices, budgets) once they exist."""
    if resource_type not in NOTE_RESOURCE_TYPES:
        raise ValueError(f"notes cannot attach to {resource_type!r}")
    RESOURCE_MODELS[resource_type] = (model, label_attr)


@dataclass(frozen=True)
class NoteItem:
    note: Note
    author_name: str
    html: Markup

    @property
    def id(self) -> int:
        return self.note.id  # type: ignore[return-value]


@dataclass
class Thread:
    root: NoteItem
    replies: list[NoteItem] = field(default_factory=list)
    resource_label: str = ""

    @property
    def resource_type(self) -> str:
        return self.root.note.resource_type

    @property
    def resource_id(self) -> int:
        return self.root.note.resource_id


@dataclass(frozen=True)
class NotesView:
    threads: list[Thread]
    total: int
    page: int
    pages: int
    projects: list[tuple[int, str]]
    project_id: int | None
    project_name: str | None


def _visible(stmt: Any, actor: Actor, company_ids: Iterable[int], model: Any = Note) -> Any:
    stmt = scoped(stmt, actor, Note).where(model.company_id.in_(sorted(company_ids)))
    if not actor.is_staff:
        stmt = stmt.where(model.is_internal == false())
    return stmt


def _item(note: Note, author: User | None) -> NoteItem:
    name = author.display_name if author else "Former member"
    html = Markup("") if note.deleted_at else render_markdown(note.body)
    return NoteItem(note=note, author_name=name, html=html)


def _labels(session: Session, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """One query per resource type present on the page."""
    by_type: dict[str, set[int]] = {}
    for rtype, rid in keys:
        by_type.setdefault(rtype, set()).add(rid)
    labels: dict[tuple[str, int], str] = {}
    for rtype, ids in by_type.items():
        entry = RESOURCE_MODELS.get(rtype)
        if entry is None:
            continue
        model, attr = entry
        rows = session.exec(
            select(model.id, getattr(model, attr)).where(model.id.in_(sorted(ids)))
        ).all()
        labels.update({(rtype, rid): str(label) for rid, label in rows})
    return labels


def _group_projects(
    session: Session, actor: Actor, company_ids: list[int]
) -> list[tuple[int, str]]:
    rows = session.exec(
        scoped(select(Project.id, Project.name), actor, Project)
        .where(Project.company_id.in_(company_ids))  # type: ignore[attr-defined]
        .order_by(Project.name)
        .limit(200)
    ).all()
    return [(pid, name) for pid, name in rows]  # type: ignore[misc]


def notes_view(
    session: Session,
    *,
    actor: Actor,
    company_ids: list[int],
    project_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> NotesView:
    """A page of threads (newest first) with their replies, authors and resource names."""
    reply = aliased(Note)
    live_reply = _visible(select(reply.id), actor, company_ids, reply).where(
        reply.parent_id == Note.id, reply.deleted_at.is_(None)
    )
    conds = [
        Note.parent_id.is_(None),  # type: ignore[union-attr]
        or_(Note.deleted_at.is_(None), exists(live_reply)),  # type: ignore[union-attr]
    ]
    if project_id is not None:
        conds += [Note.resource_type == "project", Note.resource_id == project_id]
    counted = _visible(select(Note.id), actor, company_ids).where(*conds)
    total = int(session.exec(select(func.count()).select_from(counted.subquery())).one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        _visible(select(Note, User), actor, company_ids)
        .where(*conds)
        .outerjoin(User, User.id == Note.author_id)
        .order_by(Note.created_at.desc(), Note.id.desc())  # type: ignore[union-attr]
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    threads = [Thread(root=_item(n, u)) for n, u in rows]
    _attach_replies(session, actor, company_ids, threads)
    projects = _group_projects(session, actor, company_ids)
    # the project list doubles as the label source: only unknown resources cost a query
    labels = {("project", pid): name for pid, name in projects}
    labels.update(
        _labels(
            session,
            {(t.resource_type, t.resource_id) for t in threads} - set(labels),
        )
    )
    for t in threads:
        t.resource_label = labels.get((t.resource_type, t.resource_id), t.resource_type.title())
    project_name = next((name for pid, name in projects if pid == project_id), None)
    if project_id is not None and project_name is None:
        raise NotFound()
    return NotesView(
        threads=threads,
        total=total,
        page=page,
        pages=pages,
        projects=projects,
        project_id=project_id,
        project_name=project_name,
    )


def _attach_replies(
    session: Session, actor: Actor, company_ids: list[int], threads: list[Thread]
) -> None:
    if not threads:
        return
    by_id = {t.root.id: t for t in threads}
    rows = session.exec(
        _visible(select(Note, User), actor, company_ids)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.parent_id.in_(sorted(by_id)), Note.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Note.created_at, Note.id)
    ).all()
    for note, author in rows:
        by_id[note.parent_id].replies.append(_item(note, author))  # type: ignore[index]


def get_note(session: Session, *, actor: Actor, company_ids: list[int], note_id: Any) -> Note:
    """A note the actor may read (internal notes do not exist for clients)."""
    try:
        pk = int(note_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    note = session.exec(_visible(select(Note), actor, company_ids).where(Note.id == pk)).first()
    if note is None:
        raise NotFound()
    return note


def thread_for(session: Session, *, actor: Actor, company_ids: list[int], note_id: Any) -> Thread:
    """The whole thread a note belongs to (for HTMX fragments)."""
    note = get_note(session, actor=actor, company_ids=company_ids, note_id=note_id)
    root = note if note.parent_id is None else session.get(Note, note.parent_id)
    author = session.get(User, root.author_id) if root and root.author_id else None
    thread = Thread(root=_item(root, author))  # type: ignore[arg-type]
    _attach_replies(session, actor, company_ids, [thread])
    labels = _labels(session, [(thread.resource_type, thread.resource_id)])
    thread.resource_label = labels.get((thread.resource_type, thread.resource_id), "")
    return thread


# Writes -------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise Invalid(errors={"body": ["Write something first."]})
    if len(text) > MAX_BODY:
        raise Invalid(errors={"body": [f"Keep it under {MAX_BODY:,} characters."]})
    return text


def _resource(
    session: Session, actor: Actor, company_ids: list[int], resource_type: str, resource_id: Any
) -> tuple[int, str]:
    """(company_id, label) of the resource a new thread attaches to."""
    entry = RESOURCE_MODELS.get(resource_type or "")
    if entry is None:
        raise Invalid(errors={"resource_type": ["Notes can be added to projects."]})
    model, attr = entry
    try:
        pk = int(resource_id)
    except (TypeError, ValueError):
        raise Invalid(errors={"resource_id": ["Choose what this note is about."]}) from None
    obj = session.exec(
        scoped(select(model), actor, model).where(
            model.id == pk, model.company_id.in_(sorted(company_ids))
        )
    ).first()
    if obj is None:
        raise NotFound()
    return obj.company_id, str(getattr(obj, attr))


def mention_tokens(body: str) -> set[str]:
    return {m.group(1).rstrip(".-_").lower() for m in MENTION_RE.finditer(body or "")}


def portal_audience(session: Session, company_id: int, *, staff_only: bool = False) -> list[User]:
    """Active people who can see a company's portal: its users, its parent's, assigned staff."""
    company = session.get(Company, company_id)
    ids = [company_id] + ([company.parent_id] if company and company.parent_id else [])
    who = User.is_staff if staff_only else or_(User.is_staff, User.company_id.in_(ids))  # type: ignore[union-attr]
    people = session.exec(select(User).where(User.is_active, who)).all()  # type: ignore[arg-type]
    staff_ids = [u.id for u in people if u.is_staff]
    if not staff_ids:
        return [u for u in people if not u.is_staff]
    managers = set(
        session.exec(
            select(PortalManager.user_id).where(
                PortalManager.company_id.in_(ids),  # type: ignore[attr-defined]
                PortalManager.user_id.in_(staff_ids),  # type: ignore[attr-defined]
            )
        ).all()
    )
    grants: dict[int, list[str]] = {}
    for uid, perms in session.exec(
        select(UserRole.user_id, Role.permissions)
        .join(Role, Role.id == UserRole.role_id)
        .where(UserRole.user_id.in_(staff_ids))  # type: ignore[attr-defined]
    ).all():
        grants.setdefault(uid, []).extend(perms or [])
    return [
        u
        for u in people
        if not u.is_staff or u.id in managers or has_node(grants.get(u.id, []), "portal.all")  # type: ignore[arg-type]
    ]


def resolve_mentions(tokens: set[str], audience: list[User]) -> set[int]:
    """Users named by ``@email``, ``@FullName``/``@full.name`` or an unambiguous ``@FirstName``."""
    found: set[int] = set()
    for token in tokens:
        exact = [
            u
            for u in audience
            if token
            in {
                u.email.lower(),
                u.email.split("@", 1)[0].lower(),
                u.name.replace(" ", "").lower(),
                u.name.replace(" ", ".").lower(),
            }
        ]
        if not exact:
            exact = [u for u in audience if u.name and u.name.split()[0].lower() == token]
            if len(exact) > 1:
                continue
        found.update(u.id for u in exact if u.id is not None)
    return found


def _note_url(session: Session, note: Note) -> str:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == note.company_id)).first()
    query = f"?project={note.resource_id}" if note.resource_type == "project" else ""
    return f"/p/{slug}/notes{query}#note-{note.id}"


def _notify_people(
    session: Session,
    *,
    actor: Actor,
    note: Note,
    label: str,
    mentioned_tokens: set[str],
    reply_to: Note | None,
) -> None:
    audience = portal_audience(session, note.company_id, staff_only=note.is_internal)
    allowed = {u.id for u in audience}
    mentioned = resolve_mentions(mentioned_tokens, audience) if mentioned_tokens else set()
    url = _note_url(session, note)
    excerpt = plain_excerpt(note.body)
    who = actor.label or "Someone"
    if mentioned:
        notify(
            session,
            user_ids=mentioned,
            type="note_mention",
            title=f"{who} mentioned you on {label}",
            body=excerpt,
            url=url,
            company_id=note.company_id,
            actor=actor,
        )
    if reply_to is not None:
        followers = {reply_to.author_id} - mentioned
        followers &= allowed
        if followers:
            notify(
                session,
                user_ids=followers,
                type="note_reply",
                title=f"{who} replied to your note on {label}",
                body=excerpt,
                url=url,
                company_id=note.company_id,
                actor=actor,
            )


def create_note(
    session: Session,
    *,
    actor: Actor,
    company_ids: list[int],
    body: str,
    resource_type: str = "project",
    resource_id: Any = None,
    parent_id: Any = None,
    is_internal: bool = False,
) -> Note:
    """Start a thread on a resource, or reply to one (``parent_id``). Collaborators and staff."""
    if not (actor.can("portal.write") or actor.is_staff):
        raise Forbidden()
    text = _clean_body(body)
    parent: Note | None = None
    if parent_id not in (None, ""):
        parent = get_note(session, actor=actor, company_ids=company_ids, note_id=parent_id)
        if parent.parent_id is not None:  # one level of threading: replies join the thread
            parent = session.get(Note, parent.parent_id)
        if parent is None:
            raise NotFound()
        company_id, resource_type, resource_id = (
            parent.company_id,
            parent.resource_type,
            parent.resource_id,
        )
        label = _labels(session, [(resource_type, resource_id)]).get(
            (resource_type, resource_id), resource_type
        )
        internal = parent.is_internal or (is_internal and actor.is_staff)
    else:
        company_id, label = _resource(session, actor, company_ids, resource_type, resource_id)
        internal = bool(is_internal) and actor.is_staff
    if is_internal and not actor.is_staff:
        raise Forbidden("Only staff can write internal notes.")
    note = Note(
        company_id=company_id,
        resource_type=resource_type,
        resource_id=int(resource_id),
        parent_id=parent.id if parent else None,
        author_id=actor.user_id,
        body=text,
        is_internal=internal,
    )
    session.add(note)
    session.flush()
    verb = "replied on" if parent else "posted a note on"
    activity.record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.message_sent,
        object_type="internal_note" if internal else "note",
        object_id=note.id,
        object_label=label,
        description=f"{actor.label or 'Someone'} {verb} {label}",
    )
    _notify_people(
        session,
        actor=actor,
        note=note,
        label=label,
        mentioned_tokens=mention_tokens(text),
        reply_to=parent,
    )
    return note


def own_note(session: Session, actor: Actor, company_ids: list[int], note_id: Any) -> Note:
    """A live note the actor wrote (someone else's is a 403, an invisible one a 404)."""
    note = get_note(session, actor=actor, company_ids=company_ids, note_id=note_id)
    if note.deleted_at is not None:
        raise NotFound()
    if actor.user_id is None or note.author_id != actor.user_id:
        raise Forbidden("You can only change your own notes.")
    return note


def update_note(
    session: Session, *, actor: Actor, company_ids: list[int], note_id: Any, body: str
) -> Note:
    """Edit your own note; people newly mentioned by the edit are notified."""
    note = own_note(session, actor, company_ids, note_id)
    text = _clean_body(body)
    new_tokens = mention_tokens(text) - mention_tokens(note.body)
    note.body = text
    note.edited_at = utcnow()
    session.add(note)
    session.flush()
    if new_tokens:
        label = _labels(session, [(note.resource_type, note.resource_id)]).get(
            (note.resource_type, note.resource_id), note.resource_type
        )
        _notify_people(
            session, actor=actor, note=note, label=label, mentioned_tokens=new_tokens, reply_to=None
        )
    return note


def delete_note(session: Session, *, actor: Actor, company_ids: list[int], note_id: Any) -> Note:
    """Delete your own note (soft: a thread keeps its replies)."""
    note = own_note(session, actor, company_ids, note_id)
    note.deleted_at = utcnow()
    session.add(note)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=note.company_id,
        action=Action.note_deleted,
        object_type="internal_note" if note.is_internal else "note",
        object_id=note.id,
        description=f"{actor.label or 'Someone'} deleted a note",
    )
    return note


def list_notes(
    session: Session, *, actor: Actor, company_ids: list[int], limit: int = API_LIMIT
) -> list[tuple[Note, str]]:
    """Newest visible notes across the group (worker API: at most 100), with author names."""
    rows = session.exec(
        _visible(select(Note, User), actor, company_ids)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Note.created_at.desc(), Note.id.desc())  # type: ignore[union-attr]
        .limit(min(max(1, limit), API_LIMIT))
    ).all()
    return [(n, u.display_name if u else "") for n, u in rows]


def newest_active_project_id(session: Session, *, company_id: int) -> int | None:
    """Where a message without a resource goes: the company's newest active project."""
    return session.exec(
        select(Project.id)
        .where(Project.company_id == company_id, Project.status == "active")
        .order_by(Project.created_at.desc(), Project.id.desc())  # type: ignore[union-attr]
    ).first()
