"""Request and response shapes of the board's structure and raw feedback (reference 002):
``/portal``, ``/tabs``, ``/sections``, ``/widgets``, ``/feedback``, ``/product-vision``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from blueprints.api.schemas import MAX_ID, ApiModel
from blueprints.api.v1.feedback_schemas import AuthorOut
from portal.models.feedback import (
    EntryCreate,
    EntryUpdate,
    SectionCreate,
    SectionUpdate,
    SummarizeFilters,
    VisionUpdate,
)

# Paths and queries -----------------------------------------------------------------------------


class SectionPath(ApiModel):
    section_id: int = Field(ge=1, le=MAX_ID)


class TabPath(ApiModel):
    tab_key: str = Field(max_length=32, description="The tab's slug: wishlist, roadmap, changelog")


class WidgetPath(ApiModel):
    widget_key: str = Field(max_length=64, description="The widget's key (its string id)")


class EntryPath(ApiModel):
    entry_id: int = Field(ge=1, le=MAX_ID)


class BoardQuery(ApiModel):
    portal_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Agency keys: the portal whose board"
    )


class SectionQuery(ApiModel):
    tab: str | None = Field(default=None, max_length=32, description="Only this tab's sections")


# Bodies ----------------------------------------------------------------------------------------


class EntryIn(EntryCreate):
    user_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Send as this user")
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class EntryPatch(EntryUpdate):
    pass


class SummarizeIn(SummarizeFilters):
    pass


class VisionIn(VisionUpdate):
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class VisionGenerateIn(ApiModel):
    description: str = Field(default="", max_length=5000, description="The vision in a sentence")
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class SectionIn(SectionCreate):
    portal_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class SectionPatch(SectionUpdate):
    pass


# Answers ---------------------------------------------------------------------------------------


class BoardPortalOut(BaseModel):
    id: int
    guid: str
    title: str
    slug: str
    localization: str


class BoardPortalData(BaseModel):
    data: BoardPortalOut


class TabOut(BaseModel):
    id: str
    name: str
    slug: str


class TabData(BaseModel):
    data: TabOut


class TabList(BaseModel):
    data: list[TabOut]


class SectionOut(BaseModel):
    id: int
    tab_id: str
    title: str
    description: str | None
    icon: str | None
    parent_id: int | None
    order: int
    created_at: datetime
    updated_at: datetime
    is_hidden_for_users: bool
    color: str | None
    portal_id: int


class SectionData(BaseModel):
    data: SectionOut


class SectionList(BaseModel):
    data: list[SectionOut]


class WidgetOut(BaseModel):
    id: str = Field(description="The widget's key")
    name: str
    type: str
    allowed_origins: list[str]
    embed_url: str = Field(description="The iframe page")
    script_url: str = Field(description="The script to put on the client's site")
    created_at: datetime
    updated_at: datetime
    portal_id: int


class WidgetData(BaseModel):
    data: WidgetOut


class WidgetList(BaseModel):
    data: list[WidgetOut]


class EntryOut(BaseModel):
    id: int
    type: str
    feedback: str
    user: AuthorOut | None
    source: str
    widget: str | None = Field(description="The widget's key, when it came through one")
    page_url: str
    sentiment: str
    focus: str
    created_at: datetime
    updated_at: datetime
    portal_id: int


class EntryData(BaseModel):
    data: EntryOut


class EntryList(BaseModel):
    data: list[EntryOut]


class WordCount(BaseModel):
    word: str
    count: int


class FeedbackSummaryOut(BaseModel):
    summary: str
    total: int
    by_type: dict[str, int]
    by_sentiment: dict[str, int]
    by_focus: dict[str, int]
    by_source: dict[str, int]
    top_words: list[WordCount]
    highlights: list[str]
    engine: str = Field(description="offline, or the model that wrote the summary")
    note: str | None = Field(
        default=None, description="Why the model's summary is missing, when it is"
    )


class FeedbackSummaryData(BaseModel):
    data: FeedbackSummaryOut


class VisionOut(BaseModel):
    id: int
    vision: str
    target_group: str
    needs: str
    product: str
    business_goals: str
    created_at: datetime
    updated_at: datetime
    portal_id: int


class VisionData(BaseModel):
    data: VisionOut | None
