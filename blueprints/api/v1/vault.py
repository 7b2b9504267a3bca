"""/api/v1 credentials vault (reference 004's credential and credential-type routes).

Staff sessions and agency keys only (scopes vault:read, vault:write, vault:secrets); a
credential of a company the caller does not see is a 404, and clients never see the vault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_staff
from blueprints.api.v1.vault_schemas import (
    VALUE_TYPES,
    CredentialEnvelope,
    CredentialListEnvelope,
    CredentialListQuery,
    CredentialPath,
    CredentialsEnvelope,
    CredentialTypeEnvelope,
    CredentialTypeListEnvelope,
    NullEnvelope,
    SecureFieldListEnvelope,
    SecureValueEnvelope,
    SecureValuePath,
    SubCredentialPath,
    TypePath,
    ValueTypesEnvelope,
    credential_out,
    ok,
    type_out,
)
from portal.db import get_session
from portal.models.vault import (
    Credential,
    CredentialCreate,
    CredentialTypeCreate,
    CredentialTypeUpdate,
    CredentialUpdate,
    SubCredentialAdd,
)
from portal.tenancy import Actor
from services import vault as service
from services.vault import queries

bp = api_blueprint(
    "api_vault",
    __name__,
    url_prefix="/api/v1",
    tag="Credentials",
    description="The credentials vault: credential types with fields, credentials per company "
    "with sub-credentials, secure values read one field at a time (each read audited). "
    "Scopes vault:read, vault:write, vault:secrets.",
)


@path_object("credential_id")
def _load_credential(session: Session, actor: Actor, credential_id: int) -> Credential:
    if not actor.is_staff:
        from portal.errors import NotFound

        raise NotFound()
    from portal.tenancy import get_for_actor

    return get_for_actor(session, Credential, credential_id, actor)


def _many(actor: Actor, rows: Sequence[Credential]) -> list[dict[str, Any]]:
    """API objects of several credentials: types, companies and sub-field definitions at once."""
    session = get_session()
    types = queries.types_by_id(session, [c.type_id for c in rows])
    companies = queries.companies_by_id(session, [c.company_id for c in rows])
    out = []
    for cred in rows:
        ctype = types.get(cred.type_id)
        defs = (
            list(ctype.fields or [])
            if ctype and cred.parent_id is None
            else queries.field_defs(session, cred)
        )
        out.append(credential_out(cred, defs, ctype, companies.get(cred.company_id), actor))
    return out


def _one(actor: Actor, credential: Credential) -> dict[str, Any]:
    return _many(actor, [credential])[0]


@bp.get(
    "/credentials/value-types",
    summary="List the value types of credential fields",
    responses={200: ValueTypesEnvelope},
)
def list_credential_value_types():
    require_staff("vault:read")
    return ok("Value Types Fetched Successfully!", VALUE_TYPES)


@bp.get("/credentials", summary="List credentials", responses={200: CredentialListEnvelope})
def list_credentials(query: CredentialListQuery):
    """Top-level credentials of the companies the caller sees, by name; filter by companyId,
    typeId or a search. Needs credential.fetch.many; scope vault:read."""
    actor = require_staff("vault:read")
    rows, total = queries.list_credentials(
        get_session(),
        actor=actor,
        company_id=int(query.companyId) if query.companyId else None,
        type_id=int(query.typeId) if query.typeId else None,
        q=query.q or "",
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return ok(
        "Credentials Fetched Successfully!",
        _many(actor, rows),
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


@bp.post("/credentials", summary="Create a credential", responses={201: CredentialEnvelope})
def create_credential(body: CredentialCreate):
    """Fields are validated against the type (required, IP addresses); secure values are
    encrypted. ``subCredentials`` is keyed by multi-credential field id. Needs
    credential.create; scope vault:write."""
    actor = require_staff("vault:write")
    credential = service.create_credential(session=get_session(), actor=actor, data=body)
    return ok("Credential Created Successfully!", _one(actor, credential), status=201), 201


@bp.get(
    "/credentials/<int:credential_id>",
    summary="Get a credential",
    responses={200: CredentialEnvelope},
)
def get_credential(path: CredentialPath):
    """Secure fields carry ``value: null``. Needs credential.fetch; scope vault:read."""
    actor = require_staff("vault:read")
    credential = queries.get_credential(
        get_session(), actor=actor, credential_id=path.credential_id
    )
    return ok("Credential Fetched Successfully!", _one(actor, credential))


@bp.patch(
    "/credentials/<int:credential_id>",
    summary="Update a credential",
    responses={200: CredentialEnvelope},
)
def update_credential(path: CredentialPath, body: CredentialUpdate):
    """Name, notes and field values (an empty value clears a field). Needs credential.update;
    scope vault:write."""
    actor = require_staff("vault:write")
    credential = service.update_credential(
        session=get_session(), actor=actor, credential_id=path.credential_id, data=body
    )
    return ok("Credential Updated Successfully!", _one(actor, credential))


@bp.delete(
    "/credentials/<int:credential_id>",
    summary="Delete a credential",
    responses={200: NullEnvelope},
)
def delete_credential(path: CredentialPath):
    """With its secure values and sub-credentials. Needs credential.delete; scope
    vault:write."""
    actor = require_staff("vault:write")
    service.delete_credential(session=get_session(), actor=actor, credential_id=path.credential_id)
    return ok("Credential Deleted Successfully!", None)


@bp.get(
    "/credentials/<int:credential_id>/secure-values",
    summary="List a credential's secure fields (no values)",
    responses={200: SecureFieldListEnvelope},
)
def list_credential_secure_values(path: CredentialPath):
    """Which secure fields the credential has and whether each is set; read a value with
    ``/secure-values/{fieldId}``. Needs credential.fetch; scope vault:read."""
    actor = require_staff("vault:read")
    credential, defs = service.secure_fields(
        get_session(), actor=actor, credential_id=path.credential_id
    )
    data = [
        {
            "fieldId": d["id"],
            "name": d.get("name") or d["id"],
            "valueType": d.get("valueType"),
            "hasValue": d["id"] in (credential.secrets or {}),
        }
        for d in defs
    ]
    return ok("Secure Fields Fetched Successfully!", data)


@bp.get(
    "/credentials/<int:credential_id>/secure-values/<field_id>",
    summary="Read one secure value (audited)",
    responses={200: SecureValueEnvelope},
)
def read_credential_secure_value(path: SecureValuePath):
    """Decrypts one secure field; every read writes an audit row. Needs
    credential.secure_values.read (403 without); an unknown field is a 404
    ``SecureFieldNotFound``. Scope vault:secrets."""
    actor = require_staff("vault:secrets")
    _, field, value = service.read_secure_value(
        session=get_session(), actor=actor, credential_id=path.credential_id, field_id=path.field_id
    )
    return ok("Secure Value Fetched Successfully!", {"fieldId": field["id"], "value": value})


@bp.get(
    "/credentials/<int:credential_id>/sub-credentials",
    summary="List a credential's sub-credentials",
    responses={200: CredentialsEnvelope},
)
def list_sub_credentials(path: CredentialPath):
    """Needs credential.fetch and credential.sub_credentials.fetch; scope vault:read."""
    actor = require_staff("vault:read")
    rows = queries.sub_credentials(get_session(), actor=actor, credential_id=path.credential_id)
    return ok("Sub-Credentials Fetched Successfully!", _many(actor, rows))


@bp.post(
    "/credentials/<int:credential_id>/sub-credentials",
    summary="Add a sub-credential",
    responses={201: CredentialEnvelope},
)
def add_sub_credential(path: CredentialPath, body: SubCredentialAdd):
    """Under a multi-credential field (``fieldId``) of the parent's type. Needs
    credential.sub_credentials.create; scope vault:write."""
    actor = require_staff("vault:write")
    sub = service.add_sub_credential(
        session=get_session(), actor=actor, credential_id=path.credential_id, data=body
    )
    return ok("Sub-Credential Created Successfully!", _one(actor, sub), status=201), 201


@bp.delete(
    "/credentials/<int:credential_id>/sub-credentials/<int:sub_id>",
    summary="Remove a sub-credential",
    responses={200: NullEnvelope},
)
def remove_sub_credential(path: SubCredentialPath):
    """404 ``SubCredentialNotFound`` when it is not this credential's. Needs
    credential.sub_credentials.delete; scope vault:write."""
    actor = require_staff("vault:write")
    service.remove_sub_credential(
        session=get_session(), actor=actor, credential_id=path.credential_id, sub_id=path.sub_id
    )
    return ok("Sub-Credential Removed Successfully!", None)


# Credential types ---------------------------------------------------------------------------


@bp.get(
    "/credential-types",
    summary="List credential types",
    responses={200: CredentialTypeListEnvelope},
)
def list_credential_types():
    """With how many credentials (that the caller sees) use each. Needs
    credential_type.fetch.many; scope vault:read."""
    actor = require_staff("vault:read")
    rows = queries.list_types(get_session(), actor=actor)
    return ok("Credential Types Fetched Successfully!", [type_out(t, n, actor) for t, n in rows])


@bp.post(
    "/credential-types",
    summary="Create a credential type",
    responses={201: CredentialTypeEnvelope},
)
def create_credential_type(body: CredentialTypeCreate):
    """Fields: ``{id, name, required, secure, valueType, subFields?}``; ``subFields`` only on
    multi_credential fields. Needs credential_type.create; scope vault:write."""
    actor = require_staff("vault:write")
    ctype = service.create_type(session=get_session(), actor=actor, data=body)
    return ok("Credential Type Created Successfully!", type_out(ctype, 0, actor), status=201), 201


@bp.get(
    "/credential-types/<int:type_id>",
    summary="Get a credential type",
    responses={200: CredentialTypeEnvelope},
)
def get_credential_type(path: TypePath):
    """Needs credential_type.fetch; scope vault:read."""
    actor = require_staff("vault:read")
    ctype = queries.get_type(get_session(), actor=actor, type_id=path.type_id)
    return ok("Credential Type Fetched Successfully!", type_out(ctype, None, actor))


@bp.patch(
    "/credential-types/<int:type_id>",
    summary="Update a credential type",
    responses={200: CredentialTypeEnvelope},
)
def update_credential_type(path: TypePath, body: CredentialTypeUpdate):
    """Needs credential_type.update; scope vault:write."""
    actor = require_staff("vault:write")
    ctype = service.update_type(session=get_session(), actor=actor, type_id=path.type_id, data=body)
    return ok("Credential Type Updated Successfully!", type_out(ctype, None, actor))


@bp.delete(
    "/credential-types/<int:type_id>",
    summary="Delete a credential type",
    responses={200: NullEnvelope},
)
def delete_credential_type(path: TypePath):
    """Deletes every credential of the type too (reference 004). Needs credential_type.delete
    and sight of every company; scope vault:write."""
    actor = require_staff("vault:write")
    service.delete_type(session=get_session(), actor=actor, type_id=path.type_id)
    return ok("Credential Type Deleted Successfully!", None)


@bp.get(
    "/credential-types/<int:type_id>/credentials",
    summary="List the credentials of a type",
    responses={200: CredentialListEnvelope},
)
def list_credential_type_credentials(path: TypePath, query: CredentialListQuery):
    """Within the companies the caller sees. Needs credential_type.fetch and
    credential.fetch.many; scope vault:read."""
    actor = require_staff("vault:read")
    session = get_session()
    queries.get_type(session, actor=actor, type_id=path.type_id)
    rows, total = queries.list_credentials(
        session,
        actor=actor,
        type_id=path.type_id,
        company_id=int(query.companyId) if query.companyId else None,
        q=query.q or "",
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return ok(
        "Credentials Fetched Successfully!",
        _many(actor, rows),
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )
