"""Embeddable feedback widgets: a board's widget is a small script a client puts on its own
site; it opens ``/widget/<key>`` in an iframe, which only the widget's listed origins may frame
(``frame-ancestors``). What a visitor sends there is a raw feedback entry on the board."""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import FeedbackWidget, Portal
from portal.models.base import utcnow
from portal.models.feedback import EntryCreate, FeedbackEntry, WidgetCreate, WidgetUpdate
from portal.tenancy import Actor, scoped
from services.feedback import require_board_manager
from services.feedback.entries import record_entry
from services.feedback.taxonomy import can_manage_categories

KEY_BYTES = 12  # 16 URL-safe characters


def _require_reader(actor: Actor) -> None:
    if not can_manage_categories(actor):
        raise NotFound("No such widget.")


def list_widgets(*, session: Session, actor: Actor) -> list[FeedbackWidget]:
    """The widgets of the boards the actor organises (staff, client admins), oldest first."""
    _require_reader(actor)
    return list(
        session.exec(
            scoped(select(FeedbackWidget), actor, FeedbackWidget).order_by(
                col(FeedbackWidget.created_at), col(FeedbackWidget.id)
            )
        ).all()
    )


def get_widget(*, session: Session, actor: Actor, key: str) -> FeedbackWidget:
    """A widget the actor may see, by its key (anything else is a 404)."""
    _require_reader(actor)
    widget = session.exec(
        scoped(select(FeedbackWidget).where(FeedbackWidget.key == key), actor, FeedbackWidget)
    ).first()
    if widget is None:
        raise NotFound("No such widget.")
    return widget


def create_widget(
    *, session: Session, actor: Actor, company_id: int, data: WidgetCreate
) -> FeedbackWidget:
    """A new widget on ``company_id``'s board (the agency lists the sites that may show it)."""
    require_board_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound("No such board.")
    widget = FeedbackWidget(
        key=secrets.token_urlsafe(KEY_BYTES),
        company_id=company_id,
        name=data.name,
        allowed_origins="\n".join(data.allowed_origins),
    )
    session.add(widget)
    session.flush()
    return widget


def update_widget(
    *, session: Session, actor: Actor, key: str, data: WidgetUpdate
) -> FeedbackWidget:
    widget = get_widget(session=session, actor=actor, key=key)
    require_board_manager(actor)
    if data.name is not None:
        widget.name = data.name
    if data.allowed_origins is not None:
        widget.allowed_origins = "\n".join(data.allowed_origins)
    widget.updated_at = utcnow()
    session.add(widget)
    session.flush()
    return widget


def delete_widget(*, session: Session, actor: Actor, key: str) -> None:
    """The widget stops answering; what it collected stays (its entries lose the link)."""
    widget = get_widget(session=session, actor=actor, key=key)
    require_board_manager(actor)
    session.delete(widget)
    session.flush()


# The public side: the iframe page ----------------------------------------------------------


def embedded_widget(*, session: Session, key: str) -> tuple[FeedbackWidget, Portal]:
    """The widget behind ``/widget/<key>`` and its portal (for the name and colours), or 404:
    the page is public, the key is the only thing that names a board."""
    if not isinstance(key, str) or not 8 <= len(key) <= 24:
        raise NotFound("No such widget.")
    row = session.exec(
        select(FeedbackWidget, Portal)
        .join(Portal, col(Portal.company_id) == col(FeedbackWidget.company_id))
        .where(FeedbackWidget.key == key)
    ).first()
    if row is None:
        raise NotFound("No such widget.")
    return row[0], row[1]


def submit_from_widget(
    *, session: Session, widget: FeedbackWidget, data: EntryCreate
) -> FeedbackEntry:
    """A visitor's feedback through the widget: an anonymous entry on the widget's board."""
    return record_entry(
        session=session,
        company_id=widget.company_id,
        data=data,
        user_id=None,
        source="widget",
        widget_id=widget.id,
    )
