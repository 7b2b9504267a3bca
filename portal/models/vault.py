"""The credentials vault (reference 004): credential types with fields, credentials per company
with sub-credentials. Secure values are stored encrypted (``portal.crypto``) and never in the
plain ``values`` column."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from enum import StrEnum
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import checked_input


class ValueType(StrEnum):
    """Reference 004's value types (``GET /credential/valuetypes``)."""

    plain_text = "plain_text"
    license_key = "license_key"
    ip_address = "ip_address"
    generic_secret = "generic_secret"
    bitlocker_key = "bitlocker_key"
    password = "password"
    multi_credential = "multi_credential"


VALUE_TYPE_LABELS: dict[str, str] = {
    "plain_text": "Text",
    "license_key": "Licence key",
    "ip_address": "IP address",
    "generic_secret": "Secret",
    "bitlocker_key": "BitLocker key",
    "password": "Password",
    "multi_credential": "Sub-credentials",
}

# The keys of the API objects, one field node each (``obj.credential.<key>``, FIELD_SCOPES).
CREDENTIAL_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "notes",
    "typeId",
    "companyId",
    "subCredentialOfId",
    "fields",
    "type",
    "company",
    "createdAt",
    "updatedAt",
)
CREDENTIAL_TYPE_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "permissionScope",
    "icon",
    "fields",
    "credentialCount",
    "createdAt",
    "updatedAt",
)

FIELD_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
MAX_VALUE = 10_000


class CredentialType(SQLModel, table=True):
    """A kind of credential (Website admin, Router…): the agency's catalogue, not tenant data.

    ``fields`` holds the field definitions as reference 004 writes them:
    ``{id, name, required, secure, valueType, subFields?}``.
    """

    __tablename__ = "credential_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    permission_scope: str = Field(default="", max_length=120)
    icon: str = Field(default="", max_length=500)
    fields: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Credential(SQLModel, table=True):
    """One company's credential; a sub-credential names its parent and the parent's
    multi-credential field. ``secrets`` maps a secure field id to its Fernet token."""

    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_credential_company_name", "company_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    type_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("credential_type.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("credential.id", ondelete="CASCADE"), index=True),
    )
    parent_field_id: str = Field(default="", max_length=64)
    name: str = Field(max_length=200)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    values: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    secrets: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Input -------------------------------------------------------------------------------------


class _In(BaseModel):
    """Vault input: camelCase as reference 004 sends it (snake_case accepted), unknown keys
    ignored, NUL refused. Values are not stripped: a password may begin with a space."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, data: Any) -> Any:
        return checked_input(data)


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Give it a name.")
    return value


class FieldDef(_In):
    """One field of a credential type."""

    id: str = pydantic.Field(pattern=FIELD_ID_PATTERN, description="Key, e.g. adminPassword")
    name: str = pydantic.Field(max_length=120)
    required: bool = False
    secure: bool = False
    valueType: ValueType = ValueType.plain_text
    subFields: list[FieldDef] | None = pydantic.Field(default=None, max_length=50)

    _name = field_validator("name")(_clean_name)

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.valueType == ValueType.multi_credential:
            if self.secure:
                raise ValueError("A sub-credentials field holds no value of its own to encrypt.")
            ids = [f.id for f in self.subFields or []]
            if len(ids) != len(set(ids)):
                raise ValueError("Each sub-field needs its own id.")
        elif self.subFields:
            raise ValueError("Only a sub-credentials field has sub-fields.")
        return self


def _unique_fields(fields: list[FieldDef] | None) -> list[FieldDef] | None:
    if fields is not None:
        ids = [f.id for f in fields]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"Each field needs its own id ({', '.join(dupes)} repeated).")
    return fields


class CredentialTypeCreate(_In):
    name: str = pydantic.Field(max_length=120)
    permissionScope: str = pydantic.Field(
        default="", max_length=120, pattern=r"^([a-z0-9_]+(\.[a-z0-9_]+)*)?$"
    )
    icon: str = pydantic.Field(default="", max_length=500)
    fields: list[FieldDef] = pydantic.Field(min_length=1, max_length=50)

    _name = field_validator("name")(_clean_name)
    _unique = field_validator("fields")(_unique_fields)


class CredentialTypeUpdate(_In):
    name: str | None = pydantic.Field(default=None, max_length=120)
    permissionScope: str | None = pydantic.Field(
        default=None, max_length=120, pattern=r"^([a-z0-9_]+(\.[a-z0-9_]+)*)?$"
    )
    icon: str | None = pydantic.Field(default=None, max_length=500)
    fields: list[FieldDef] | None = pydantic.Field(default=None, min_length=1, max_length=50)

    _unique = field_validator("fields")(_unique_fields)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)


class FieldValue(_In):
    fieldId: str = pydantic.Field(max_length=64)
    value: str | None = pydantic.Field(default=None, max_length=MAX_VALUE)


class SubCredentialCreate(_In):
    name: str = pydantic.Field(max_length=200)
    fields: list[FieldValue] = pydantic.Field(default_factory=list, max_length=50)

    _name = field_validator("name")(_clean_name)


class SubCredentialAdd(SubCredentialCreate):
    fieldId: str = pydantic.Field(max_length=64, description="The multi-credential field")


class CredentialCreate(_In):
    name: str = pydantic.Field(max_length=200)
    notes: str = pydantic.Field(default="", max_length=5000)
    typeId: int = pydantic.Field(ge=1, le=2**31 - 1)
    companyId: int = pydantic.Field(ge=1, le=2**31 - 1)
    fields: list[FieldValue] = pydantic.Field(default_factory=list, max_length=50)
    subCredentials: dict[str, list[SubCredentialCreate]] = pydantic.Field(
        default_factory=dict, max_length=20
    )

    _name = field_validator("name")(_clean_name)


class CredentialUpdate(_In):
    name: str | None = pydantic.Field(default=None, max_length=200)
    notes: str | None = pydantic.Field(default=None, max_length=5000)
    fields: list[FieldValue] | None = pydantic.Field(default=None, max_length=50)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)


def value_problem(value_type: str, value: str) -> str | None:
    """Why ``value`` is not a valid ``value_type`` (None when it is)."""
    if value_type == ValueType.ip_address:
        try:
            ipaddress.ip_address(value.strip())
        except ValueError:
            return "Enter an IPv4 or IPv6 address, e.g. 192.168.1.1."
    return None
