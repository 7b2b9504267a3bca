"""Helpers that build the Feedback board through its services (real state, real counters)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal.models import Company, FeedbackPost, FeedbackStatus, User
from portal.models.feedback import CategoryCreate, CommentCreate, PostCreate, PostUpdate
from portal.tenancy import Actor, actor_for_user
from services.feedback import comments, posts, taxonomy


def board_actor(db: Session, user: User, company: Company) -> Actor:
    """``user`` as a page of ``company``'s portal sees it (narrowed to that company)."""
    return actor_for_user(db, user).narrowed([company.id])  # type: ignore[list-item]


def status_id(db: Session, name: str) -> int:
    return db.exec(select(FeedbackStatus.id).where(FeedbackStatus.name == name)).one()  # type: ignore[return-value]


def make_post(
    db: Session,
    user: User,
    company: Company,
    title: str = "Export reports as PDF",
    *,
    status: str | None = None,
    staff: User | None = None,
    **fields: Any,
) -> FeedbackPost:
    """An idea by ``user``; ``status`` (a name) is set afterwards by ``staff``."""
    post = posts.create_post(
        session=db,
        actor=board_actor(db, user, company),
        company_id=company.id,  # type: ignore[arg-type]
        data=PostCreate(title=title, **fields),
    )
    if status is not None:
        assert staff is not None, "moving an idea needs a staff user"
        posts.update_post(
            session=db,
            actor=board_actor(db, staff, company),
            key=post.key,
            data=PostUpdate(status_id=status_id(db, status)),
        )
    db.refresh(post)
    return post


def make_category(db: Session, staff: User, company: Company, name: str, color: str = "#ABDEE6"):  # noqa: ANN201
    return taxonomy.create_category(
        session=db,
        actor=board_actor(db, staff, company),
        company_id=company.id,  # type: ignore[arg-type]
        data=CategoryCreate(name=name, color=color),
    )


def make_comment(
    db: Session, user: User, company: Company, post: FeedbackPost, text: str, **kw: Any
):  # noqa: ANN201
    return comments.create_comment(
        session=db,
        actor=board_actor(db, user, company),
        key=post.key,
        data=CommentCreate(comment=text, **kw),
    )


def make_widget(
    db: Session,
    staff: User,
    company: Company,
    name: str = "Website",
    origins: list[str] | None = None,
):  # noqa: ANN201
    from portal.models.feedback import WidgetCreate
    from services.feedback import widgets

    return widgets.create_widget(
        session=db,
        actor=board_actor(db, staff, company),
        company_id=company.id,  # type: ignore[arg-type]
        data=WidgetCreate(name=name, allowed_origins=origins or ["https://www.example.test"]),
    )


def make_entry(db: Session, company: Company, widget: Any, text: str, type: str = "idea"):  # noqa: ANN201, A002
    """Feedback as a visitor sends it through ``widget``."""
    from portal.models.feedback import EntryCreate
    from services.feedback import widgets

    return widgets.submit_from_widget(
        session=db, widget=widget, data=EntryCreate(type=type, feedback=text)
    )


def make_section(db: Session, staff: User, company: Company, title: str, **fields: Any):  # noqa: ANN201
    from portal.models.feedback import SectionCreate
    from services.feedback import sections

    return sections.create_section(
        session=db,
        actor=board_actor(db, staff, company),
        company_id=company.id,  # type: ignore[arg-type]
        data=SectionCreate(title=title, **fields),
    )


def make_vision(db: Session, staff: User, company: Company, text: str):  # noqa: ANN201
    from portal.models.feedback import VisionUpdate
    from services.feedback import vision

    return vision.save_vision(
        session=db,
        actor=board_actor(db, staff, company),
        company_id=company.id,  # type: ignore[arg-type]
        data=VisionUpdate(vision=text),
    )
