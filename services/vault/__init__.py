"""The credentials vault (reference 004): credential types, credentials per company with
sub-credentials, secure values encrypted at rest and read one field at a time, every read
audited. Staff only: clients never see the vault.

Reads and page data are in ``queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete, func, select

from portal import crypto
from portal.errors import Conflict, Invalid, NotFound
from portal.models import Company
from portal.models.activity import VAULT_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.vault import (
    CREDENTIAL_FIELDS,
    CREDENTIAL_TYPE_FIELDS,
    Credential,
    CredentialCreate,
    CredentialType,
    CredentialTypeCreate,
    CredentialTypeUpdate,
    CredentialUpdate,
    FieldValue,
    SubCredentialAdd,
    SubCredentialCreate,
    ValueType,
    value_problem,
)
from portal.permissions import register_node
from portal.tenancy import Actor, get_for_actor, register_field_scope, require_staff
from services.events.activity import record
from services.vault.queries import field_defs, get_credential, get_type

CREATE = register_node("credential.create", "Add credentials to a company's vault")
UPDATE = register_node("credential.update", "Change credentials and their values")
DELETE = register_node("credential.delete", "Delete credentials")
SECURE_READ = register_node(
    "credential.secure_values.read", "Read a credential's secure values (each read is audited)"
)
SUB_CREATE = register_node("credential.sub_credentials.create", "Add sub-credentials")
SUB_DELETE = register_node("credential.sub_credentials.delete", "Remove sub-credentials")
TYPE_CREATE = register_node("credential_type.create", "Add credential types")
TYPE_UPDATE = register_node("credential_type.update", "Change credential types and their fields")
TYPE_DELETE = register_node(
    "credential_type.delete", "Delete credential types (and every credential of the type)"
)

register_field_scope(
    "obj.credential",
    CREDENTIAL_FIELDS,
    client_fields=[],
    description="Fields of a credential (secure values are never among them).",
)
register_field_scope(
    "obj.credentialType",
    CREDENTIAL_TYPE_FIELDS,
    client_fields=[],
    description="Fields of a credential type.",
)


class SecureFieldNotFound(NotFound):
    code = "SecureFieldNotFound"


class SubCredentialNotFound(NotFound):
    code = "SubCredentialNotFound"


def _audit(
    session: Session,
    actor: Actor,
    action: Action,
    credential: Credential,
    description: str,
) -> None:
    record(
        session,
        actor=actor,
        company_id=credential.company_id,
        action=action,
        object_type=VAULT_ACTIVITY,
        object_id=credential.id,
        object_label=credential.name,
        description=description,
    )


def _apply_values(
    credential: Credential,
    defs: list[dict[str, Any]],
    values: Sequence[FieldValue],
    *,
    prefix: str = "fields",
) -> None:
    """Set ``values`` on ``credential`` (secure ones encrypted), or raise Invalid naming each
    bad field. On update an empty value clears a field; required fields may not end empty."""
    by_id = {str(d.get("id")): d for d in defs}
    errors: dict[str, list[str]] = {}
    plain = dict(credential.values or {})
    secret = dict(credential.secrets or {})
    for item in values:
        key = f"{prefix}.{item.fieldId}"
        d = by_id.get(item.fieldId)
        if d is None:
            errors.setdefault(key, []).append(f"No field {item.fieldId} on this credential type.")
            continue
        if d.get("valueType") == ValueType.multi_credential:
            errors.setdefault(key, []).append("Add sub-credentials for this field instead.")
            continue
        value = item.value or ""
        if value and (problem := value_problem(str(d.get("valueType")), value)):
            errors.setdefault(key, []).append(problem)
            continue
        if d.get("secure"):
            plain.pop(item.fieldId, None)
            if value:
                secret[item.fieldId] = crypto.encrypt(value)
            else:
                secret.pop(item.fieldId, None)
        else:
            secret.pop(item.fieldId, None)
            if value:
                plain[item.fieldId] = value
            else:
                plain.pop(item.fieldId, None)
    for fid, d in by_id.items():
        if d.get("required") and d.get("valueType") != ValueType.multi_credential:
            if fid not in plain and fid not in secret:
                errors.setdefault(f"{prefix}.{fid}", []).append(f"{d.get('name')} is required.")
    if errors:
        raise Invalid("Some fields need attention.", errors=errors)
    credential.values = plain
    credential.secrets = secret


def value_errors(defs: list[dict[str, Any]], values: list[dict[str, Any]]) -> dict[str, list[str]]:
    """What is wrong with ``values`` for a new credential of ``defs`` (a form shows these
    beside its other messages)."""
    try:
        items = [FieldValue.model_validate(v) for v in values]
        _apply_values(Credential(company_id=0, type_id=0, name=""), defs, items)
    except (Invalid, ValueError) as exc:
        return getattr(exc, "errors", {}) if isinstance(exc, Invalid) else {}
    return {}


def _type_for(session: Session, type_id: int) -> CredentialType:
    ctype = session.get(CredentialType, type_id)
    if ctype is None:
        raise Invalid("Choose a credential type.", errors={"typeId": ["No such credential type."]})
    return ctype


def _add_subs(
    session: Session,
    actor: Actor,
    parent: Credential,
    defs: list[dict[str, Any]],
    subs: dict[str, list[SubCredentialCreate]],
) -> list[Credential]:
    made = []
    by_id = {str(d.get("id")): d for d in defs}
    for field_id, items in subs.items():
        multi = by_id.get(field_id)
        if multi is None or multi.get("valueType") != ValueType.multi_credential:
            raise Invalid(
                "Some fields need attention.",
                errors={f"subCredentials.{field_id}": ["No sub-credentials field of that id."]},
            )
        for index, item in enumerate(items):
            sub = Credential(
                company_id=parent.company_id,
                type_id=parent.type_id,
                parent_id=parent.id,
                parent_field_id=field_id,
                name=item.name,
                created_by_id=actor.user_id,
            )
            _apply_values(
                sub,
                list(multi.get("subFields") or []),
                item.fields,
                prefix=f"subCredentials.{field_id}.{index}.fields",
            )
            session.add(sub)
            made.append(sub)
    session.flush()
    return made


def create_credential(*, session: Session, actor: Actor, data: CredentialCreate) -> Credential:
    """A credential for a company the actor sees (else 422 on ``companyId``), with its
    sub-credentials; staff with ``credential.create``."""
    require_staff(actor, CREATE, "You may not add credentials.")
    try:
        company = get_for_actor(session, Company, data.companyId, actor)
    except NotFound:
        raise Invalid("Choose a company.", errors={"companyId": ["No such company."]}) from None
    ctype = _type_for(session, data.typeId)
    credential = Credential(
        company_id=company.id,  # type: ignore[arg-type]
        type_id=ctype.id,  # type: ignore[arg-type]
        name=data.name,
        notes=data.notes,
        created_by_id=actor.user_id,
    )
    defs = list(ctype.fields or [])
    _apply_values(credential, defs, data.fields)
    session.add(credential)
    session.flush()
    if data.subCredentials:
        _add_subs(session, actor, credential, defs, data.subCredentials)
    _audit(
        session,
        actor,
        Action.credential_created,
        credential,
        f"{actor.label} added the credential {credential.name} ({ctype.name})",
    )
    return credential


def update_credential(
    *, session: Session, actor: Actor, credential_id: Any, data: CredentialUpdate
) -> Credential:
    """Rename, re-note or set field values (secure ones re-encrypted); ``credential.update``."""
    credential = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, UPDATE, "You may not change credentials.")
    changed = []
    if data.name is not None and data.name != credential.name:
        credential.name = data.name
        changed.append("name")
    if data.notes is not None and data.notes != credential.notes:
        credential.notes = data.notes
        changed.append("notes")
    if data.fields:
        _apply_values(credential, field_defs(session, credential), data.fields)
        changed.extend(f.fieldId for f in data.fields)
    credential.updated_at = utcnow()
    session.add(credential)
    session.flush()
    _audit(
        session,
        actor,
        Action.credential_updated,
        credential,
        f"{actor.label} changed {', '.join(changed) or 'nothing'} of {credential.name}",
    )
    return credential


def delete_credential(*, session: Session, actor: Actor, credential_id: Any) -> None:
    """Delete a credential, its secure values and its sub-credentials; ``credential.delete``."""
    credential = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, DELETE, "You may not delete credentials.")
    _audit(
        session,
        actor,
        Action.credential_deleted,
        credential,
        f"{actor.label} deleted the credential {credential.name}",
    )
    session.exec(delete(Credential).where(col(Credential.parent_id) == credential.id))
    session.delete(credential)
    session.flush()


def add_sub_credential(
    *, session: Session, actor: Actor, credential_id: Any, data: SubCredentialAdd
) -> Credential:
    parent = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, SUB_CREATE, "You may not add sub-credentials.")
    if parent.parent_id is not None:
        raise Conflict("A sub-credential has no sub-credentials of its own.")
    (sub,) = _add_subs(
        session,
        actor,
        parent,
        field_defs(session, parent),
        {data.fieldId: [SubCredentialCreate(name=data.name, fields=data.fields)]},
    )
    _audit(
        session,
        actor,
        Action.credential_updated,
        parent,
        f"{actor.label} added the sub-credential {sub.name} to {parent.name}",
    )
    return sub


def remove_sub_credential(
    *, session: Session, actor: Actor, credential_id: Any, sub_id: Any
) -> None:
    parent = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, SUB_DELETE, "You may not remove sub-credentials.")
    sub = session.exec(
        select(Credential).where(Credential.id == sub_id, Credential.parent_id == parent.id)
    ).first()
    if sub is None:
        raise SubCredentialNotFound("Sub-credential not found")
    _audit(
        session,
        actor,
        Action.credential_updated,
        parent,
        f"{actor.label} removed the sub-credential {sub.name} from {parent.name}",
    )
    session.delete(sub)
    session.flush()


def secure_fields(
    session: Session, *, actor: Actor, credential_id: Any
) -> tuple[Credential, list[dict[str, Any]]]:
    """A credential's secure fields (ids, names, whether set) — never their values."""
    credential = get_credential(session, actor=actor, credential_id=credential_id)
    defs = [d for d in field_defs(session, credential) if d.get("secure")]
    return credential, defs


def read_secure_value(
    *, session: Session, actor: Actor, credential_id: Any, field_id: str
) -> tuple[Credential, dict[str, Any], str | None]:
    """Decrypt one secure value, for staff holding ``credential.secure_values.read``; every
    read writes an audit row (who, when, which credential and field)."""
    credential = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, SECURE_READ, "You may not read secure values.")
    field = next(
        (d for d in field_defs(session, credential) if d.get("secure") and d.get("id") == field_id),
        None,
    )
    if field is None:
        raise SecureFieldNotFound(f"Secure field not found: {field_id}")
    token = (credential.secrets or {}).get(field_id)
    value = crypto.decrypt(token) if token else None
    _audit(
        session,
        actor,
        Action.credential_secret_read,
        credential,
        f"{actor.label} read {field.get('name')} of {credential.name}",
    )
    return credential, field, value


# Credential types ---------------------------------------------------------------------------


def _type_audit(
    session: Session, actor: Actor, action: Action, ctype: CredentialType, verb: str
) -> None:
    record(
        session,
        actor=actor,
        company_id=None,
        action=action,
        object_type="credential_type",
        object_id=ctype.id,
        object_label=ctype.name,
        description=f"{actor.label} {verb} the credential type {ctype.name}",
    )


def _name_free(session: Session, name: str, type_id: int | None = None) -> None:
    clash = session.exec(
        select(CredentialType.id).where(func.lower(CredentialType.name) == name.lower())
    ).first()
    if clash is not None and clash != type_id:
        raise Invalid("Some fields need attention.", errors={"name": ["That name is taken."]})


def create_type(*, session: Session, actor: Actor, data: CredentialTypeCreate) -> CredentialType:
    require_staff(actor, TYPE_CREATE, "You may not add credential types.")
    _name_free(session, data.name)
    ctype = CredentialType(
        name=data.name,
        permission_scope=data.permissionScope,
        icon=data.icon,
        fields=[f.model_dump(mode="json", exclude_none=True) for f in data.fields],
    )
    session.add(ctype)
    session.flush()
    _type_audit(session, actor, Action.credential_type_created, ctype, "added")
    return ctype


def update_type(
    *, session: Session, actor: Actor, type_id: Any, data: CredentialTypeUpdate
) -> CredentialType:
    ctype = get_type(session, actor=actor, type_id=type_id)
    require_staff(actor, TYPE_UPDATE, "You may not change credential types.")
    if data.name is not None:
        _name_free(session, data.name, ctype.id)
        ctype.name = data.name
    if data.permissionScope is not None:
        ctype.permission_scope = data.permissionScope
    if data.icon is not None:
        ctype.icon = data.icon
    if data.fields is not None:
        ctype.fields = [f.model_dump(mode="json", exclude_none=True) for f in data.fields]
    ctype.updated_at = utcnow()
    session.add(ctype)
    session.flush()
    _type_audit(session, actor, Action.credential_type_updated, ctype, "changed")
    return ctype


def delete_type(*, session: Session, actor: Actor, type_id: Any) -> None:
    """Delete a type and, as reference 004 says, every credential of it; only an actor who
    sees every company may (a project manager would delete credentials it cannot see)."""
    ctype = get_type(session, actor=actor, type_id=type_id)
    require_staff(actor, TYPE_DELETE, "You may not delete credential types.")
    if not actor.sees_all:
        raise Conflict("Only someone who sees every company can delete a credential type.")
    _type_audit(session, actor, Action.credential_type_deleted, ctype, "deleted")
    session.exec(delete(Credential).where(col(Credential.type_id) == ctype.id))
    session.delete(ctype)
    session.flush()
