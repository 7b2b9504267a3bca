"""Notes: threaded discussion on projects (and deliverables, invoices, budgets), SPEC §5.5.

Client-visible notes are seen by everyone in the portal; internal notes by staff only
(``Note.__staff_only__``, applied by ``scoped()``). Every function takes the actor already
narrowed to the portal it works in. Bodies are markdown, rendered through ``portal.text``
(sanitised). ``@Name`` / ``@email`` mentions notify the people they name (``note_mention``); a
reply notifies the thread's author (``note_reply``). Every page of threads is built in a fixed
number of queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup
from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    NOTE_RESOURCE_TYPES,
    ClientRole,
    Company,
    Deliverable,
    Note,
    Portal,
    Project,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.note import NOTE_MAX_BODY, NoteCreate, NoteUpdate
from portal.tenancy import Actor, get_for_actor, require_client_role, scoped, staff_seeing_company
from portal.text import MENTION_RE, plain_excerpt, render_markdown
from portal.web.pagination import Page, paginate
from services.events import activity
from services.events.notifications import notify
from services.portals.admin import get_portal

MAX_BODY = NOTE_MAX_BODY
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
    def id(self) -> int | None:
        return self.note.id


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
    """One page of threads (newest first), the group's projects and the project filter."""

    listing: Page[Thread]
    projects: list[tuple[int, str]]
    project_id: int | None
    project_name: str | None
    editing: int | None = None  # the note whose inline editor is open

    @property
    def threads(self) -> list[Thread]:
        return list(self.listing.items)


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
            select(model.id, getattr(model, attr)).where(col(model.id).in_(sorted(ids)))
        ).all()
        labels.update({(rtype, rid): str(label) for rid, label in rows})
    return labels


def _label(session: Session, resource_type: str, resource_id: int) -> str:
    return _labels(session, [(resource_type, resource_id)]).get(
        (resource_type, resource_id), resource_type
    )


def _group_projects(session: Session, actor: Actor) -> list[tuple[int, str]]:
    rows = session.exec(
        scoped(select(Project.id, Project.name), actor, Project)
        .order_by(col(Project.name))
        .limit(200)
    ).all()
    return [(pid, name) for pid, name in rows if pid is not None]


def notes_view(
    session: Session,
    *,
    actor: Actor,
    project_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> NotesView:
    """A page of threads (newest first) with their replies, authors and resource names."""
    reply = aliased(Note)
    live_reply = scoped(select(reply.id), actor, reply).where(
        reply.parent_id == Note.id, col(reply.deleted_at).is_(None)
    )
    conds = [
        col(Note.parent_id).is_(None),
        or_(col(Note.deleted_at).is_(None), exists(live_reply)),
    ]
    if project_id is not None:
        conds += [col(Note.resource_type) == "project", col(Note.resource_id) == project_id]
    rows: Page[tuple[Note, User | None]] = paginate(
        session,
        scoped(select(Note, User), actor, Note)
        .where(*conds)
        .outerjoin(User, col(User.id) == Note.author_id)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc()),
        page=page,
        per_page=per_page,
        scalars=False,
    )
    listing = rows.map(lambda row: Thread(root=_item(*row)))
    _attach_replies(session, actor, listing.items)
    projects = _group_projects(session, actor)
    # the project list doubles as the label source: only unknown resources cost a query
    labels = {("project", pid): name for pid, name in projects}
    labels.update(
        _labels(session, {(t.resource_type, t.resource_id) for t in listing} - set(labels))
    )
    for t in listing:
        t.resource_label = labels.get((t.resource_type, t.resource_id), t.resource_type.title())
    project_name = next((name for pid, name in projects if pid == project_id), None)
    if project_id is not None and project_name is None:
        raise NotFound()
    return NotesView(
        listing=listing, projects=projects, project_id=project_id, project_name=project_name
    )


def resource_threads(
    session: Session, *, actor: Actor, resource_type: str, resource_id: int, limit: int = 50
) -> list[Thread]:
    """The discussion on one resource (an invoice's notes), oldest thread first, with replies."""
    reply = aliased(Note)
    live_reply = scoped(select(reply.id), actor, reply).where(
        reply.parent_id == Note.id, col(reply.deleted_at).is_(None)
    )
    rows = session.exec(
        scoped(select(Note, User), actor, Note)
        .outerjoin(User, col(User.id) == Note.author_id)
        .where(
            col(Note.parent_id).is_(None),
            col(Note.resource_type) == resource_type,
            col(Note.resource_id) == resource_id,
            or_(col(Note.deleted_at).is_(None), exists(live_reply)),
        )
        .order_by(col(Note.created_at), col(Note.id))
        .limit(limit)
    ).all()
    threads = [Thread(root=_item(note, author)) for note, author in rows]
    _attach_replies(session, actor, threads)
    if threads:
        label = _label(session, resource_type, resource_id)
        for t in threads:
            t.resource_label = label
    return threads


def note_page(session: Session, *, actor: Actor, note_id: int, editing: bool = False) -> NotesView:
    """The notes page around one note (its project's discussion), optionally editing it."""
    reader = own_note if editing else get_note
    note = reader(session, actor=actor, note_id=note_id)
    project_id = note.resource_id if note.resource_type == "project" else None
    view = notes_view(session, actor=actor, project_id=project_id)
    return replace(view, editing=note_id if editing else None)


def _attach_replies(session: Session, actor: Actor, threads: Iterable[Thread]) -> None:
    by_id = {t.root.id: t for t in threads}
    if not by_id:
        return
    rows = session.exec(
        scoped(select(Note, User), actor, Note)
        .outerjoin(User, col(User.id) == Note.author_id)
        .where(col(Note.parent_id).in_(sorted(i for i in by_id if i is not None)))
        .where(col(Note.deleted_at).is_(None))
        .order_by(col(Note.created_at), col(Note.id))
    ).all()
    for note, author in rows:
        by_id[note.parent_id].replies.append(_item(note, author))


def get_note(session: Session, *, actor: Actor, note_id: Any) -> Note:
    """A note the actor may read (internal notes do not exist for clients)."""
    return get_for_actor(session, Note, note_id, actor)


def thread_for(session: Session, *, actor: Actor, note_id: Any, editing: bool = False) -> Thread:
    """The whole thread a note belongs to (for HTMX fragments); ``editing``: your own note."""
    note = (own_note if editing else get_note)(session, actor=actor, note_id=note_id)
    root = note if note.parent_id is None else session.get(Note, note.parent_id)
    if root is None:
        raise NotFound()
    author = session.get(User, root.author_id) if root.author_id else None
    thread = Thread(root=_item(root, author))
    _attach_replies(session, actor, [thread])
    thread.resource_label = _labels(session, [(thread.resource_type, thread.resource_id)]).get(
        (thread.resource_type, thread.resource_id), ""
    )
    return thread


# Writes -------------------------------------------------------------------------------------


def _resource(
    session: Session, actor: Actor, resource_type: str, resource_id: int | None
) -> tuple[int, int, str]:
    """(company_id, id, label) of the resource a new thread attaches to."""
    entry = RESOURCE_MODELS.get(resource_type)
    if entry is None:
        raise Invalid(errors={"resource_type": ["Notes can be added to projects."]})
    if resource_id is None:
        raise Invalid(errors={"resource_id": ["Choose what this note is about."]})
    model, attr = entry
    obj = get_for_actor(session, model, resource_id, actor)
    return obj.company_id, obj.id, str(getattr(obj, attr))


def mention_tokens(body: str) -> set[str]:
    return {m.group(1).rstrip(".-_").lower() for m in MENTION_RE.finditer(body or "")}


def portal_audience(session: Session, company_id: int, *, staff_only: bool = False) -> list[User]:
    """Active people who can see a company's portal: its users, its parent's, assigned staff."""
    company = session.get(Company, company_id)
    ids = [company_id] + ([company.parent_id] if company and company.parent_id else [])
    who = (
        col(User.is_staff).is_(True)
        if staff_only
        else or_(col(User.is_staff).is_(True), col(User.company_id).in_(ids))
    )
    people = session.exec(select(User).where(col(User.is_active).is_(True), who)).all()
    seeing = staff_seeing_company(
        session, company_id=company_id, user_ids=[u.id for u in people if u.is_staff and u.id]
    )
    return [u for u in people if not u.is_staff or u.id in seeing]


@dataclass(frozen=True)
class MentionCandidate:
    """A person offered by the @mention autocomplete, with the token that names them."""

    user_id: int
    name: str
    company: str  # their company ("" for staff: the page names the agency)
    token: str  # what to insert after "@": resolve_mentions() names exactly this person


MENTION_LIMIT = 8
_PLAIN_NAME = re.compile(r"[A-Za-z][\w.-]*[A-Za-z0-9]")


def mention_candidates(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    query: str,
    internal: bool = False,
) -> list[MentionCandidate]:
    """People whose name or email contains ``query``, among those who can see ``company_id``'s
    portal (``portal_audience``: a foreign tenant's people or unassigned staff never appear);
    staff only for an internal note. A fixed number of queries, at most ``MENTION_LIMIT``."""
    company = get_for_actor(session, Company, company_id, actor)
    needle = query.strip().lstrip("@").lower()
    if not needle:
        return []
    audience = portal_audience(session, company.id, staff_only=internal and actor.is_staff)  # type: ignore[arg-type]
    names = {
        c.id: c.name
        for c in session.exec(
            select(Company).where(
                col(Company.id).in_({u.company_id for u in audience if u.company_id is not None})
            )
        ).all()
    }

    def rank(u: User) -> tuple[int, str]:
        words = [w.lower() for w in u.name.split()] + [u.email.lower()]
        return (0 if any(w.startswith(needle) for w in words) else 1, u.display_name.lower())

    found = sorted(
        (u for u in audience if needle in u.name.lower() or needle in u.email.lower()), key=rank
    )[:MENTION_LIMIT]
    out = []
    for u in found:
        dotted = u.name.replace(" ", ".")
        token = dotted if _PLAIN_NAME.fullmatch(dotted) else u.email
        if u.id is None or resolve_mentions({token.lower()}, audience) != {u.id}:
            token = u.email  # an ambiguous name: the address names them alone
        company_name = "" if u.is_staff else names.get(u.company_id or 0, "")
        out.append(MentionCandidate(u.id or 0, u.display_name, company_name, token))
    return out


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


def notify_mentions(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    tokens: set[str],
    type: str,  # noqa: A002 - the notification type, as notify()
    label: str,
    body: str,
    url: str | None,
    staff_only: bool = False,
    audience: list[User] | None = None,
    skip: set[int] | None = None,
) -> set[int]:
    """Notify the people ``@tokens`` name (``mention_tokens``) among those who can see the item
    (``portal_audience``; staff only for an internal or private one), once each, never the
    author nor anyone in ``skip`` (told about this write otherwise). The one mention mechanism of
    notes, task comments and deliverable comments; returns who was named."""
    if not tokens:
        return set()
    if audience is None:
        audience = portal_audience(session, company_id, staff_only=staff_only)
    mentioned = resolve_mentions(tokens, audience) - {actor.user_id} - (skip or set())
    if mentioned:
        notify(
            session,
            user_ids=mentioned,
            type=type,
            title=f"{actor.label or 'Someone'} mentioned you on {label}",
            body=plain_excerpt(body),
            url=url,
            company_id=company_id,
            actor=actor,
        )
    return mentioned


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
    url = _note_url(session, note)
    excerpt = plain_excerpt(note.body)
    who = actor.label or "Someone"
    mentioned = notify_mentions(
        session,
        actor=actor,
        company_id=note.company_id,
        tokens=mentioned_tokens,
        type="note_mention",
        label=label,
        body=note.body,
        url=url,
        audience=audience,
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


def create_note(session: Session, *, actor: Actor, data: NoteCreate) -> Note:
    """Start a thread on a resource, or reply to one (``parent_id``). Collaborators and staff."""
    require_client_role(actor, ClientRole.collaborator)
    parent: Note | None = None
    if data.parent_id is not None:
        parent = get_note(session, actor=actor, note_id=data.parent_id)
        if parent.parent_id is not None:  # one level of threading: replies join the thread
            parent = session.get(Note, parent.parent_id)
        if parent is None:
            raise NotFound()
        company_id, resource_type, resource_id = (
            parent.company_id,
            parent.resource_type,
            parent.resource_id,
        )
        label = _label(session, resource_type, resource_id)
    else:
        resource_type = data.resource_type
        company_id, resource_id, label = _resource(session, actor, resource_type, data.resource_id)
    if data.is_internal and not actor.is_staff:
        raise Forbidden("Only staff can write internal notes.")
    internal = data.is_internal or (parent is not None and parent.is_internal)
    note = Note(
        company_id=company_id,
        resource_type=resource_type,
        resource_id=resource_id,
        parent_id=parent.id if parent else None,
        author_id=actor.user_id,
        body=data.body,
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
        mentioned_tokens=mention_tokens(data.body),
        reply_to=parent,
    )
    return note


def own_note(session: Session, *, actor: Actor, note_id: Any) -> Note:
    """A live note the actor wrote (someone else's is a 403, an invisible one a 404)."""
    require_client_role(actor, ClientRole.collaborator, "You can look, but not change things here.")
    note = get_note(session, actor=actor, note_id=note_id)
    if note.deleted_at is not None:
        raise NotFound()
    if actor.user_id is None or note.author_id != actor.user_id:
        raise Forbidden("You can only change your own notes.")
    return note


def update_note(session: Session, *, actor: Actor, note_id: Any, data: NoteUpdate) -> Note:
    """Edit your own note; people newly mentioned by the edit are notified."""
    note = own_note(session, actor=actor, note_id=note_id)
    new_tokens = mention_tokens(data.body) - mention_tokens(note.body)
    note.body = data.body
    note.edited_at = utcnow()
    session.add(note)
    session.flush()
    if new_tokens:
        label = _label(session, note.resource_type, note.resource_id)
        _notify_people(
            session, actor=actor, note=note, label=label, mentioned_tokens=new_tokens, reply_to=None
        )
    return note


def delete_note(session: Session, *, actor: Actor, note_id: Any) -> Note:
    """Delete your own note (soft: a thread keeps its replies)."""
    note = own_note(session, actor=actor, note_id=note_id)
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


def list_notes(session: Session, *, actor: Actor, limit: int = API_LIMIT) -> list[tuple[Note, str]]:
    """Newest visible notes across the group (worker API: at most 100), with author names."""
    rows = session.exec(
        scoped(select(Note, User), actor, Note)
        .outerjoin(User, col(User.id) == Note.author_id)
        .where(col(Note.deleted_at).is_(None))
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(min(max(1, limit), API_LIMIT))
    ).all()
    return [(n, u.display_name if u else "") for n, u in rows]


def post_portal_message(
    session: Session, *, actor: Actor, portal_id: int, data: NoteCreate
) -> Note:
    """A note on one of a portal's projects (default: its newest active project), or a reply."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    here = actor.narrowed([portal.company_id])
    if data.resource_id is None and data.parent_id is None:
        newest = session.exec(
            scoped(select(Project.id), here, Project)
            .where(Project.status == "active")
            .order_by(col(Project.created_at).desc(), col(Project.id).desc())
        ).first()
        if newest is None:
            raise Invalid(errors={"project_id": ["This portal has no active project yet."]})
        data = data.model_copy(update={"resource_type": "project", "resource_id": newest})
    return create_note(session, actor=here, data=data)
