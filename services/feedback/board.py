"""The board's read views: the list (search, filters, sorts, pages), one idea with its
comments, the roadmap by status, the changelog of shipped ideas, and the agency's board
across portals.

Each view costs a fixed number of queries whatever the number of posts: one page of posts with
their authors (``listing.posts_stmt``), then the categories and tags of that whole page at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from portal.errors import Invalid
from portal.models import (
    FeedbackCategory,
    FeedbackComment,
    FeedbackStatus,
    FeedbackTag,
    FeedbackWidget,
    Portal,
)
from portal.models.feedback import StatusTab, SummarizeFilters
from portal.tenancy import Actor
from portal.text import render_markdown
from portal.web.pagination import Page, paginate
from services.feedback import (
    all_statuses,
    can_manage_board,
    can_post,
    entries,
    may_vote,
    votes,
    widgets,
)
from services.feedback.comment_votes import voted_comment_ids
from services.feedback.comments import comments_of
from services.feedback.entries import EntryRecord, Summary
from services.feedback.listing import (
    SORTS,
    Filters,
    Lookups,
    PostRow,
    hydrate,
    lookups,
    posts_stmt,
    row_by_key,
)
from services.feedback.taxonomy import can_manage_categories

PER_PAGE = 20
ROADMAP_LIMIT = 200
SHIPPED_ON_ROADMAP = 10
INBOX_LIMIT = 100


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
    voted: bool = False
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
    voted = voted_comment_ids(
        session=session, actor=actor, comment_ids=[c.id for c, _ in ordered if c.id is not None]
    )
    for comment, user in ordered:
        item = CommentItem(
            comment=comment,
            author_name=(user.display_name if user else "Former user"),
            html=render_markdown(comment.body),
            can_edit=manager or (actor.user_id is not None and actor.user_id == comment.author_id),
            voted=comment.id in voted,
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


# Raw feedback, its summary and the widgets that collect it --------------------------------------


@dataclass(frozen=True)
class InboxView:
    entries: list[EntryRecord]
    summary: Summary
    filters: SummarizeFilters
    widgets: list[FeedbackWidget]
    can_manage_widgets: bool


def inbox_view(*, session: Session, actor: Actor, filters: SummarizeFilters) -> InboxView:
    """The board's raw feedback (newest first) as the filters select it, their summary, and
    the board's widgets. The agency and client admins (others: 404)."""
    found = entries.list_entries(session=session, actor=actor, filters=filters)
    return InboxView(
        entries=entries.records(session, found[:INBOX_LIMIT]),
        summary=entries.summarize(session=session, actor=actor, filters=filters),
        filters=filters,
        widgets=widgets.list_widgets(session=session, actor=actor),
        can_manage_widgets=can_manage_board(actor),
    )
