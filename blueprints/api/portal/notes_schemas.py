"""Reference 000 shapes for notes, announcements and notifications (camelCase, string ids).

Request bodies are the input families of ``portal.models`` (one set of rules for forms and the
API), published under the worker's camelCase names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.models import Announcement, Note, Notification
from portal.models.note import NoteCreate
from portal.models.notification import NotificationPreferenceChoice
from portal.text import render_markdown


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def _worker_alias(name: str) -> str:
    return {"body": "content"}.get(name, to_camel(name))


def _string_ids(schema: dict[str, Any]) -> None:
    """Reference 000 sends ids as strings; publish them so (plain numbers are accepted too)."""
    for name in ("resourceId", "parentId", "portalUserId"):
        schema["properties"][name] = {
            "anyOf": [{"type": "string", "pattern": r"^\d{1,10}$"}, {"type": "null"}],
            "default": None,
        }


class WorkerNoteCreate(NoteCreate):
    """A note as the worker posts it: ``content``, ``resourceType``/``resourceId`` or
    ``parentId``, and ``portalUserId`` when it sent no X-Portal-User-Id."""

    model_config = ConfigDict(
        alias_generator=_worker_alias, populate_by_name=True, json_schema_extra=_string_ids
    )

    portal_user_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class NoteOut(BaseModel):
    id: str
    companyId: str
    resourceType: str
    resourceId: str
    parentId: str | None
    authorId: str | None
    authorName: str
    content: str
    contentHtml: str = Field(description="The content rendered from markdown and sanitised.")
    isInternal: bool
    createdAt: datetime
    editedAt: datetime | None


class NotesOut(BaseModel):
    notes: list[NoteOut]


class CreatedOut(BaseModel):
    id: str


class AnnouncementOut(BaseModel):
    id: str
    companyId: str | None
    title: str
    content: str
    contentHtml: str
    publishedAt: datetime


class AnnouncementsOut(BaseModel):
    announcements: list[AnnouncementOut]


class NotificationOut(BaseModel):
    id: str
    type: str
    title: str
    body: str
    url: str | None
    actorName: str
    read: bool
    readAt: datetime | None
    archivedAt: datetime | None
    createdAt: datetime


class NotificationsOut(BaseModel):
    notifications: list[NotificationOut]
    limit: int
    offset: int
    total: int


class NotificationsQuery(PageQuery):
    filter: Literal["all", "unread", "archived"] = "all"


class UnreadOut(BaseModel):
    unread_count: int


class OkOut(BaseModel):
    ok: bool = True


class NotificationPath(ApiModel):
    notification_id: int = Field(ge=1, le=MAX_ID)


class PreferenceOut(NotificationPreferenceChoice):
    label: str = ""


class PreferencesOut(BaseModel):
    preferences: list[PreferenceOut]


def note_out(note: Note, author_name: str) -> dict[str, Any]:
    return NoteOut(
        id=str(note.id),
        companyId=str(note.company_id),
        resourceType=note.resource_type,
        resourceId=str(note.resource_id),
        parentId=_sid(note.parent_id),
        authorId=_sid(note.author_id),
        authorName=author_name,
        content=note.body,
        contentHtml=str(render_markdown(note.body)),
        isInternal=note.is_internal,
        createdAt=note.created_at,
        editedAt=note.edited_at,
    ).model_dump(mode="json")


def notification_out(n: Notification) -> dict[str, Any]:
    return NotificationOut(
        id=str(n.id),
        type=n.type,
        title=n.title,
        body=n.body,
        url=n.url,
        actorName=n.actor_label,
        read=n.read_at is not None,
        readAt=n.read_at,
        archivedAt=n.archived_at,
        createdAt=n.created_at,
    ).model_dump(mode="json")


def announcement_out(a: Announcement) -> dict[str, Any]:
    """One announcement as the worker API shows it (also on the worker dashboard)."""
    return AnnouncementOut(
        id=str(a.id),
        companyId=_sid(a.company_id),
        title=a.title,
        content=a.body,
        contentHtml=str(render_markdown(a.body)),
        publishedAt=a.published_at,
    ).model_dump(mode="json")
