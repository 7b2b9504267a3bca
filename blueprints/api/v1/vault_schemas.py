"""Reference 004's credential and credential-type shapes for /api/v1 (camelCase, string ids,
its ``{"status", "message", "data", "successful"}`` envelope; errors keep Stoa's envelope).

Objects are gated per ``obj.credential.<key>`` / ``obj.credentialType.<key>``. A secure
field's ``value`` is always null here: its value is read one field at a time from
``/credentials/{id}/secure-values/{fieldId}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blueprints.api.schemas import ApiModel, GatedModel, IdString, PageQuery, gated
from portal.models import Company
from portal.models.vault import Credential, CredentialType, ValueType
from portal.tenancy import Actor
from services.vault.queries import FieldView, field_views

CREDENTIAL_SCOPE = "obj.credential"
TYPE_SCOPE = "obj.credentialType"

MAX = 2**31 - 1


class Envelope(BaseModel):
    status: int = Field(examples=[200])
    message: str
    successful: bool = True


class CredentialPath(ApiModel):
    credential_id: int = Field(ge=1, le=MAX)


class SecureValuePath(ApiModel):
    credential_id: int = Field(ge=1, le=MAX)
    field_id: str = Field(min_length=1, max_length=64, description="The secure field's id")


class SubCredentialPath(ApiModel):
    credential_id: int = Field(ge=1, le=MAX)
    sub_id: int = Field(ge=1, le=MAX)


class TypePath(ApiModel):
    type_id: int = Field(ge=1, le=MAX)


class CredentialListQuery(PageQuery):
    companyId: IdString | None = Field(default=None, pattern=r"^\d{1,10}$")
    typeId: IdString | None = Field(default=None, pattern=r"^\d{1,10}$")
    q: str | None = Field(default=None, max_length=200, description="Search name and notes")


class FieldOut(BaseModel):
    id: str
    name: str
    secure: bool
    required: bool
    valueType: str
    value: str | None = Field(description="Plain fields only; null for secure fields")
    hasValue: bool


class TypeRef(BaseModel):
    id: str
    name: str
    permissionScope: str
    icon: str


class CompanyRef(BaseModel):
    id: str
    name: str


class CredentialOut(GatedModel, scope=CREDENTIAL_SCOPE, label="credential"):
    """A credential (gated per ``obj.credential.<field>``)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    notes: str | None = None
    typeId: str | None = None
    companyId: str | None = None
    subCredentialOfId: str | None = None
    fields: list[FieldOut] | None = None
    type: TypeRef | None = None
    company: CompanyRef | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class CredentialEnvelope(Envelope):
    data: CredentialOut


class CredentialListEnvelope(Envelope):
    data: list[CredentialOut]
    limit: int
    offset: int
    total: int


class CredentialsEnvelope(Envelope):
    data: list[CredentialOut]


class SecureFieldOut(BaseModel):
    fieldId: str
    name: str
    valueType: str
    hasValue: bool


class SecureFieldListEnvelope(Envelope):
    data: list[SecureFieldOut]


class SecureValueOut(BaseModel):
    fieldId: str
    value: str | None


class SecureValueEnvelope(Envelope):
    data: SecureValueOut


class NullEnvelope(Envelope):
    data: None = None


class ValueTypesEnvelope(Envelope):
    data: list[str]


class TypeFieldOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    required: bool
    secure: bool
    valueType: str


class CredentialTypeOut(GatedModel, scope=TYPE_SCOPE, label="credential type"):
    """A credential type (gated per ``obj.credentialType.<field>``)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    permissionScope: str | None = None
    icon: str | None = None
    fields: list[TypeFieldOut] | None = None
    credentialCount: int | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class CredentialTypeEnvelope(Envelope):
    data: CredentialTypeOut


class CredentialTypeListEnvelope(Envelope):
    data: list[CredentialTypeOut]


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, "data": data, "successful": True, **extra}


def _field_out(f: FieldView) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "secure": f.secure,
        "required": f.required,
        "valueType": f.value_type,
        "value": None if f.secure else f.value,
        "hasValue": f.has_value,
    }


def credential_out(
    credential: Credential,
    defs: list[dict[str, Any]],
    ctype: CredentialType | None,
    company: Company | None,
    actor: Actor,
) -> dict[str, Any]:
    return gated(
        CredentialOut(
            id=str(credential.id),
            name=credential.name,
            notes=credential.notes or None,
            typeId=str(credential.type_id),
            companyId=str(credential.company_id),
            subCredentialOfId=str(credential.parent_id) if credential.parent_id else None,
            fields=[FieldOut(**_field_out(f)) for f in field_views(defs, credential)],
            type=TypeRef(
                id=str(ctype.id),
                name=ctype.name,
                permissionScope=ctype.permission_scope,
                icon=ctype.icon,
            )
            if ctype
            else None,
            company=CompanyRef(id=str(company.id), name=company.name) if company else None,
            createdAt=credential.created_at,
            updatedAt=credential.updated_at,
        ),
        actor,
    )


def type_out(ctype: CredentialType, count: int | None, actor: Actor) -> dict[str, Any]:
    return gated(
        CredentialTypeOut(
            id=str(ctype.id),
            name=ctype.name,
            permissionScope=ctype.permission_scope,
            icon=ctype.icon,
            fields=[TypeFieldOut(**f) for f in ctype.fields or []],
            credentialCount=count,
            createdAt=ctype.created_at,
            updatedAt=ctype.updated_at,
        ),
        actor,
        omit=("credentialCount",) if count is None else (),
    )


VALUE_TYPES: list[str] = [v.value for v in ValueType]
