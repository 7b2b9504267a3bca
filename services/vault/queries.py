"""Reading the vault: credentials within what the actor may see, their field definitions, and
the page's view data. Secure values are never decrypted here (see ``read_secure_value``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import Company
from portal.models.vault import Credential, CredentialType, ValueType
from portal.permissions import register_node
from portal.tenancy import Actor, get_for_actor, require_staff, scoped

FETCH = register_node("credential.fetch", "Open a credential (secure values stay hidden)")
FETCH_MANY = register_node("credential.fetch.many", "List a company's credentials")
SUB_FETCH = register_node("credential.sub_credentials.fetch", "List a credential's sub-credentials")
TYPE_FETCH = register_node("credential_type.fetch", "Open a credential type")
TYPE_FETCH_MANY = register_node("credential_type.fetch.many", "List credential types")

PER_PAGE = 50


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def field_defs(session: Session, credential: Credential) -> list[dict[str, Any]]:
    """The fields a credential holds: its type's, or for a sub-credential the sub-fields of the
    parent's multi-credential field."""
    if credential.parent_id is None:
        ctype = session.get(CredentialType, credential.type_id)
        return list(ctype.fields or []) if ctype else []
    parent = session.get(Credential, credential.parent_id)
    if parent is None:
        return []
    multi = next(
        (f for f in field_defs(session, parent) if f.get("id") == credential.parent_field_id), None
    )
    return list((multi or {}).get("subFields") or [])


def get_credential(
    session: Session, *, actor: Actor, credential_id: Any, node: str = FETCH
) -> Credential:
    """A credential of a company the actor sees (else 404); staff with ``node`` only."""
    if not actor.is_staff:
        raise NotFound()  # clients never learn the vault exists
    credential = get_for_actor(session, Credential, credential_id, actor)
    require_staff(actor, node, "You may not open credentials.")
    return credential


def get_type(session: Session, *, actor: Actor, type_id: Any) -> CredentialType:
    if not actor.is_staff:
        raise NotFound()
    from portal.web.args import parse_int

    pk = parse_int(type_id, minimum=1)
    ctype = session.get(CredentialType, pk) if pk is not None else None
    if ctype is None:
        raise NotFound("Credential type not found.")
    require_staff(actor, TYPE_FETCH, "You may not open credential types.")
    return ctype


def list_types(session: Session, *, actor: Actor) -> list[tuple[CredentialType, int]]:
    """Every credential type with how many credentials (visible to the actor) use it."""
    require_staff(actor, TYPE_FETCH_MANY, "You may not list credential types.")
    counts = dict(
        session.exec(
            scoped(
                select(Credential.type_id, func.count(col(Credential.id))),
                actor,
                Credential,
            )
            .where(col(Credential.parent_id).is_(None))
            .group_by(col(Credential.type_id))
        ).all()
    )
    types = session.exec(select(CredentialType).order_by(col(CredentialType.name))).all()
    return [(t, int(counts.get(t.id or 0, 0))) for t in types]


def types_by_id(session: Session, ids: Sequence[int]) -> dict[int, CredentialType]:
    if not ids:
        return {}
    rows = session.exec(select(CredentialType).where(col(CredentialType.id).in_(sorted(set(ids)))))
    return {t.id: t for t in rows if t.id is not None}


def companies_by_id(session: Session, ids: Sequence[int]) -> dict[int, Company]:
    if not ids:
        return {}
    rows = session.exec(select(Company).where(col(Company.id).in_(sorted(set(ids)))))
    return {c.id: c for c in rows if c.id is not None}


def list_credentials(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None = None,
    type_id: int | None = None,
    q: str = "",
    limit: int = PER_PAGE,
    offset: int = 0,
) -> tuple[list[Credential], int]:
    """Top-level credentials the actor may see, by name; optionally one company, one type, or
    a search over name and notes."""
    if not actor.is_staff:
        raise NotFound()
    require_staff(actor, FETCH_MANY, "You may not list credentials.")
    stmt = scoped(select(Credential), actor, Credential).where(col(Credential.parent_id).is_(None))
    if company_id is not None:
        stmt = stmt.where(Credential.company_id == company_id)
    if type_id is not None:
        stmt = stmt.where(Credential.type_id == type_id)
    if q.strip():
        pattern = "%" + _escape_like(q.strip()) + "%"
        stmt = stmt.where(
            or_(
                col(Credential.name).ilike(pattern, escape="\\"),
                col(Credential.notes).ilike(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(func.lower(col(Credential.name)), col(Credential.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def sub_credentials(session: Session, *, actor: Actor, credential_id: Any) -> list[Credential]:
    parent = get_credential(session, actor=actor, credential_id=credential_id)
    require_staff(actor, SUB_FETCH, "You may not list sub-credentials.")
    pid = parent.id or 0
    return children_of(session, [pid]).get(pid, [])


def children_of(session: Session, parent_ids: Sequence[int]) -> dict[int, list[Credential]]:
    """Sub-credentials of several parents in one query."""
    if not parent_ids:
        return {}
    rows = session.exec(
        select(Credential)
        .where(col(Credential.parent_id).in_(sorted(set(parent_ids))))
        .order_by(col(Credential.id))
    ).all()
    out: dict[int, list[Credential]] = {}
    for row in rows:
        out.setdefault(row.parent_id, []).append(row)  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class FieldView:
    """One field as a page shows it: plain values in the clear, secure ones only as a mask."""

    id: str
    name: str
    value_type: str
    secure: bool
    required: bool
    value: str | None  # plain fields only
    has_value: bool


def field_views(defs: list[dict[str, Any]], credential: Credential) -> list[FieldView]:
    views = []
    for d in defs:
        if d.get("valueType") == ValueType.multi_credential:
            continue
        fid = str(d.get("id"))
        secure = bool(d.get("secure"))
        value = None if secure else (credential.values or {}).get(fid)
        has = fid in (credential.secrets or {}) if secure else bool(value)
        views.append(
            FieldView(
                fid,
                str(d.get("name") or fid),
                str(d.get("valueType")),
                secure,
                bool(d.get("required")),
                value,
                has,
            )
        )
    return views


@dataclass(frozen=True)
class CredentialView:
    credential: Credential
    type: CredentialType | None
    fields: list[FieldView]
    subs: list[tuple[str, CredentialView]]  # (the multi field's name, sub-credential)


def credential_views(session: Session, credentials: Sequence[Credential]) -> list[CredentialView]:
    """Page view data for a list of credentials: types and sub-credentials in two queries."""
    types = types_by_id(session, [c.type_id for c in credentials])
    children = children_of(session, [c.id for c in credentials if c.id is not None])
    out = []
    for cred in credentials:
        ctype = types.get(cred.type_id)
        defs = list(ctype.fields or []) if ctype else []
        subs: list[tuple[str, CredentialView]] = []
        for child in children.get(cred.id or 0, []):
            multi = next((d for d in defs if d.get("id") == child.parent_field_id), {})
            sub_defs = list(multi.get("subFields") or [])
            subs.append(
                (
                    str(multi.get("name") or child.parent_field_id),
                    CredentialView(child, ctype, field_views(sub_defs, child), []),
                )
            )
        out.append(CredentialView(cred, ctype, field_views(defs, cred), subs))
    return out


def visible_companies(session: Session, *, actor: Actor) -> list[Company]:
    return list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )


@dataclass(frozen=True)
class VaultView:
    """The staff vault page: the companies to choose from, the chosen one, its credentials."""

    companies: list[Company]
    company: Company | None
    credentials: list[CredentialView]
    total: int
    q: str
    types: list[CredentialType]
    can_reveal: bool
    can_create: bool
    can_update: bool
    can_delete: bool
    can_manage_types: bool


def vault_view(
    session: Session, *, actor: Actor, company_id: int | None = None, q: str = ""
) -> VaultView:
    """One company's credentials (the first visible company when none is chosen)."""
    from services.vault import CREATE, DELETE, SECURE_READ, TYPE_CREATE, UPDATE

    require_staff(actor, FETCH_MANY, "You may not open the vault.")
    companies = visible_companies(session, actor=actor)
    company = None
    if company_id is not None:
        company = get_for_actor(session, Company, company_id, actor)
    elif companies:
        company = companies[0]
    rows: list[Credential] = []
    total = 0
    if company is not None:
        rows, total = list_credentials(session, actor=actor, company_id=company.id, q=q, limit=200)
    types = session.exec(select(CredentialType).order_by(col(CredentialType.name))).all()
    return VaultView(
        companies=companies,
        company=company,
        credentials=credential_views(session, rows),
        total=total,
        q=q,
        types=list(types),
        can_reveal=actor.can(SECURE_READ),
        can_create=actor.can(CREATE),
        can_update=actor.can(UPDATE),
        can_delete=actor.can(DELETE),
        can_manage_types=actor.can(TYPE_CREATE),
    )
