"""/api/v1 Feedback (reference 002): posts, votes, anonymous votes, comments, categories,
statuses and tags. Scopes feedback:read / feedback:write; another tenant's objects are 404.

A company key speaks for its company's board (as its client admin); an agency key sees every
board and names the portal (``portal_id``) when it creates something.
"""

from __future__ import annotations

from typing import Any

from flask import request

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope
from blueprints.api.schemas import Empty
from blueprints.api.v1.feedback_schemas import (
    AnonymousVotePath,
    AuthorOut,
    CategoryOut,
    CommentCreateIn,
    CommentData,
    CommentList,
    CommentOut,
    CommentUpdateIn,
    DuplicateOut,
    DuplicatesOut,
    DuplicatesQuery,
    FeedbackCommentPath,
    ModeratedCommentOut,
    ModeratedPostOut,
    ModerationData,
    ModerationList,
    ModerationPath,
    PostCreateIn,
    PostData,
    PostKeyPath,
    PostList,
    PostListQuery,
    PostOut,
    PostStatusOut,
    PostUpdateIn,
    PostVoterPath,
    RejectIn,
    VoteData,
    VoteList,
    VoteOut,
)
from portal.db import get_session
from portal.errors import NotFound
from portal.models import FeedbackCategory, FeedbackComment, FeedbackPost, User
from portal.models.feedback import TAB_NAMES, PostCreate, StatusTab
from portal.text import plain_excerpt
from portal.web.args import parse_int
from portal.web.urls import base_url
from services.feedback import (
    comment_votes,
    comments,
    get_post,
    moderation,
    posts,
    taxonomy,
    votes,
)
from services.feedback.comments import CommentRecord
from services.feedback.listing import (
    Filters,
    PostRow,
    PostRows,
    created_post_row,
    post_rows,
    similar_posts,
)

bp = api_blueprint(
    "api_feedback",
    __name__,
    url_prefix="/api/v1",
    tag="Feedback",
    description="The feedback board (reference 002): ideas, votes, comments, categories, "
    "statuses and tags.",
)

READ, WRITE = "feedback:read", "feedback:write"
ORDER_COLUMNS = {
    "title": "title",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "votes_count": "vote_count",
    "comments_count": "comment_count",
    "latest_status_change": "latest_status_change_at",
}


# Path objects: a foreign id is a 404 before the body is looked at ----------------------------


@path_object("post_key")
def _load_post(session, actor, value):  # noqa: ANN001, ANN202
    return get_post(session=session, actor=actor, key=str(value))


@path_object("comment_id")
def _load_comment(session, actor, value: int):  # noqa: ANN001, ANN202
    return comments.get_comment(session=session, actor=actor, comment_id=value)


@path_object("item_id")
def _load_moderated(session, actor, value):  # noqa: ANN001, ANN202
    item_type = (request.view_args or {}).get("item_type", "")
    return moderation.load_item(
        session=session, actor=actor, item_type=item_type, item_id=str(value)
    )


# Serialisers -----------------------------------------------------------------------------------


def author_out(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    role = "staff" if user.is_staff else (user.client_role or "viewer")
    return AuthorOut(
        id=str(user.id), name=user.display_name, email=user.email, role=role
    ).model_dump()


def category_out(c: FeedbackCategory) -> dict[str, Any]:
    return CategoryOut(id=c.id or 0, name=c.name, color=c.color).model_dump()


def post_out(row: PostRow, portal: tuple[int, str]) -> dict[str, Any]:
    post, status = row.post, row.status
    changed = post.latest_status_change_at
    return PostOut(
        id=post.key,
        title=post.title,
        description_short=plain_excerpt(post.description, 200),
        description=post.description,
        votes_count=post.vote_count,
        comments_count=post.comment_count,
        url=f"{base_url()}/p/{portal[1]}/feedback/{post.key}",
        created_at=post.created_at,
        updated_at=post.updated_at,
        latest_status_change_at=changed,
        latest_status_change_at_formatted=changed.strftime("%-d %b %Y") if changed else "",
        author=author_out(row.author),  # type: ignore[arg-type]
        categories=[category_out(c) for c in row.categories],  # type: ignore[misc]
        status=PostStatusOut(
            id=status.id or 0,
            name=status.name,
            color=status.color,
            tab_name=TAB_NAMES[StatusTab(status.tab)],
        ),
        tags=row.tags,
        is_published=post.is_published,
        allow_comments=post.allow_comments,
        moderation_status=post.moderation_status,
        portal_id=portal[0],
    ).model_dump(mode="json")


def _posts(found: PostRows) -> list[dict[str, Any]]:
    return [post_out(r, found.portals.get(r.post.company_id, (0, ""))) for r in found.rows]


def _one_post(actor, key: str) -> dict[str, Any]:  # noqa: ANN001
    found = post_rows(
        session=get_session(), actor=actor, filters=Filters(), limit=1, offset=0, key=key
    )
    if not found.rows:
        raise NotFound("No such post.")
    return {"data": _posts(found)[0]}


def _comment_out(record: CommentRecord) -> dict[str, Any]:
    comment = record.comment
    return CommentOut(
        id=comment.id or 0,
        comment=comment.body,
        author=author_out(record.author),  # type: ignore[arg-type]
        pinned_to_top=comment.pinned_to_top,
        tagged_for_changelog=comment.tagged_for_changelog,
        parent_id=comment.parent_id,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        url=f"{base_url()}{record.url}",
        votes_count=comment.vote_count,
    ).model_dump(mode="json")


# Posts -------------------------------------------------------------------------------------


@bp.get("/posts", summary="List posts", responses={200: PostList})
def list_posts(query: PostListQuery):
    """Newest first unless ``order_by``/``order_direction`` say otherwise; ``hasMore`` tells
    whether posts exist past this page. Scope feedback:read."""
    actor = require_scope(READ)
    found = post_rows(
        session=get_session(),
        actor=actor,
        filters=Filters(q=query.q or "", category_id=query.category, status_id=query.status),
        tab=query.tab,
        order_by=ORDER_COLUMNS[query.order_by],
        descending=query.order_direction == "desc",
        limit=query.limit,
        offset=query.skip,
    )
    return {
        "data": _posts(found),
        "hasMore": query.skip + len(found.rows) < found.total,
        "total": found.total,
        "skip": query.skip,
        "limit": query.limit,
    }


@bp.get("/posts/search_duplicates", summary="Find duplicates", responses={200: DuplicatesOut})
def search_duplicate_posts(query: DuplicatesQuery):
    """Posts like a title being typed, best match first (at most 5). Scope feedback:read."""
    actor = require_scope(READ)
    found = similar_posts(session=get_session(), actor=actor, text=query.title)
    return {
        "count": len(found),
        "posts": [
            DuplicateOut(
                id=p.key, title=p.title, description=plain_excerpt(p.description, 200)
            ).model_dump()
            for p in found
        ],
    }


@bp.post("/posts", summary="Create post", responses={200: PostData})
def create_post(body: PostCreateIn):
    """On the key's board (company keys) or ``portal_id``'s (agency keys). ``user_id`` posts for
    one of the board's users. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    data = PostCreate.model_validate(body.model_dump(include=set(PostCreate.model_fields)))
    post = posts.create_post(
        session=session, actor=actor, company_id=company_id, data=data, author_id=body.user_id
    )
    return {"data": _posts(created_post_row(session=session, actor=actor, post=post))[0]}


@bp.get("/posts/<post_key>", summary="Get post", responses={200: PostData})
def get_feedback_post(path: PostKeyPath):
    """One post. Scope feedback:read."""
    return _one_post(require_scope(READ), path.post_key)


@bp.patch("/posts/<post_key>", summary="Update post", responses={200: PostData})
def update_post(path: PostKeyPath, body: PostUpdateIn):
    """Only the fields sent change; ``status`` is the new status id. Scope feedback:write."""
    actor = require_scope(WRITE)
    posts.update_post(session=get_session(), actor=actor, key=path.post_key, data=body.as_update())
    return _one_post(actor, path.post_key)


@bp.delete("/posts/<post_key>", summary="Delete post", responses={200: Empty})
def delete_post(path: PostKeyPath):
    """With its votes and comments. Scope feedback:write."""
    actor = require_scope(WRITE)
    posts.delete_post(session=get_session(), actor=actor, key=path.post_key)
    return {}


# Votes -------------------------------------------------------------------------------------


@bp.get("/posts/<post_key>/votes", summary="List votes", responses={200: VoteList})
def list_post_votes(path: PostKeyPath):
    """Oldest first; anonymous votes have a null voter. Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    rows = votes.list_votes(session=session, actor=actor, key=path.post_key)
    return {"data": _votes_out(session, rows, actor)}


def _votes_out(session: Any, rows: list[tuple[Any, User | None]], actor: Any) -> list[dict]:
    """Votes as 002 shows them: the voter is a user of ``/api/v1/users`` (null if anonymous)."""
    from blueprints.api.v1.directory import users_of

    voters = [u for _, u in rows if u is not None]
    by_id = {u.id or 0: d for u, d in zip(voters, users_of(session, voters, actor), strict=True)}
    return [
        {
            "created_at": VoteOut.model_validate(
                {"created_at": v.created_at, "voter": None}
            ).model_dump(mode="json")["created_at"],
            "voter": by_id.get(u.id or 0) if u is not None else None,
        }
        for v, u in rows
    ]


@bp.post("/posts/<post_key>/votes/<int:user_id>", summary="Vote", responses={200: VoteData})
def vote_for_post(path: PostVoterPath):
    """The user's vote; a second one is a 422 ("User has already voted for this post.").
    Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    vote = votes.vote_as(session=session, actor=actor, key=path.post_key, user_id=path.user_id)
    return {"data": _votes_out(session, [(vote, session.get(User, vote.user_id))], actor)[0]}


@bp.delete("/posts/<post_key>/votes/<int:user_id>", summary="Revoke vote", responses={200: Empty})
def revoke_post_vote(path: PostVoterPath):
    """Without a vote to revoke, a 422 ("User has not voted yet."). Scope feedback:write."""
    actor = require_scope(WRITE)
    votes.unvote_as(session=get_session(), actor=actor, key=path.post_key, user_id=path.user_id)
    return {}


@path_object("item_key")
def _load_voteable(session, actor, value):  # noqa: ANN001, ANN202
    return _voteable_item(session, actor, str(value))


def _voteable_item(session: Any, actor: Any, key: str) -> FeedbackPost | FeedbackComment:
    """Reference 002's anonymous votes name "the ID of the post or comment": a post's key, or
    else (digits only) a comment's id. Neither visible: 404."""
    try:
        return get_post(session=session, actor=actor, key=key)
    except NotFound:
        comment_id = parse_int(key, minimum=1)
        if comment_id is None:
            raise
    return comments.get_comment(session=session, actor=actor, comment_id=comment_id)


@bp.post(
    "/posts/<item_key>/anonymous_votes/<anonymous_id>",
    summary="Vote anonymously",
    responses={200: VoteData},
)
def vote_anonymously(path: AnonymousVotePath):
    """On a post (its key) or a comment (its id), once per anonymous id (422 "Anonymous user
    has already voted for this item."). Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    item = _voteable_item(session, actor, path.item_key)
    anonymous_id = votes.checked_anonymous_id(path.anonymous_id)
    if isinstance(item, FeedbackComment):
        made = comment_votes.vote_anonymously(
            session=session, actor=actor, comment_id=item.id or 0, anonymous_id=anonymous_id
        )
        created_at = made.created_at
    else:
        created_at = votes.vote_anonymously(
            session=session, actor=actor, key=item.key, anonymous_id=anonymous_id
        ).created_at
    return {"data": {"created_at": created_at.isoformat(), "voter": None}}


@bp.delete(
    "/posts/<item_key>/anonymous_votes/<anonymous_id>",
    summary="Revoke anonymous vote",
    responses={200: Empty},
)
def revoke_anonymous_vote(path: AnonymousVotePath):
    """422 "Anonymous user has not voted yet." without a vote. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    item = _voteable_item(session, actor, path.item_key)
    anonymous_id = votes.checked_anonymous_id(path.anonymous_id)
    if isinstance(item, FeedbackComment):
        comment_votes.revoke_anonymous_vote(
            session=session, actor=actor, comment_id=item.id or 0, anonymous_id=anonymous_id
        )
    else:
        votes.revoke_anonymous_vote(
            session=session, actor=actor, key=item.key, anonymous_id=anonymous_id
        )
    return {}


# Comments ----------------------------------------------------------------------------------


@bp.get("/posts/<post_key>/comments", summary="List comments", responses={200: CommentList})
def list_post_comments(path: PostKeyPath):
    """Pinned first, then oldest first. Scope feedback:read."""
    actor = require_scope(READ)
    records = comments.list_comments(session=get_session(), actor=actor, key=path.post_key)
    return {"data": [_comment_out(r) for r in records]}


@bp.post("/posts/<post_key>/comments", summary="Create comment", responses={200: CommentData})
def create_post_comment(path: PostKeyPath, body: CommentCreateIn):
    """A comment, or a reply (``parent_id``); pinning and changelog tags are the agency's.
    Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    comment = comments.create_comment(session=session, actor=actor, key=path.post_key, data=body)
    record = comments.comment_record(session=session, actor=actor, comment_id=comment.id)  # type: ignore[arg-type]
    return {"data": _comment_out(record)}


@bp.put("/comments/<int:comment_id>", summary="Update comment", responses={200: CommentData})
def update_feedback_comment(path: FeedbackCommentPath, body: CommentUpdateIn):
    """Its author or the agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    comments.update_comment(session=session, actor=actor, comment_id=path.comment_id, data=body)
    record = comments.comment_record(session=session, actor=actor, comment_id=path.comment_id)
    return {"data": _comment_out(record)}


@bp.delete("/comments/<int:comment_id>", summary="Delete comment", responses={200: Empty})
def delete_feedback_comment(path: FeedbackCommentPath):
    """With its replies. Its author or the agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    comments.delete_comment(session=get_session(), actor=actor, comment_id=path.comment_id)
    return {}


# Moderation and publishing ---------------------------------------------------------------------


def _queue(status: str) -> dict[str, Any]:
    actor = require_scope(READ)
    queue = moderation.moderation_queue(session=get_session(), actor=actor, status=status)
    return {
        "data": {
            "posts": [
                ModeratedPostOut(
                    id=p.key,
                    title=p.title,
                    description=p.description,
                    author=author_out(u),  # type: ignore[arg-type]
                    created_at=p.created_at,
                    moderation_status=p.moderation_status,
                    moderation_reason=p.moderation_reason,
                ).model_dump(mode="json")
                for p, u in queue.posts
            ],
            "comments": [
                ModeratedCommentOut(
                    id=q.comment.id or 0,
                    post_id=q.post.key,
                    comment=q.comment.body,
                    author=author_out(q.author),  # type: ignore[arg-type]
                    created_at=q.comment.created_at,
                    moderation_status=q.comment.moderation_status,
                    moderation_reason=q.comment.moderation_reason,
                ).model_dump(mode="json")
                for q in queue.comments
            ],
        }
    }


@bp.get("/moderation/pending", summary="Get pending items", responses={200: ModerationList})
def list_pending_feedback():
    """Ideas and comments waiting for approval on the boards the key sees (the agency).
    Scope feedback:read."""
    return _queue("pending")


@bp.get("/moderation/rejected", summary="Get rejected items", responses={200: ModerationList})
def list_rejected_feedback():
    """Rejected ideas and comments (the agency). Scope feedback:read."""
    return _queue("rejected")


@bp.post(
    "/moderation/approve/<item_type>/<item_id>",
    summary="Approve item (post or comment)",
    responses={200: ModerationData},
)
def approve_feedback_item(path: ModerationPath):
    """``item_id`` is a post's key or a comment's id. The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    item = moderation.approve(
        session=get_session(), actor=actor, item_type=path.item_type, item_id=path.item_id
    )
    return {
        "data": {
            "type": path.item_type,
            "id": path.item_id,
            "moderation_status": item.moderation_status,
        }
    }


@bp.post(
    "/moderation/reject/<item_type>/<item_id>",
    summary="Reject item (post or comment)",
    responses={200: ModerationData},
)
def reject_feedback_item(path: ModerationPath, body: RejectIn):
    """With an optional ``reason`` its author is told. The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    item = moderation.reject(
        session=get_session(),
        actor=actor,
        item_type=path.item_type,
        item_id=path.item_id,
        reason=body.reason,
    )
    return {
        "data": {
            "type": path.item_type,
            "id": path.item_id,
            "moderation_status": item.moderation_status,
        }
    }


@bp.post("/posts/<post_key>/toggle-publish", summary="Toggle publish", responses={200: PostData})
def toggle_publish_post(path: PostKeyPath):
    """A draft becomes visible, a published post a draft. The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    moderation.toggle_publish(session=get_session(), actor=actor, key=path.post_key)
    return _one_post(actor, path.post_key)


@bp.put(
    "/posts/<post_key>/toggle-publish", summary="Toggle publish (PUT)", responses={200: PostData}
)
def toggle_publish_post_put(path: PostKeyPath):
    """Reference 002's method for the same toggle. The agency. Scope feedback:write."""
    return toggle_publish_post(path)
