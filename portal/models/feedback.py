"""The Feedback board (SPEC §5.9, reference 002): ideas, votes, comments, categories, tags.

A board belongs to one company (its portal). Statuses are the agency's workflow, shared by
every board (seeded by the migration). Vote and comment counts are columns kept exact by the
services (``UPDATE … SET vote_count = vote_count + 1`` in the statement that records the vote).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

import pydantic
from pydantic import field_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, or_
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel

TITLE_MIN, TITLE_MAX = 2, 180
DESCRIPTION_MAX = 20_000
COMMENT_MAX = 10_000
NAME_MIN, NAME_MAX = 2, 60
WIDGET_NAME_MAX = 80
ENTRY_TYPE_MAX = 32
ENTRY_TEXT_MAX = 5_000
VISION_FIELD_MAX = 5_000
GROUP_DESCRIPTION_MAX = 1_000
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


class Moderation(StrEnum):
    """Where an item from a client stands when the portal wants ideas and comments approved."""

    approved = "approved"
    pending = "pending"
    rejected = "rejected"


class StatusTab(StrEnum):
    """Where a status shows its posts: the wish list, the roadmap, or the changelog (done)."""

    wishlist = "wishlist"
    roadmap = "roadmap"
    changelog = "changelog"


TAB_NAMES = {
    StatusTab.wishlist: "Wish list",
    StatusTab.roadmap: "Roadmap",
    StatusTab.changelog: "Updates",
}


class FeedbackStatus(SQLModel, table=True):
    """A step of the agency's idea workflow, shared by every board."""

    __tablename__ = "feedback_status"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    color: str = Field(default="#DCD9F8", max_length=7)
    text_color: str = Field(default="#464362", max_length=7)
    order: int = 0
    tab: str = Field(default=StatusTab.wishlist.value, max_length=16)
    is_default: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackCategory(SQLModel, table=True):
    """A category of one board (visible to its users); a post can have several."""

    __tablename__ = "feedback_category"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_feedback_category_name"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=NAME_MAX)
    color: str = Field(default="#ABDEE6", max_length=7)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackTag(SQLModel, table=True):
    """A label of one board: the agency's (the services show tags to staff only)."""

    __tablename__ = "feedback_tag"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("company_id", "tag", name="uq_feedback_tag_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    tag: str = Field(max_length=NAME_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackGroup(SQLModel, table=True):
    """A named group of a board's users (reference 002's ``/groups``), e.g. "Beta testers"."""

    __tablename__ = "feedback_group"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_feedback_group_name"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=GROUP_DESCRIPTION_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackGroupMember(SQLModel, table=True):
    """A user's membership of a group, at most once."""

    __tablename__ = "feedback_group_member"
    __tenant_column__ = "company_id"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", name="uq_feedback_group_member_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_group.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackPost(SQLModel, table=True):
    """An idea on a board. ``key`` is its public id (reference 002 ids are strings)."""

    __tablename__ = "feedback_post"
    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_feedback_post_company_created", "company_id", "created_at"),
        Index("ix_feedback_post_company_votes", "company_id", "vote_count"),
        Index("ix_feedback_post_company_status", "company_id", "status_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(12), unique=True, nullable=False))
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    status_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_status.id", ondelete="RESTRICT"), nullable=False
        )
    )
    is_published: bool = True
    allow_comments: bool = True
    vote_count: int = 0
    comment_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    latest_status_change_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    moderation_status: str = Field(default=Moderation.approved.value, max_length=16, index=True)
    moderation_reason: str = Field(default="", max_length=1000)

    @classmethod
    def __staff_only__(cls) -> Any:
        """Drafts (unpublished posts) are the agency's until published; ideas awaiting approval
        (or rejected) are the agency's too."""
        return or_(
            col(cls.is_published).is_(False),
            col(cls.moderation_status) != Moderation.approved.value,
        )


class FeedbackPostCategory(SQLModel, table=True):
    __tablename__ = "feedback_post_category"
    __tenant_column__ = "company_id"

    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_post.id", ondelete="CASCADE"), primary_key=True
        )
    )
    category_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("feedback_category.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class FeedbackPostTag(SQLModel, table=True):
    __tablename__ = "feedback_post_tag"
    __tenant_column__ = "company_id"

    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_post.id", ondelete="CASCADE"), primary_key=True
        )
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_tag.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class FeedbackVote(SQLModel, table=True):
    """One vote: by a signed-in user or by an anonymous id — each at most once per post."""

    __tablename__ = "feedback_vote"
    __tenant_column__ = "company_id"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", name="uq_feedback_vote_user"),
        UniqueConstraint("post_id", "anonymous_id", name="uq_feedback_vote_anonymous"),
        Index("ix_feedback_vote_post_created", "post_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_post.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    anonymous_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackComment(SQLModel, table=True):
    """A comment on a post; a reply points at a top-level comment (one level of threading)."""

    __tablename__ = "feedback_comment"
    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_feedback_comment_post_created", "post_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_post.id", ondelete="CASCADE"), nullable=False
        )
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("feedback_comment.id", ondelete="CASCADE"), index=True
        ),
    )
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    body: str = Field(sa_column=Column(Text, nullable=False))
    pinned_to_top: bool = False
    tagged_for_changelog: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    moderation_status: str = Field(default=Moderation.approved.value, max_length=16, index=True)
    moderation_reason: str = Field(default="", max_length=1000)
    vote_count: int = 0

    @classmethod
    def __staff_only__(cls) -> Any:
        """Comments awaiting approval (or rejected) are the agency's."""
        return col(cls.moderation_status) != Moderation.approved.value


class FeedbackCommentVote(SQLModel, table=True):
    """One upvote of a comment: by a signed-in user or by an anonymous id (reference 002's
    anonymous votes), each at most once per comment."""

    __tablename__ = "feedback_comment_vote"
    __tenant_column__ = "company_id"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id", name="uq_feedback_comment_vote_user"),
        UniqueConstraint("comment_id", "anonymous_id", name="uq_feedback_comment_vote_anonymous"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    comment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedback_comment.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    anonymous_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackWidget(SQLModel, table=True):
    """An embeddable feedback widget of one board: a small script on the client's own site
    opens ``/widget/<key>`` in an iframe; only ``allowed_origins`` may frame it."""

    __tablename__ = "feedback_widget"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(24), unique=True, nullable=False))
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=WIDGET_NAME_MAX)
    type: str = Field(default="feedback", max_length=16)
    allowed_origins: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def origins(self) -> list[str]:
        return [o for o in self.allowed_origins.split() if o]


class FeedbackEntry(SQLModel, table=True):
    """A raw piece of feedback (from the widget, the API or the board), before it becomes an
    idea: its type, text, who sent it and where from. ``sentiment`` and ``focus`` are worked
    out once, when it is written (the summariser filters on them)."""

    __tablename__ = "feedback_entry"
    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_feedback_entry_company_created", "company_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    type: str = Field(default="idea", max_length=ENTRY_TYPE_MAX)
    text: str = Field(sa_column=Column(Text, nullable=False))
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    source: str = Field(default="api", max_length=32)
    widget_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("feedback_widget.id", ondelete="SET NULL"), index=True
        ),
    )
    page_url: str = Field(default="", max_length=500)
    sentiment: str = Field(default="neutral", max_length=16)
    focus: str = Field(default="functionality", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductVision(SQLModel, table=True):
    """A board's product vision (one per portal): the vision in a sentence, who it is for,
    their needs, the product and the business goals."""

    __tablename__ = "feedback_vision"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    vision: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    target_group: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    needs: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    product: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    business_goals: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackSection(SQLModel, table=True):
    """A section of a board's tab (wish list, roadmap, updates), nested through ``parent_id``
    and ordered; hidden sections are the agency's."""

    __tablename__ = "feedback_section"
    __tenant_column__ = "company_id"
    __table_args__ = (
        UniqueConstraint("company_id", "tab", "title", name="uq_feedback_section_title"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    tab: str = Field(default=StatusTab.wishlist.value, max_length=16)
    title: str = Field(max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=255)
    icon: str | None = Field(default=None, max_length=50)
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("feedback_section.id", ondelete="CASCADE"), index=True
        ),
    )
    order: int = 0
    is_hidden_for_users: bool = False
    color: str | None = Field(default=None, max_length=7)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        return col(cls.is_hidden_for_users).is_(True)


# Input families ------------------------------------------------------------------------------

VoteRole = Literal["viewer", "collaborator"]
SortValue = Literal["trending", "top", "newest"]


def _id_list(value: Any) -> Any:
    """Checkbox lists arrive with an empty entry (the hidden field that makes "none" sendable)."""
    if isinstance(value, list):
        return [v for v in value if v not in ("", None)]
    return value


def _tag_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ValueError("Tags must be a list of strings.")
    tags: list[str] = []
    for raw in value:
        if not isinstance(raw, str):
            raise ValueError("Each tag must be a string.")
        tag = raw.strip()
        if not tag:
            continue
        if len(tag) < NAME_MIN:
            raise ValueError(f"Each tag must be at least {NAME_MIN} characters.")
        if len(tag) > NAME_MAX:
            raise ValueError(f"Each tag may not be greater than {NAME_MAX} characters.")
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags


class PostCreate(InputModel):
    """A new idea: the same rules in the portal's form and on ``POST /api/v1/posts``."""

    title: str = pydantic.Field(json_schema_extra={"minLength": TITLE_MIN, "maxLength": TITLE_MAX})
    description: str = pydantic.Field(default="", max_length=DESCRIPTION_MAX)
    category_ids: list[int] = pydantic.Field(default_factory=list, max_length=20)
    status_id: int | None = pydantic.Field(default=None, ge=1)
    tags: list[str] = pydantic.Field(default_factory=list)
    is_published: bool = True

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if len(value) < TITLE_MIN:
            raise ValueError(f"The title must be at least {TITLE_MIN} characters.")
        if len(value) > TITLE_MAX:
            raise ValueError(f"The title may not be greater than {TITLE_MAX} characters.")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> list[str]:
        return _tag_list(value)

    @field_validator("category_ids", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> Any:
        return _id_list(value)


class PostUpdate(InputModel):
    """Changes to an idea; only the fields sent change."""

    title: str | None = pydantic.Field(
        default=None, json_schema_extra={"minLength": TITLE_MIN, "maxLength": TITLE_MAX}
    )
    description: str | None = pydantic.Field(default=None, max_length=DESCRIPTION_MAX)
    category_ids: list[int] | None = pydantic.Field(default=None, max_length=20)
    status_id: int | None = pydantic.Field(default=None, ge=1)
    tags: list[str] | None = None
    is_published: bool | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("The title field is required.")
        return PostCreate._title(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> list[str]:
        return _tag_list(value)

    @field_validator("category_ids", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> Any:
        return _id_list(value)


class CommentCreate(InputModel):
    """A comment or a reply (markdown; ``@name`` mentions)."""

    comment: str = pydantic.Field(json_schema_extra={"minLength": 1, "maxLength": COMMENT_MAX})
    parent_id: int | None = pydantic.Field(default=None, ge=1)
    pinned_to_top: bool = False
    tagged_for_changelog: bool = False

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str) -> str:
        if not value:
            raise ValueError("The comment field is required.")
        if len(value) > COMMENT_MAX:
            raise ValueError(f"The comment may not be greater than {COMMENT_MAX:,} characters.")
        return value


class CommentUpdate(InputModel):
    comment: str = pydantic.Field(json_schema_extra={"minLength": 1, "maxLength": COMMENT_MAX})
    pinned_to_top: bool | None = None
    tagged_for_changelog: bool | None = None

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str) -> str:
        return CommentCreate._comment(value)


def _name(value: str) -> str:
    if len(value) < NAME_MIN:
        raise ValueError(f"The name must be at least {NAME_MIN} characters.")
    if len(value) > NAME_MAX:
        raise ValueError(f"The name may not be greater than {NAME_MAX} characters.")
    return value


def _colour(value: str) -> str:
    if not HEX_COLOUR.match(value):
        raise ValueError(
            "The color format is invalid. It should be a valid hex color code (e.g., #FF5733)."
        )
    return value.upper()


class CategoryCreate(InputModel):
    """Reference 002: name 2–60 characters (unique on the board), colour a hex code."""

    name: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})
    color: str = pydantic.Field(default="#ABDEE6", json_schema_extra={"examples": ["#FF5733"]})

    @field_validator("name")
    @classmethod
    def _n(cls, value: str) -> str:
        return _name(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str) -> str:
        return _colour(value)


class CategoryUpdate(InputModel):
    name: str | None = None
    color: str | None = None

    @field_validator("name")
    @classmethod
    def _n(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The name field is required.")
        return _name(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The color field is required.")
        return _colour(value)


class StatusCreate(InputModel):
    name: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})
    color: str = "#DCD9F8"
    tab: Literal["wishlist", "roadmap", "changelog"] = "wishlist"

    @field_validator("name")
    @classmethod
    def _n(cls, value: str) -> str:
        return _name(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str) -> str:
        return _colour(value)


class StatusUpdate(InputModel):
    name: str | None = None
    color: str | None = None
    tab: Literal["wishlist", "roadmap", "changelog"] | None = None

    @field_validator("name")
    @classmethod
    def _n(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The name field is required.")
        return _name(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The color field is required.")
        return _colour(value)


class TagCreate(InputModel):
    tag: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})

    @field_validator("tag")
    @classmethod
    def _t(cls, value: str) -> str:
        if len(value) < NAME_MIN:
            raise ValueError(f"The tag must be at least {NAME_MIN} characters.")
        if len(value) > NAME_MAX:
            raise ValueError(f"The tag may not be greater than {NAME_MAX} characters.")
        return value


class BoardSettingsUpdate(InputModel):
    """Who may vote on a portal's board (everyone who sees it, or collaborators and up) and
    whether the client's ideas and comments wait for the agency's approval."""

    vote_role: VoteRole = "viewer"
    moderation: bool = False


class RejectionIn(InputModel):
    reason: str = pydantic.Field(default="", max_length=1000)


# Widgets, raw feedback, the product vision, sections ------------------------------------------

ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")
EntryTypeValue = Literal["idea", "bug", "question", "praise", "other"]
Sentiment = Literal["positive", "neutral", "negative"]
Focus = Literal["usability", "functionality", "value"]
TabKey = Literal["wishlist", "roadmap", "changelog"]


def _origin_list(value: Any) -> list[str]:
    """Origins a widget may be framed by: ``https://shop.example`` (scheme, host, port; no
    path), one per line or space-separated in the form, a list in the API."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        raise ValueError("List the origins as strings.")
    origins: list[str] = []
    for raw in value:
        if not isinstance(raw, str):
            raise ValueError("Each origin must be a string.")
        origin = raw.strip().rstrip("/").lower()
        if not origin:
            continue
        if len(origin) > 200 or not ORIGIN.match(origin):
            raise ValueError(
                f"“{origin[:60]}” is not an origin: write it as https://example.com "
                "(scheme and host, an optional port, no path)."
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > 20:
        raise ValueError("A widget may list at most 20 origins.")
    return origins


def _widget_name(value: str) -> str:
    if len(value) < NAME_MIN:
        raise ValueError(f"The name must be at least {NAME_MIN} characters.")
    if len(value) > WIDGET_NAME_MAX:
        raise ValueError(f"The name may not be greater than {WIDGET_NAME_MAX} characters.")
    return value


class WidgetCreate(InputModel):
    """A widget: its name and the sites (origins) that may show it."""

    name: str = pydantic.Field(
        json_schema_extra={"minLength": NAME_MIN, "maxLength": WIDGET_NAME_MAX}
    )
    allowed_origins: list[str] = pydantic.Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _n(cls, value: str) -> str:
        return _widget_name(value)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _o(cls, value: Any) -> list[str]:
        return _origin_list(value)


class WidgetUpdate(InputModel):
    name: str | None = None
    allowed_origins: list[str] | None = None

    @field_validator("name")
    @classmethod
    def _n(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The name field is required.")
        return _widget_name(value)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _o(cls, value: Any) -> list[str]:
        return _origin_list(value)


def _feedback_text(value: str) -> str:
    if not value:
        raise ValueError("The feedback field is required.")
    if len(value) > ENTRY_TEXT_MAX:
        raise ValueError(f"The feedback may not be greater than {ENTRY_TEXT_MAX:,} characters.")
    return value


class EntryCreate(InputModel):
    """Reference 002 ``POST /feedback``: ``type`` and ``feedback`` (the text)."""

    type: EntryTypeValue = "idea"
    feedback: str = pydantic.Field(json_schema_extra={"minLength": 1, "maxLength": ENTRY_TEXT_MAX})
    page_url: str = pydantic.Field(default="", max_length=500)

    @field_validator("feedback")
    @classmethod
    def _f(cls, value: str) -> str:
        return _feedback_text(value)


class EntryUpdate(InputModel):
    feedback: str = pydantic.Field(json_schema_extra={"minLength": 1, "maxLength": ENTRY_TEXT_MAX})
    type: EntryTypeValue | None = None

    @field_validator("feedback")
    @classmethod
    def _f(cls, value: str) -> str:
        if not value:
            raise ValueError("The feedback field must be given.")
        return _feedback_text(value)


class SummarizeFilters(InputModel):
    """Reference 002 ``POST /feedback/summarize``: which entries to summarise."""

    sentiment: Sentiment | None = None
    focus: Focus | None = None
    source: str | None = pydantic.Field(default=None, max_length=32)
    widget: str | None = pydantic.Field(default=None, max_length=24, description="A widget's key")
    created_from: datetime | None = None
    created_to: datetime | None = None
    keyword: str | None = pydantic.Field(default=None, max_length=100)

    @field_validator("created_from", "created_to")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """A date without a zone is UTC; one that cannot be told in UTC is refused."""
        if value is None:
            return None
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValueError("Must be a valid date.") from None


def _vision_text(value: str) -> str:
    if len(value) > VISION_FIELD_MAX:
        raise ValueError(f"This may not be greater than {VISION_FIELD_MAX:,} characters.")
    return value


class VisionUpdate(InputModel):
    """The product vision board's five boxes; the vision itself is required."""

    vision: str = pydantic.Field(json_schema_extra={"minLength": 1, "maxLength": VISION_FIELD_MAX})
    target_group: str = ""
    needs: str = ""
    product: str = ""
    business_goals: str = ""

    @field_validator("vision")
    @classmethod
    def _v(cls, value: str) -> str:
        if not value:
            raise ValueError("The vision field is required.")
        return _vision_text(value)

    @field_validator("target_group", "needs", "product", "business_goals")
    @classmethod
    def _others(cls, value: str) -> str:
        return _vision_text(value)


def _section_title(value: str) -> str:
    if len(value) < NAME_MIN:
        raise ValueError(f"The title must be at least {NAME_MIN} characters.")
    if len(value) > NAME_MAX:
        raise ValueError(f"The title may not be greater than {NAME_MAX} characters.")
    return value


def _section_colour(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    return _colour(value)


class SectionCreate(InputModel):
    """Reference 002 ``POST /sections``: title 2–60 (unique in its tab), description ≤ 255,
    icon ≤ 50, the tab, an optional parent and the section to come after."""

    title: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})
    description: str | None = pydantic.Field(default=None, max_length=255)
    icon: str | None = pydantic.Field(default=None, max_length=50)
    tab_id: TabKey = "wishlist"
    parent_id: int | None = pydantic.Field(default=None, ge=1, le=2**63 - 1)
    after_id: int | None = pydantic.Field(default=None, ge=1, le=2**63 - 1)
    color: str | None = pydantic.Field(default=None, max_length=7)

    @field_validator("title")
    @classmethod
    def _t(cls, value: str) -> str:
        return _section_title(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str | None) -> str | None:
        return _section_colour(value)


class SectionUpdate(InputModel):
    title: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})
    description: str | None = pydantic.Field(default=None, max_length=255)
    icon: str | None = pydantic.Field(default=None, max_length=50)
    is_hidden_for_users: bool | None = None
    parent_id: int | None = pydantic.Field(default=None, ge=1, le=2**63 - 1)
    color: str | None = pydantic.Field(default=None, max_length=7)

    @field_validator("title")
    @classmethod
    def _t(cls, value: str) -> str:
        if not value:
            raise ValueError("The title must be given.")
        return _section_title(value)

    @field_validator("color")
    @classmethod
    def _c(cls, value: str | None) -> str | None:
        return _section_colour(value)


class GroupCreate(InputModel):
    """A new group: a name (2–60 characters, unique on the board) and an optional description."""

    name: str = pydantic.Field(json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX})
    description: str | None = pydantic.Field(default=None, max_length=GROUP_DESCRIPTION_MAX)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if len(value) < NAME_MIN:
            raise ValueError(f"The name must be at least {NAME_MIN} characters.")
        if len(value) > NAME_MAX:
            raise ValueError(f"The name may not be greater than {NAME_MAX} characters.")
        return value


class GroupUpdate(InputModel):
    """Changes to a group; only the fields sent change."""

    name: str | None = pydantic.Field(
        default=None, json_schema_extra={"minLength": NAME_MIN, "maxLength": NAME_MAX}
    )
    description: str | None = pydantic.Field(default=None, max_length=GROUP_DESCRIPTION_MAX)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("The name field is required.")
        return GroupCreate._name(value)
