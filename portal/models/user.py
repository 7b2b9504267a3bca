from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

import pydantic
from pydantic import AfterValidator, StringConstraints, field_validator
from sqlalchemy import JSON, Column, ForeignKey, Integer, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.passwords import password_problems
from portal.validation import InputModel


class ClientRole(StrEnum):
    viewer = "viewer"
    collaborator = "collaborator"
    admin = "admin"


CLIENT_ROLE_RANK = {ClientRole.viewer: 0, ClientRole.collaborator: 1, ClientRole.admin: 2}


SEGMENT_MAX = 255
SEGMENTS = tuple(f"segment_{i}" for i in range(1, 11))


class User(SQLModel, table=True):
    """A person: a client user (company + role) or a staff user (roles with permission nodes)."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    is_staff: bool = Field(default=False, index=True)
    company_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True),
    )
    client_role: str | None = Field(default=None, max_length=16)
    is_active: bool = True
    session_version: int = 1
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Reference 002's board-member fields (the API's users carry them; Stoa reads none of them)
    admin_accepted: bool | None = None
    verified: bool | None = None  # None: verified once a password is set
    sso_uid: str | None = Field(default=None, max_length=SEGMENT_MAX)
    sso_avatar_url: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_1: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_2: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_3: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_4: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_5: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_6: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_7: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_8: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_9: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_10: str | None = Field(default=None, max_length=SEGMENT_MAX)
    segment_mrr: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    segment_arr: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    segment_ltv: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    email_unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # the version makes "sign out everywhere" invalidate every existing session
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class Role(SQLModel, table=True):
    """A staff role: a named set of permission nodes (``invoice.create``, ``network.*``, ``*``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=400)
    permissions: list[str] = Field(default_factory=list, sa_type=JSON)
    # A built-in role's ledger: the default nodes it has been offered so far. A default not in
    # it is new and gets added on update; one in it but not in ``permissions`` was taken away
    # by an admin and stays away (``services.accounts.users.update_builtin_roles``).
    default_nodes: list[str] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# A role's nodes as sent by a form or an API body (the service checks each is known).
PermissionList = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]],
    pydantic.Field(max_length=500),
]


class RoleCreate(InputModel):
    """A new staff role: a title (unique), what it is for, its permission nodes."""

    title: str = pydantic.Field(max_length=80)
    description: str = pydantic.Field(default="", max_length=400)
    permissions: PermissionList = pydantic.Field(default_factory=list)

    @field_validator("title")
    @classmethod
    def _titled(cls, value: str) -> str:
        if not value:
            raise ValueError("Give the role a name, e.g. “Billing”.")
        return value


class RoleUpdate(InputModel):
    """A role's changes; what is absent stays. ``permissions`` replaces the whole set."""

    title: str | None = pydantic.Field(default=None, max_length=80)
    description: str | None = pydantic.Field(default=None, max_length=400)
    permissions: PermissionList | None = None

    @field_validator("title")
    @classmethod
    def _titled(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("A role needs a name.")
        return value


class PermissionsBody(InputModel):
    """``{"permissions": [node, …]}``: nodes to add, remove or check."""

    permissions: PermissionList = pydantic.Field(min_length=1)


class UserRole(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    role_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("role.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class PortalManager(SQLModel, table=True):
    """A project manager assigned to a company's portal."""

    __table_args__ = (UniqueConstraint("user_id", "company_id"),)
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class Invitation(SQLModel, table=True):
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    email: str = Field(max_length=254, index=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(default=ClientRole.collaborator.value, max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    # the invitation email in the outbox: its status is what the invitation list shows
    email_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("emailoutbox.id", ondelete="SET NULL"), index=True),
    )
    invited_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # a revoked invitation's link answers "revoked" instead of the sign-up form
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class MagicLink(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    next_url: str | None = Field(default=None, max_length=500)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """One signed-in browser: its cookie names the key, only the key's hash is stored here.

    Signing out deletes the row, so a copy of the cookie stops working at once.
    """

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


ClientRoleValue = Literal["viewer", "collaborator", "admin"]


class InviteCreate(InputModel):
    """An invitation to a company's portal (the Settings tab form and the API alike).

    The address is checked and normalised by the service: an invalid one is the API's
    ``400 invalid_email`` (SPEC §4), not a validation error.
    """

    email: str = pydantic.Field(max_length=254)
    name: str = pydantic.Field(default="", max_length=200)
    role: ClientRoleValue = "collaborator"


class ClientRoleChange(InputModel):
    """A client user's new role (the People page and the Settings tab)."""

    role: ClientRoleValue


def _password_rules(value: str) -> str:
    problems = password_problems(value)
    if problems:
        raise ValueError(" ".join(problems))
    return value


# Passwords are taken exactly as typed (never stripped); a new one must pass the password rules.
Secret = Annotated[str, StringConstraints(strip_whitespace=False)]
NewPassword = Annotated[Secret, AfterValidator(_password_rules)]


class InvitationAccept(InputModel):
    """The invitee's name and first password (the invitation link's form)."""

    name: str = pydantic.Field(default="", max_length=200, validate_default=True)
    password: NewPassword = pydantic.Field(default="", validate_default=True)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("Tell us your name.")
        return value


class ProfileUpdate(InputModel):
    """What anyone may change about themselves on /account."""

    name: str = pydantic.Field(default="", max_length=200, validate_default=True)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("Your name can't be empty.")
        return value


class PasswordChange(InputModel):
    """Changing one's own password (the current one is checked by the service)."""

    current_password: Secret = ""
    new_password: NewPassword = pydantic.Field(default="", validate_default=True)


# Reference 002's users (``POST/PUT/PATCH /api/v1/users``) -----------------------------------

# 002's roles are "admin" and "member" (a member posts, votes and comments: a collaborator);
# Stoa's own client roles are accepted as well.
BOARD_ROLES = {
    "admin": "admin",
    "member": "collaborator",
    "collaborator": "collaborator",
    "viewer": "viewer",
}
ROLE_INVALID = "The selected role is invalid."
Segment = Annotated[str, StringConstraints(max_length=SEGMENT_MAX)]
Money = Annotated[
    Decimal,
    pydantic.Field(max_digits=16, decimal_places=2),
    AfterValidator(lambda d: d.quantize(Decimal("0.01"))),
]


def _board_role(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in BOARD_ROLES:
        raise ValueError(ROLE_INVALID)
    return BOARD_ROLES[value]


def _url(value: str | None) -> str | None:
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValueError("The sso avatar url must be a valid URL.")
    return value or None


class PersonFields(InputModel):
    """The board-member fields reference 002 lets a key set on a user."""

    name: str | None = pydantic.Field(default=None, max_length=100)
    created_at: datetime | None = None
    is_blocked: bool | None = None
    verified: bool | None = None
    admin_accepted: bool | None = None
    sso_uid: Segment | None = None
    sso_avatar_url: Segment | None = None
    segment_1: Segment | None = None
    segment_2: Segment | None = None
    segment_3: Segment | None = None
    segment_4: Segment | None = None
    segment_5: Segment | None = None
    segment_6: Segment | None = None
    segment_7: Segment | None = None
    segment_8: Segment | None = None
    segment_9: Segment | None = None
    segment_10: Segment | None = None
    segment_mrr: Money | None = None
    segment_arr: Money | None = None
    segment_ltv: Money | None = None
    email_unsubscribed_at: datetime | None = None

    @field_validator("sso_avatar_url")
    @classmethod
    def _avatar(cls, value: str | None) -> str | None:
        return _url(value)


class PersonCreate(PersonFields):
    """A new user of a company's portal: with a password (ready to sign in) or without (they
    are emailed how to sign in, unless ``skip_email``)."""

    email: str = pydantic.Field(max_length=191)
    role: str
    password: NewPassword | None = pydantic.Field(default=None, max_length=100)
    invitation_message: str | None = pydantic.Field(default=None, max_length=1000)
    skip_email: str | None = pydantic.Field(default=None, max_length=20)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return _board_role(value) or ""


class PersonUpdate(PersonFields):
    """Changes to a user; only the fields sent (and not null) change, as 002 says."""

    email: str | None = pydantic.Field(default=None, max_length=191)
    role: str | None = None
    password: NewPassword | None = pydantic.Field(default=None, max_length=100)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        return _board_role(value)
