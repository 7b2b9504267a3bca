"""The board's read views: the list (search, filters, sorts, pages), one idea with its
comments, the roadmap by status, and the changelog of shipped ideas.

Each view costs a fixed number of queries whatever the number of posts: one page of posts with
their authors, then the categories, tags and the visitor's own votes of that whole page at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import false, func, literal, literal_column, or_, union_all
from sqlmodel import Session, col, select

from portal.errors import Invalid, NotFound
from portal.models import (
    FeedbackCategory,
    FeedbackComment,
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
from portal.models.feedback import TAB_NAMES, Moderation, StatusTab
from portal.tenancy import Actor, scoped
from portal.text import plain_excerpt, render_markdown
from portal.web.pagination import Page, count, paginate
from services.feedback import (
    KEY_RE,
    all_statuses,
    can_manage_board,
    can_post,
    may_vote,
    votes,
)
from services.feedback.comments import comments_of
from services.feedback.taxonomy import can_manage_categories, list_categories

SORTS: tuple[str, ...] = ("trending", "top", "newest")
PER_PAGE = 20
TRENDING_WINDOW = timedelta(days=14)
ROADMAP_LIMIT = 200
SHIPPED_ON_ROADMAP = 10


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


@dataclass(frozen=True)
class Permissions:
    can_post: bool
    can_vote: bool
    can_manage: bool
    can_manage_categories: bool
    vote_role: str


@dataclass(frozen=True)
class BoardView:
    rows: Page[PostRow]
    filters: Filters
    statuses: list[FeedbackStatus]
    categories: list[FeedbackCategory]
    tags: list[FeedbackTag]
    perms: Permissions


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


def permissions(actor: Actor, *, portal: Portal) -> Permissions:
    role = portal.feedback_vote_role
    return Permissions(
        can_post=can_post(actor),
        can_vote=may_vote(actor, role),
        can_manage=can_manage_board(actor),
        can_manage_categories=can_manage_categories(actor),
        vote_role=role,
    )


def board_view(
    *, session: Session, actor: Actor, portal: Portal, filters: Filters, page: int
) -> BoardView:
    """One page of a board's ideas, filtered and sorted, with what the filters offer."""
    if filters.sort not in SORTS:
        filters = Filters(filters.q, filters.category_id, filters.status_id, filters.tag_id)
    listing: Page[Any] = paginate(
        session, posts_stmt(actor, filters), page=page, per_page=PER_PAGE, scalars=False
    )
    known = lookups(session, actor=actor)
    rows = hydrate(session, actor=actor, rows=listing.items, known=known)
    return BoardView(
        rows=Page(rows, listing.total, listing.page, listing.per_page),
        filters=filters,
        statuses=list(known.statuses),
        categories=list(known.categories),
        tags=list(known.tags),
        perms=permissions(actor, portal=portal),
    )


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


# The roadmap and the changelog -----------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapColumn:
    status: FeedbackStatus
    rows: list[PostRow]


@dataclass(frozen=True)
class RoadmapView:
    columns: list[RoadmapColumn]
    perms: Permissions


def roadmap_view(*, session: Session, actor: Actor, portal: Portal) -> RoadmapView:
    """The ideas on the roadmap, a column per roadmap status (most votes first), and the
    latest shipped ones."""
    known = lookups(session, actor=actor)
    statuses = known.statuses
    planned = [s.id for s in statuses if s.tab == StatusTab.roadmap.value and s.id]
    shipped = [s.id for s in statuses if s.tab == StatusTab.changelog.value and s.id]
    upcoming = session.exec(
        posts_stmt(actor, Filters(sort="top"), status_ids=planned).limit(ROADMAP_LIMIT)
    ).all()
    done = session.exec(
        posts_stmt(actor, Filters(), status_ids=shipped, order_by="latest_status_change_at").limit(
            SHIPPED_ON_ROADMAP
        )
    ).all()
    rows = hydrate(session, actor=actor, rows=[*upcoming, *done], known=known)
    columns = [
        RoadmapColumn(status=s, rows=[r for r in rows if r.status.id == s.id])
        for s in statuses
        if s.id in planned or s.id in shipped
    ]
    return RoadmapView(columns=columns, perms=permissions(actor, portal=portal))


@dataclass(frozen=True)
class ChangelogEntry:
    row: PostRow
    notes: list[Markup]


@dataclass(frozen=True)
class ChangelogView:
    entries: Page[ChangelogEntry]


def changelog_view(*, session: Session, actor: Actor, page: int) -> ChangelogView:
    """Shipped ideas, most recently shipped first, each with its comments tagged for the
    changelog as release notes."""
    known = lookups(session, actor=actor)
    statuses = known.statuses
    shipped = [s.id for s in statuses if s.tab == StatusTab.changelog.value and s.id]
    listing: Page[Any] = paginate(
        session,
        posts_stmt(actor, Filters(), status_ids=shipped, order_by="latest_status_change_at"),
        page=page,
        per_page=PER_PAGE,
        scalars=False,
    )
    rows = hydrate(session, actor=actor, rows=listing.items, known=known)
    notes: dict[int, list[Markup]] = {}
    ids = [r.post.id for r in rows]
    if ids:
        for comment in session.exec(
            select(FeedbackComment)
            .where(col(FeedbackComment.post_id).in_(ids), col(FeedbackComment.tagged_for_changelog))
            .order_by(col(FeedbackComment.created_at))
        ).all():
            notes.setdefault(comment.post_id, []).append(render_markdown(comment.body))
    entries = [ChangelogEntry(row=r, notes=notes.get(r.post.id or 0, [])) for r in rows]
    return ChangelogView(entries=Page(entries, listing.total, listing.page, listing.per_page))


# One idea ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentItem:
    comment: FeedbackComment
    author_name: str
    html: Markup
    can_edit: bool
    replies: list[CommentItem] = field(default_factory=list)


@dataclass(frozen=True)
class PostDetail:
    row: PostRow
    html: Markup
    comments: list[CommentItem]
    perms: Permissions
    statuses: list[FeedbackStatus]
    categories: list[FeedbackCategory]
    can_edit: bool

    @property
    def category_ids(self) -> list[int]:
        return [c.id for c in self.row.categories if c.id is not None]


def post_detail(*, session: Session, actor: Actor, portal: Portal, key: str) -> PostDetail:
    """One idea with its comments threaded (pinned first), and what the visitor may do."""
    known = lookups(session, actor=actor)
    row = row_by_key(session, actor=actor, key=key, known=known)
    post = row.post
    manager = can_manage_board(actor)
    items: dict[int, CommentItem] = {}
    threads: list[CommentItem] = []
    ordered = sorted(
        comments_of(session, post.id, approved_only=not actor.is_staff),  # type: ignore[arg-type]
        key=lambda cu: (cu[0].created_at, cu[0].id),
    )
    for comment, user in ordered:
        item = CommentItem(
            comment=comment,
            author_name=(user.display_name if user else "Former user"),
            html=render_markdown(comment.body),
            can_edit=manager or (actor.user_id is not None and actor.user_id == comment.author_id),
        )
        items[comment.id] = item  # type: ignore[index]
        parent = items.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.replies.append(item)
        else:
            threads.append(item)
    threads.sort(key=lambda item: not item.comment.pinned_to_top)  # pinned first, else in order
    return PostDetail(
        row=row,
        html=render_markdown(post.description),
        comments=threads,
        perms=permissions(actor, portal=portal),
        statuses=list(known.statuses),
        categories=list(known.categories),
        can_edit=manager or (actor.user_id is not None and actor.user_id == post.author_id),
    )


TAB_LABELS = {tab.value: name for tab, name in TAB_NAMES.items()}


@dataclass(frozen=True)
class VoteOutcome:
    row: PostRow
    perms: Permissions
    error: str


def cast_vote(*, session: Session, actor: Actor, portal: Portal, key: str, on: bool) -> VoteOutcome:
    """The visitor votes (``on``) or takes the vote back; a refusal the rules explain (already
    voted, not voteable) comes back as ``error`` beside the idea as it now stands."""
    error = ""
    try:
        with session.begin_nested():
            if on:
                votes.vote(session=session, actor=actor, key=key)
            else:
                votes.unvote(session=session, actor=actor, key=key)
    except Invalid as exc:
        error = exc.message
    session.expire_all()  # the counter moved in SQL
    row = row_by_key(session, actor=actor, key=key, known=lookups(session, actor=actor))
    return VoteOutcome(row=row, perms=permissions(actor, portal=portal), error=error)


# The agency's board across portals -----------------------------------------------------------


@dataclass(frozen=True)
class AgencyBoardView:
    rows: Page[PostRow]
    filters: Filters
    statuses: list[FeedbackStatus]
    portals: dict[int, Portal]


def agency_board(*, session: Session, actor: Actor, filters: Filters, page: int) -> AgencyBoardView:
    """Ideas from every portal the staff member sees (a PM: the portals they manage), newest
    or most voted first; ``category_id`` is not offered here (categories are per board)."""
    if filters.sort not in SORTS:
        filters = Filters(filters.q, None, filters.status_id, None)
    listing: Page[Any] = paginate(
        session, posts_stmt(actor, filters), page=page, per_page=PER_PAGE, scalars=False
    )
    known = Lookups(statuses=all_statuses(session), categories=[], tags=[])
    rows = hydrate(session, actor=actor, rows=listing.items, known=known)
    company_ids = sorted({r.post.company_id for r in rows})
    portals: dict[int, Portal] = {}
    if company_ids:
        portals = {
            p.company_id: p
            for p in session.exec(select(Portal).where(col(Portal.company_id).in_(company_ids)))
        }
    return AgencyBoardView(
        rows=Page(rows, listing.total, listing.page, listing.per_page),
        filters=filters,
        statuses=list(known.statuses),
        portals=portals,
    )


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
