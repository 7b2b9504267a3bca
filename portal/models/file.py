"""Files: folders, files with versions and approval, downloads, request links, publishing.

The tables, then the input families the Files tab's forms and the files API both validate with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlparse

import pydantic
from pydantic import BeforeValidator
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.filetypes import safe_display_name
from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import parse_int


class ApprovalStatus(StrEnum):
    none = "none"
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


def _company_fk() -> Column:
    return Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False)


def _user_fk(*, index: bool = True) -> Column:
    return Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=index)


class FileFolder(SQLModel, table=True):
    """A folder in a company's Files tab; ``parent_id`` nests folders."""

    __tablename__ = "file_folder"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("company_id", "parent_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("file_folder.id", ondelete="CASCADE"), index=True),
    )
    name: str = Field(max_length=120)
    created_by_id: int | None = Field(default=None, sa_column=_user_fk(index=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PortalFile(SQLModel, table=True):
    """A file (or linked URL) in a portal; the current version's blob is ``stored_key``."""

    __tablename__ = "portal_file"
    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_portal_file_company_folder_created", "company_id", "folder_id", "created_at"),
        Index("ix_portal_file_company_name", "company_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    folder_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("file_folder.id", ondelete="SET NULL"), index=True),
    )
    name: str = Field(max_length=200)  # display name, sanitised
    stored_key: str | None = Field(default=None, max_length=300)  # None for linked files
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    content_type: str = Field(default="", max_length=120)
    sha256: str = Field(default="", max_length=64)
    linked_url: str | None = Field(default=None, max_length=2000)
    # a small JPEG of an image or a PDF's first page (services/files/thumbnails.py); None: the
    # type icon stands in
    thumb_key: str | None = Field(default=None, max_length=320)
    uploaded_by_id: int | None = Field(default=None, sa_column=_user_fk())
    request_link_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("file_request_link.id", ondelete="SET NULL")),
    )
    uploader_label: str = Field(default="", max_length=200)
    approval_status: str = Field(default=ApprovalStatus.none.value, max_length=16, index=True)
    approver_id: int | None = Field(default=None, sa_column=_user_fk())
    rejection_note: str | None = Field(default=None, max_length=2000)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)

    @property
    def is_linked(self) -> bool:
        return self.linked_url is not None


class FileVersion(SQLModel, table=True):
    """Every uploaded version of a file; the newest is mirrored on the file row.

    ``pending_temp_ref`` names the temporary object still to be promoted to ``stored_key`` once
    the row is committed (cleared by the cleanup job; a download repairs a missed promotion).
    """

    __tablename__ = "file_version"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("file_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("portal_file.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(sa_column=_company_fk())
    version: int
    name: str = Field(max_length=200)
    stored_key: str = Field(max_length=300)
    pending_temp_ref: str | None = Field(default=None, max_length=300)
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    content_type: str = Field(default="", max_length=120)
    sha256: str = Field(default="", max_length=64)
    uploaded_by_id: int | None = Field(default=None, sa_column=_user_fk())
    uploader_label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FileDownload(SQLModel, table=True):
    """Who downloaded what, when (visible to staff)."""

    __tablename__ = "file_download"
    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_file_download_company_created", "company_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("portal_file.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(sa_column=_company_fk())
    user_id: int | None = Field(default=None, sa_column=_user_fk())
    actor_label: str = Field(default="", max_length=200)
    version: int = 1
    inline: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FileRequestLink(SQLModel, table=True):
    """A tokenised upload link a contact can use without an account (token hashed at rest)."""

    __tablename__ = "file_request_link"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=200)
    folder_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("file_folder.id", ondelete="SET NULL")),
    )
    approver_id: int | None = Field(default=None, sa_column=_user_fk(index=False))
    expires_at: datetime = Field(sa_type=UTCDateTime)
    max_files: int = 10
    uses: int = 0
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=_user_fk(index=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UploadSession(SQLModel, table=True):
    """A chunked, resumable upload in progress: chunks append to a temporary object."""

    __tablename__ = "upload_session"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)  # the public upload id
    company_id: int = Field(sa_column=_company_fk())
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    folder_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("file_folder.id", ondelete="SET NULL")),
    )
    file_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("portal_file.id", ondelete="CASCADE")),
    )  # set when uploading a new version
    approver_id: int | None = Field(default=None, sa_column=_user_fk(index=False))
    name: str = Field(max_length=200)
    total_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    temp_ref: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FilePublication(SQLModel, table=True):
    """A file published to a contact (reference 001), and when they were notified."""

    __tablename__ = "file_publication"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("file_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("portal_file.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(sa_column=_company_fk())
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    published_by_id: int | None = Field(default=None, sa_column=_user_fk(index=False))
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ContactPublishingPreference(SQLModel, table=True):
    """Whether a contact wants files published to their portal (absent row = yes)."""

    __tablename__ = "contact_publishing_preference"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    receive_published_files: bool = True


# Input families ------------------------------------------------------------------------------

MAX_FILE_BYTES = 2**63 - 1


def _optional_id(message: str) -> Callable[[Any], int | None]:
    """Blank (or 0, the "none" of a select) is None; anything else must be a possible id."""

    def parse(value: Any) -> int | None:
        if value is None or value == 0 or (isinstance(value, str) and value.strip() in {"", "0"}):
            return None
        pk = parse_int(value, minimum=1)
        if pk is None:
            raise ValueError(message)
        return pk

    return parse


FolderId = Annotated[int | None, BeforeValidator(_optional_id("Choose a folder from the list."))]
FileId = Annotated[int | None, BeforeValidator(_optional_id("No such file."))]
ApproverId = Annotated[
    int | None, BeforeValidator(_optional_id("Choose an approver from the list."))
]


def _int_between(low: int, high: int, message: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = parse_int(value, minimum=low, maximum=high)
        if number is None:
            raise ValueError(message)
        return number

    return parse


class FolderCreate(InputModel):
    name: str = ""
    parent_id: FolderId = None

    @pydantic.field_validator("name")
    @classmethod
    def _clean_name(cls, value: str) -> str:
        clean = safe_display_name(value, fallback="")[:120]
        if not clean:
            raise ValueError("Give the folder a name.")
        return clean


class FileTargets(InputModel):
    """Where an upload lands: a folder (or the top), a file it is a new version of, and who
    must approve it (nobody when empty)."""

    folder_id: FolderId = None
    approver_id: ApproverId = None
    file_id: FileId = None


class UploadStart(FileTargets):
    """The start of a chunked upload: the name and announced size, checked before any byte."""

    name: str = ""
    size: Annotated[
        int,
        BeforeValidator(_int_between(0, MAX_FILE_BYTES, "Give the file's size in bytes.")),
    ]

    @pydantic.field_validator("size")
    @classmethod
    def _not_empty(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("That file is empty.")
        return value


def _http_url(value: str, message: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or len(value) > 2000:
        raise ValueError(message)
    return value


class FileLinkCreate(InputModel):
    """A linked file: an external http(s) address listed with the files."""

    url: str = ""
    name: str = pydantic.Field(default="", max_length=200)
    folder_id: FolderId = None
    approver_id: ApproverId = None

    @pydantic.field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return _http_url(value, "Enter a full http:// or https:// address.")


class FileRejection(InputModel):
    note: str = pydantic.Field(default="", validate_default=True)

    @pydantic.field_validator("note")
    @classmethod
    def _says_why(cls, value: str) -> str:
        if not value:
            raise ValueError("Say what needs to change.")
        if len(value) > 2000:
            raise ValueError("Keep the note under 2,000 characters.")
        return value


class RequestLinkCreate(InputModel):
    """A file request link: what it is for, how long it lives, how many files it takes."""

    label: str = pydantic.Field(default="", validate_default=True)
    expires_in_days: Annotated[
        int, BeforeValidator(_int_between(1, 90, "Between 1 and 90 days."))
    ] = 7
    max_files: Annotated[int, BeforeValidator(_int_between(1, 100, "Between 1 and 100 files."))] = (
        10
    )
    folder_id: FolderId = None

    @pydantic.field_validator("label")
    @classmethod
    def _says_what_for(cls, value: str) -> str:
        if not value:
            raise ValueError("Say what the files are for, e.g. “Signed contracts”.")
        return value[:200]
