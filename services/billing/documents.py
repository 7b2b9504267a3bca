"""What invoices and budgets share: the billing-document base.

A billing document belongs to a company (optionally one of its projects), is drafted and edited
by staff while it is a draft (the client never sees a draft), carries numbered lines replaced as
a whole, is locked while it changes state, opens a notes thread and links to its page in the
company's portal. Invoices (``services.billing``) and budgets (``services.billing.budgets``)
add their own statuses and arithmetic on top; their read sides share the detail and line
queries below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, delete, select

from portal.errors import Conflict, Invalid, NotFound
from portal.models import Company, Note, Portal, Project, User
from portal.models.base import utcnow
from portal.models.note import NoteCreate
from portal.tenancy import Actor, scoped
from services import notes

Doc = TypeVar("Doc", bound=SQLModel)


def lock(session: Session, document: Doc) -> Doc:
    """Re-read under a row lock: two state changes (a payment and a void, two decisions) apply
    in turn."""
    session.refresh(document, with_for_update=True)
    return document


def check_project(session: Session, project_id: int | None, company_id: int) -> None:
    if project_id is None:
        return
    project = session.get(Project, project_id)
    if project is None or project.company_id != company_id:
        raise Invalid(errors={"project_id": ["Pick a project of this company."]})


def check_new_document(
    session: Session, *, actor: Actor, company_id: int, project_id: int | None
) -> None:
    """A new document goes to a company the actor sees, and to one of its projects."""
    if not actor.can_see_company(company_id) or session.get(Company, company_id) is None:
        raise NotFound()
    check_project(session, project_id, company_id)


def stored_lines(session: Session, owner: Any, owner_id: int) -> list[Any]:
    """A document's lines in order; ``owner`` is the line model's column naming the document
    (``InvoiceLine.invoice_id``)."""
    line_model = owner.class_
    return list(
        session.exec(
            select(line_model).where(owner == owner_id).order_by(col(line_model.position))
        ).all()
    )


def replace_lines(session: Session, owner: Any, owner_id: int, lines: Sequence[SQLModel]) -> None:
    """Every line of the document replaced by ``lines`` (already numbered)."""
    session.exec(delete(owner.class_).where(owner == owner_id))
    session.add_all(lines)


def has_lines(session: Session, owner: Any, owner_id: int) -> bool:
    found = session.exec(select(owner.class_.id).where(owner == owner_id).limit(1)).first()
    return found is not None


def edit_draft(
    session: Session,
    document: Any,
    data: Any,
    *,
    text_fields: tuple[str, ...],
    current_lines: Callable[[], list[Any]],
    set_lines: Callable[[list[Any]], None],
) -> None:
    """Apply an edit of a draft (only the fields sent): its project, its text fields, its
    currency (the lines are priced again in it) and its lines (``lines`` replaces them all)."""
    if "project_id" in data.model_fields_set:
        check_project(session, data.project_id, document.company_id)
        document.project_id = data.project_id
    for name in text_fields:
        value = getattr(data, name)
        if value is not None:
            setattr(document, name, value)
    lines = data.lines
    if data.currency and data.currency != document.currency:
        document.currency = data.currency
        lines = lines if lines is not None else current_lines()
    if lines is not None:
        set_lines(lines)
    document.updated_at = utcnow()
    session.add(document)
    session.flush()


def contact_ids(session: Session, company_id: int) -> list[int]:
    """The company's active people: who hears of a document shown to them."""
    rows = session.exec(
        select(User.id).where(User.company_id == company_id, col(User.is_active))
    ).all()
    return [r for r in rows if r is not None]


def portal_path(session: Session, company_id: int, path: str) -> str | None:
    """``/p/<slug>/<path>`` in the company's portal (None when it has none)."""
    slug = session.exec(select(Portal.slug).where(Portal.company_id == company_id)).first()
    return f"/p/{slug}/{path}" if slug else None


def add_note(
    session: Session,
    *,
    actor: Actor,
    resource_type: str,
    document: SQLModel,
    shown: bool,
    data: NoteCreate,
    refusal: str,
    code: str,
) -> Note:
    """Start a thread on a document (the notes service does the rest). While the client cannot
    see the document (``shown`` False) only internal notes: ``refusal`` says so."""
    if not shown and not data.is_internal:
        raise Conflict(refusal, code=code)
    thread = data.model_copy(
        update={
            "resource_type": resource_type,
            "resource_id": getattr(document, "id"),  # noqa: B009
            "parent_id": None,
        }
    )
    return notes.create_note(session, actor=actor, data=thread)


# Read side -----------------------------------------------------------------------------------


def document_with_names(
    session: Session, *, actor: Actor, model: Any, document_id: int
) -> tuple[Any, Company, Project | None]:
    """The document (of ``model``: Invoice, Budget) with its company and project, in one query;
    404 when the actor may not see it (a client asking for a draft included)."""
    row = session.exec(
        scoped(
            select(model, Company, Project)
            .join(Company, col(Company.id) == model.company_id)
            .outerjoin(Project, col(Project.id) == model.project_id),
            actor,
            model,
        ).where(model.id == document_id)
    ).first()
    if row is None:
        raise NotFound()
    invoice_or_budget, company, project = row
    return invoice_or_budget, company, project


def visible_lines(session: Session, *, actor: Actor, owner: Any, owner_id: int) -> list[Any]:
    """A document's lines as the actor may see them, in order."""
    line_model = owner.class_
    return list(
        session.exec(
            scoped(select(line_model), actor, line_model)
            .where(owner == owner_id)
            .order_by(col(line_model.position), col(line_model.id))
        ).all()
    )
