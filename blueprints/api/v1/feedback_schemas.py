"""Request and response shapes of the Feedback API (reference 002): objects in ``{"data": …}``,
post ids are their string keys, lists of posts carry ``hasMore``, ``total``, ``skip``, ``limit``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from blueprints.api.schemas import MAX_ID, ApiModel
from portal.models.feedback import (
    CategoryCreate,
    CategoryUpdate,
    CommentCreate,
    CommentUpdate,
    GroupCreate,
    GroupUpdate,
    PostCreate,
    PostUpdate,
    StatusCreate,
    StatusUpdate,
    TagCreate,
)

# Paths ---------------------------------------------------------------------------------------


class PostKeyPath(ApiModel):
    post_key: str = Field(max_length=64, description="The post's key (its string id)")


class PostVoterPath(PostKeyPath):
    user_id: int = Field(ge=1, le=MAX_ID)


class AnonymousVotePath(ApiModel):
    item_key: str = Field(max_length=64, description="A post's key, or a comment's id")
    anonymous_id: str = Field(max_length=200, description="The anonymous voter's id (an MD5 hash)")


class FeedbackCommentPath(ApiModel):
    comment_id: int = Field(ge=1, le=MAX_ID)


class CategoryPath(ApiModel):
    category_id: int = Field(ge=1, le=MAX_ID)


class StatusPath(ApiModel):
    status_id: int = Field(ge=1, le=MAX_ID)


class TagPath(ApiModel):
    tag_id: int = Field(ge=1, le=MAX_ID)


# Queries and bodies --------------------------------------------------------------------------

OrderBy = Literal[
    "title", "created_at", "updated_at", "votes_count", "comments_count", "latest_status_change"
]


class PostListQuery(ApiModel):
    """Reference 002's filters; ``limit`` 1–100 (default 10) and ``skip``."""

    tab: Literal["wishlist", "roadmap", "changelog"] | None = None
    category: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: int | None = Field(default=None, ge=1, le=MAX_ID)
    q: str | None = Field(default=None, max_length=200, description="Search title and text")
    limit: int = Field(default=10, ge=1, le=100)
    skip: int = Field(default=0, ge=0, le=MAX_ID)
    order_by: OrderBy = "created_at"
    order_direction: Literal["asc", "desc"] = "desc"


class DuplicatesQuery(ApiModel):
    title: str = Field(min_length=1, max_length=180, description="The title being typed")


class DuplicateOut(BaseModel):
    id: str
    title: str
    description: str


class DuplicatesOut(BaseModel):
    count: int
    posts: list[DuplicateOut]


class PostCreateIn(PostCreate):
    """002's fields, plus ``category_ids`` (several) and ``portal_id`` (agency keys: which
    portal's board)."""

    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    user_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Post as this user")
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _one_category(self) -> PostCreateIn:
        if self.category_id is not None and self.category_id not in self.category_ids:
            self.category_ids = [*self.category_ids, self.category_id]
        return self


class PostUpdateIn(PostUpdate):
    """002's fields: ``status`` is the new status id; ``category_id`` sets one category."""

    status: int | None = Field(default=None, ge=1, le=MAX_ID)
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    def as_update(self) -> PostUpdate:
        sent = self.model_fields_set
        data = {k: getattr(self, k) for k in sent if k in PostUpdate.model_fields}
        if "status" in sent and self.status is not None:
            data["status_id"] = self.status
        if "category_id" in sent and self.category_id is not None:
            data["category_ids"] = [self.category_id]
        return PostUpdate.model_validate(data)


class CommentCreateIn(CommentCreate):
    """002's comment body; ``use_for_changelog`` and ``pin_to_top`` are accepted as aliases."""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for alias, name in (
                ("use_for_changelog", "tagged_for_changelog"),
                ("pin_to_top", "pinned_to_top"),
            ):
                if data.get(alias) is not None and name not in data:
                    data[name] = data[alias]
        return data


class CommentUpdateIn(CommentUpdate):
    pass


class CategoryIn(CategoryCreate):
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CategoryPatch(CategoryUpdate):
    pass


class StatusIn(StatusCreate):
    pass


class StatusPatch(StatusUpdate):
    pass


class TagIn(TagCreate):
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


# Responses -----------------------------------------------------------------------------------


class AuthorOut(BaseModel):
    id: str
    name: str
    email: str
    role: str = Field(description="admin | collaborator | viewer for clients; staff")


class CategoryOut(BaseModel):
    id: int
    name: str
    color: str


class PostStatusOut(BaseModel):
    id: int
    name: str
    color: str
    tab_name: str


class StatusOut(BaseModel):
    id: int
    name: str
    color: str
    order: int
    tab_id: str
    tab_name: str
    text_color: str


class PostOut(BaseModel):
    id: str = Field(description="The post's key")
    title: str
    description_short: str
    description: str
    votes_count: int
    comments_count: int
    url: str
    created_at: datetime
    updated_at: datetime
    latest_status_change_at: datetime | None
    latest_status_change_at_formatted: str
    author: AuthorOut | None
    categories: list[CategoryOut]
    status: PostStatusOut
    tags: list[str] = Field(description="The agency's tags (empty for client keys)")
    is_published: bool
    allow_comments: bool
    moderation_status: str
    portal_id: int


class PostList(BaseModel):
    data: list[PostOut]
    hasMore: bool  # noqa: N815 - reference 002's name
    total: int
    skip: int
    limit: int


class PostData(BaseModel):
    data: PostOut


class VoteOut(BaseModel):
    created_at: datetime
    voter: dict[str, Any] | None = Field(
        description="A user of /api/v1/users (its fields), or null for an anonymous vote"
    )


class VoteData(BaseModel):
    data: VoteOut


class VoteList(BaseModel):
    data: list[VoteOut]


class CommentOut(BaseModel):
    id: int
    comment: str
    author: AuthorOut | None
    pinned_to_top: bool
    tagged_for_changelog: bool
    parent_id: int | None
    created_at: datetime
    updated_at: datetime | None
    url: str
    votes_count: int = Field(
        description="Upvotes on the comment (one per user), named like a post's votes_count."
    )


class CommentData(BaseModel):
    data: CommentOut


class CommentList(BaseModel):
    data: list[CommentOut]


class CategoryData(BaseModel):
    data: CategoryOut


class CategoryList(BaseModel):
    data: list[CategoryOut]


class StatusData(BaseModel):
    data: StatusOut


class StatusList(BaseModel):
    data: list[StatusOut]


class TagOut(BaseModel):
    id: str
    portal_id: int
    tag: str
    created_at: datetime
    updated_at: datetime


class TagData(BaseModel):
    data: TagOut


class TagList(BaseModel):
    data: list[TagOut]


class ModerationPath(ApiModel):
    item_type: Literal["post", "comment"]
    item_id: str = Field(max_length=64, description="A post's key or a comment's id")


class RejectIn(ApiModel):
    reason: str = Field(default="", max_length=1000)


class ModeratedPostOut(BaseModel):
    id: str
    title: str
    description: str
    author: AuthorOut | None
    created_at: datetime
    moderation_status: str
    moderation_reason: str


class ModeratedCommentOut(BaseModel):
    id: int
    post_id: str
    comment: str
    author: AuthorOut | None
    created_at: datetime
    moderation_status: str
    moderation_reason: str


class ModerationItems(BaseModel):
    posts: list[ModeratedPostOut]
    comments: list[ModeratedCommentOut]


class ModerationList(BaseModel):
    data: ModerationItems


class ModerationResult(BaseModel):
    type: str
    id: str
    moderation_status: str


class ModerationData(BaseModel):
    data: ModerationResult


class DeletedOut(BaseModel):
    message: str


# Groups ----------------------------------------------------------------------------------------


class GroupPath(ApiModel):
    group_id: int = Field(ge=1, le=MAX_ID)


class GroupIn(GroupCreate):
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class GroupPatch(GroupUpdate):
    pass


class GroupMemberIn(ApiModel):
    user_id: int = Field(ge=1, le=MAX_ID, description="The ID of the user")


class GroupOut(BaseModel):
    id: str
    portal_id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class GroupData(BaseModel):
    data: GroupOut


class GroupList(BaseModel):
    data: list[GroupOut]


class FeedbackMessageOut(BaseModel):
    message: str
