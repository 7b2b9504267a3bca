"""Rows of ideas as every view shows them: the one query that lists posts (scoped, searched,
filtered, sorted, with the author and whether the visitor voted), and the few that complete a
page of them at once (categories, tags); the API's pages; similar ideas while typing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import false, func, literal, literal_column, or_, union_all
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import (
    FeedbackCategory,
    FeedbackPost,
    FeedbackPostCategory,
    FeedbackPostTag,
    FeedbackStatus,
    FeedbackTag,
    FeedbackVote,
    Portal,
    User,
)
from portal.models.base import utcnow
from portal.models.feedback import Moderation, StatusTab
from portal.tenancy import Actor, scoped
from portal.text import plain_excerpt
from portal.web.pagination import count
from services.feedback import KEY_RE, all_statuses, can_manage_board
from services.feedback.taxonomy import list_categories

SORTS: tuple[str, ...] = ("trending", "top", "newest")
TRENDING_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class PostRow:
    post: FeedbackPost
    author: User | None
    status: FeedbackStatus
    categories: list[FeedbackCategory]
    tags: list[str]
    voted: bool

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author else "Former user"

    @property
    def excerpt(self) -> str:
        return plain_excerpt(self.post.description, 160)

    @property
    def voteable(self) -> bool:
        return (
            self.post.is_published
            and self.post.moderation_status == Moderation.approved.value
            and self.status.tab != StatusTab.changelog.value
        )


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category_id: int | None = None
    status_id: int | None = None
    tag_id: int | None = None
    sort: str = "trending"

    @property
    def active(self) -> bool:
        return bool(self.q or self.category_id or self.status_id or self.tag_id)

    def params(self, **changes: Any) -> dict[str, Any]:
        """The listing's query arguments (for links and the pager), empty ones left out."""
        values = {
            "q": self.q or None,
            "category": self.category_id,
            "status": self.status_id,
            "tag": self.tag_id,
            "sort": self.sort if self.sort != "trending" else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def posts_stmt(
    actor: Actor,
    filters: Filters,
    *,
    status_ids: Sequence[int] | None = None,
    order_by: str | None = None,
    descending: bool = True,
) -> Any:
    """Rows of (post, author, "the visitor voted") the actor sees (a portal
    narrows it to one board), filtered and sorted; the API passes its own ``order_by``."""
    voted: Any = false()
    if actor.user_id is not None:
        voted = (
            select(FeedbackVote.id)
            .where(
                col(FeedbackVote.post_id) == col(FeedbackPost.id),
                col(FeedbackVote.user_id) == actor.user_id,
            )
            .correlate(FeedbackPost)
            .exists()
        )
    stmt = scoped(
        select(FeedbackPost, User, voted.label("voted")).join(
            User, col(User.id) == col(FeedbackPost.author_id), isouter=True
        ),
        actor,
        FeedbackPost,
    )
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        stmt = stmt.where(
            or_(
                col(FeedbackPost.title).ilike(pattern, escape="\\"),
                col(FeedbackPost.description).ilike(pattern, escape="\\"),
            )
        )
    if filters.category_id:
        stmt = stmt.where(
            col(FeedbackPost.id).in_(
                select(FeedbackPostCategory.post_id).where(
                    FeedbackPostCategory.category_id == filters.category_id
                )
            )
        )
    if filters.tag_id and can_manage_board(actor):
        stmt = stmt.where(
            col(FeedbackPost.id).in_(
                select(FeedbackPostTag.post_id).where(FeedbackPostTag.tag_id == filters.tag_id)
            )
        )
    if filters.status_id:
        stmt = stmt.where(FeedbackPost.status_id == filters.status_id)
    if status_ids is not None:
        stmt = stmt.where(col(FeedbackPost.status_id).in_(list(status_ids) or [0]))
    if order_by is not None:
        column = getattr(FeedbackPost, order_by)
        primary = col(column).desc() if descending else col(column).asc()
        return stmt.order_by(primary, col(FeedbackPost.id).desc())
    newest = (col(FeedbackPost.created_at).desc(), col(FeedbackPost.id).desc())
    if filters.sort == "newest":
        return stmt.order_by(*newest)
    if filters.sort == "top":
        return stmt.order_by(col(FeedbackPost.vote_count).desc(), *newest)
    recent = (
        select(func.count(col(FeedbackVote.id)))
        .where(
            col(FeedbackVote.post_id) == col(FeedbackPost.id),
            col(FeedbackVote.created_at) >= utcnow() - TRENDING_WINDOW,
        )
        .correlate(FeedbackPost)
        .scalar_subquery()
    )
    return stmt.order_by(recent.desc(), col(FeedbackPost.vote_count).desc(), *newest)


@dataclass(frozen=True)
class Lookups:
    """What rows refer to by id: the statuses, and the board's categories and tags."""

    statuses: Sequence[FeedbackStatus]
    categories: Sequence[FeedbackCategory]
    tags: Sequence[FeedbackTag]


def lookups(session: Session, *, actor: Actor) -> Lookups:
    """Statuses, categories and (for the agency) tags: three small queries."""
    tags: list[FeedbackTag] = []
    if can_manage_board(actor):
        tags = list(
            session.exec(
                scoped(select(FeedbackTag), actor, FeedbackTag).order_by(
                    func.lower(FeedbackTag.tag), col(FeedbackTag.id)
                )
            ).all()
        )
    return Lookups(
        statuses=all_statuses(session),
        categories=list_categories(session=session, actor=actor),
        tags=tags,
    )


def hydrate(
    session: Session, *, actor: Actor, rows: Sequence[Any], known: Lookups
) -> list[PostRow]:
    """Rows of ``posts_stmt`` as view rows: one query for the categories and tags of the lot."""
    ids = [r[0].id for r in rows if r[0].id is not None]
    links: dict[tuple[int, str], list[int]] = {}
    if ids:
        stmt: Any = select(
            FeedbackPostCategory.post_id,
            literal("c").label("kind"),
            col(FeedbackPostCategory.category_id).label("ref"),
        ).where(col(FeedbackPostCategory.post_id).in_(ids))
        if can_manage_board(actor):
            stmt = union_all(
                stmt,
                select(
                    FeedbackPostTag.post_id,
                    literal("t").label("kind"),
                    col(FeedbackPostTag.tag_id).label("ref"),
                ).where(col(FeedbackPostTag.post_id).in_(ids)),
            )
        for post_id, kind, ref in session.execute(stmt).all():
            links.setdefault((post_id, kind), []).append(ref)
    statuses = {s.id: s for s in known.statuses}
    categories = {c.id: c for c in known.categories}
    tags = {t.id: t.tag for t in known.tags}
    out = []
    for post, author, voted in rows:
        cats = set(links.get((post.id, "c"), []))
        labels = set(links.get((post.id, "t"), []))
        out.append(
            PostRow(
                post=post,
                author=author,
                status=statuses[post.status_id],
                categories=[c for cid, c in categories.items() if cid in cats],
                tags=[t for tid, t in tags.items() if tid in labels],
                voted=bool(voted),
            )
        )
    return out


def row_by_key(session: Session, *, actor: Actor, key: str, known: Lookups) -> PostRow:
    """One post the actor may see, as a list would show it (else NotFound)."""
    if not KEY_RE.match(key or ""):
        raise NotFound("No such post.")
    found = session.exec(
        posts_stmt(actor, Filters(sort="newest")).where(col(FeedbackPost.key) == key)
    ).first()
    if found is None:
        raise NotFound("No such post.")
    (row,) = hydrate(session, actor=actor, rows=[found], known=known)
    return row


@dataclass(frozen=True)
class PostRows:
    """A page of posts for the API, and each post's portal (company id → portal id, slug)."""

    rows: list[PostRow]
    total: int
    portals: dict[int, tuple[int, str]]


def post_rows(
    *,
    session: Session,
    actor: Actor,
    filters: Filters,
    tab: str | None = None,
    order_by: str = "created_at",
    descending: bool = True,
    limit: int,
    offset: int,
    key: str | None = None,
) -> PostRows:
    """Posts the actor sees (every board it may, or one ``key``), as the API lists them."""
    known = lookups(session, actor=actor)
    status_ids = [s.id for s in known.statuses if s.tab == tab and s.id] if tab else None
    stmt = posts_stmt(
        actor, filters, status_ids=status_ids, order_by=order_by, descending=descending
    )
    if key is not None:
        stmt = stmt.where(col(FeedbackPost.key) == key)
    total = count(session, stmt)
    found = session.exec(stmt.limit(limit).offset(offset)).all()
    rows = hydrate(session, actor=actor, rows=found, known=known)
    return PostRows(rows=rows, total=total, portals=_portals(session, rows))


def created_post_row(*, session: Session, actor: Actor, post: FeedbackPost) -> PostRows:
    """A post its creator just made, as the API answers it, even where it now waits for
    approval (and so is no longer the creator's to read)."""
    author = session.get(User, post.author_id) if post.author_id else None
    rows = hydrate(
        session, actor=actor, rows=[(post, author, False)], known=lookups(session, actor=actor)
    )
    return PostRows(rows=rows, total=1, portals=_portals(session, rows))


def _portals(session: Session, rows: list[PostRow]) -> dict[int, tuple[int, str]]:
    company_ids = sorted({r.post.company_id for r in rows})
    portals: dict[int, tuple[int, str]] = {}
    if company_ids:
        portals = {
            cid: (pid or 0, slug)
            for cid, pid, slug in session.exec(
                select(Portal.company_id, Portal.id, Portal.slug).where(
                    col(Portal.company_id).in_(company_ids)
                )
            ).all()
        }
    return portals


# Duplicates while typing -----------------------------------------------------------------------

WORD_RE = re.compile(r"[^\W_]{3,}", re.UNICODE)
MAX_WORDS = 8
SIMILAR_LIMIT = 5


def _search_document() -> Any:
    """The text the full-text index covers (the same expression as the migration's index)."""
    blank: Any = literal_column("''")
    space: Any = literal_column("' '")
    return func.to_tsvector(
        literal_column("'simple'"),
        func.coalesce(FeedbackPost.title, blank)
        + space
        + func.coalesce(FeedbackPost.description, blank),
    )


def similar_posts(
    *, session: Session, actor: Actor, text: str, limit: int = SIMILAR_LIMIT
) -> list[FeedbackPost]:
    """Posts that look like ``text`` (a title being typed), best match first: PostgreSQL's
    full-text search (prefix matches on each word, GIN-indexed); elsewhere any word in the
    title or description."""
    words = list(dict.fromkeys(w.lower() for w in WORD_RE.findall(text or "")))[:MAX_WORDS]
    if not words:
        return []
    stmt = scoped(select(FeedbackPost), actor, FeedbackPost)
    if session.get_bind().dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'simple'"), " | ".join(f"{w}:*" for w in words))
        document = _search_document()
        stmt = stmt.where(document.op("@@")(query)).order_by(
            func.ts_rank(document, query).desc(), col(FeedbackPost.vote_count).desc()
        )
    else:
        matches = [
            col(column).ilike(f"%{_escape_like(w)}%", escape="\\")
            for w in words
            for column in (FeedbackPost.title, FeedbackPost.description)
        ]
        stmt = stmt.where(or_(*matches)).order_by(col(FeedbackPost.vote_count).desc())
    return list(session.exec(stmt.order_by(col(FeedbackPost.id).desc()).limit(limit)).all())
