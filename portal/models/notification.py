from __future__ import annotations

from datetime import datetime

from pydantic import Field as InputField
from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel


class Notification(SQLModel, table=True):
    """One in-app notification for one user (SPEC §6)."""

    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_subject", "subject_type", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    company_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True),
    )
    type: str = Field(max_length=48, index=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=2000)
    url: str | None = Field(default=None, max_length=500)
    actor_label: str = Field(default="", max_length=200)
    # the object it is about ("deliverable", 12): repeats collapse into one row per person, and
    # the "please act" ones are marked done when the work is done
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: int | None = None
    repeats: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # email digest bookkeeping: set when mailed, or when it was decided never to mail it
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    in_app: bool = True  # False: email-only, never listed in the portal
    email_wanted: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A user's choice per notification type and channel (absent row = the type's defaults)."""

    __table_args__ = (UniqueConstraint("user_id", "notification_type"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    notification_type: str = Field(max_length=48)
    channel_in_app: bool = True
    channel_email: bool = True


class NotificationPreferenceChoice(InputModel):
    """One type's channels as a person chose them (types are checked by the service)."""

    notification_type: str = InputField(max_length=48)
    channel_in_app: bool
    channel_email: bool


class NotificationPreferencesUpdate(InputModel):
    """The choices saved at once: from the preferences form, or the worker API."""

    preferences: list[NotificationPreferenceChoice] = InputField(max_length=100)
