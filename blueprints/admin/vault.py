"""Staff area: the credentials vault (``/admin/vault``) — per company, search, masked secure
values revealed one at a time (each reveal audited), credential and credential-type forms."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import DomainError, Invalid
from portal.models.vault import (
    VALUE_TYPE_LABELS,
    CredentialCreate,
    CredentialTypeCreate,
    CredentialTypeUpdate,
    CredentialUpdate,
)
from portal.principal import current_actor
from portal.validation import validated
from portal.web.args import arg_int
from portal.web.htmx import perform, render_fragment, render_page
from services import vault as service
from services.vault import queries

bp = staff_blueprint("vault", __name__)
PAGE = "admin/vault.html"
FORM = "admin/vault_form.html"
TYPES = "admin/vault_types.html"
TYPE_ROWS_EXTRA = 3


@bp.get("")
def index() -> Response:
    view = queries.vault_view(
        get_session(),
        actor=current_actor(),
        company_id=arg_int(request.args, "company", minimum=1),
        q=(request.args.get("q") or "")[:200],
    )
    return render_page(PAGE, view=view)


@bp.post("/credentials/<int:credential_id>/fields/<field_id>/reveal")
def reveal(credential_id: int, field_id: str) -> Response:
    """One secure value, as a fragment replacing its mask (the read is audited)."""
    credential, field, value = service.read_secure_value(
        session=get_session(), actor=current_actor(), credential_id=credential_id, field_id=field_id
    )
    return render_fragment(PAGE, "secret", credential=credential, field=field, value=value)


# Credentials --------------------------------------------------------------------------------


def _form_values(defs: list[dict[str, Any]], *, keep_blank_secrets: bool) -> list[dict[str, Any]]:
    """The submitted value of each field (``v-<fieldId>``); on edit a blank secure field keeps
    its stored value."""
    out = []
    for d in defs:
        if d.get("valueType") == "multi_credential":
            continue
        raw = request.form.get(f"v-{d['id']}", "")
        if d.get("secure") and keep_blank_secrets and raw == "":
            continue
        out.append({"fieldId": d["id"], "value": raw if d.get("secure") else raw.strip()})
    return out


def _credential_form(status: int = 200, **context: Any) -> Response:
    session = get_session()
    actor = current_actor()
    types = [t for t, _ in queries.list_types(session, actor=actor)]
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render_page(
        FORM,
        status=status,
        types=types,
        companies=queries.visible_companies(session, actor=actor),
        value_labels=VALUE_TYPE_LABELS,
        **context,
    )


def _chosen_type(types_id: int | None) -> Any:
    if types_id is None:
        return None
    try:
        return queries.get_type(get_session(), actor=current_actor(), type_id=types_id)
    except DomainError:  # an unknown type in the query string just shows the picker again
        return None


@bp.get("/credentials/new")
def new_credential() -> Response:
    ctype = _chosen_type(arg_int(request.args, "type", minimum=1))
    return _credential_form(
        credential=None,
        ctype=ctype,
        company_id=arg_int(request.args, "company", minimum=1),
        name="",
        notes="",
    )


@bp.post("/credentials/new")
def create_credential() -> Response:
    company_id = arg_int(request.form, "company_id", minimum=1)
    ctype = _chosen_type(arg_int(request.form, "type_id", minimum=1))
    name = request.form.get("name", "")
    notes = request.form.get("notes", "")
    values = {k[2:]: v for k, v in request.form.items() if k.startswith("v-")}

    def refused(status: int, errors: dict[str, list[str]], **_: Any) -> Response:
        return _credential_form(
            status=status,
            credential=None,
            ctype=ctype,
            company_id=company_id,
            name=name,
            notes=notes,
            values={k: v for k, v in values.items() if not _is_secure(ctype, k)},
            errors=errors,
        )

    created: list[Any] = []

    def act() -> None:
        defs = list(ctype.fields or []) if ctype else []
        fields = _form_values(defs, keep_blank_secrets=False)
        payload = {
            "name": name,
            "notes": notes.strip(),
            "typeId": ctype.id if ctype else 0,
            "companyId": company_id or 0,
            "fields": fields,
        }
        try:
            data = validated(CredentialCreate, payload)
        except Invalid as exc:  # say everything at once: the fields' problems too
            errors = service.value_errors(defs, fields) | exc.errors
            raise Invalid(exc.message, errors=errors) from None
        created.append(
            service.create_credential(session=get_session(), actor=current_actor(), data=data)
        )

    return perform(
        act,
        message=f"Credential {name.strip()} added.",
        location=url_for("vault.index", company=company_id),
        refused=refused,
    )


def _is_secure(ctype: Any, field_id: str) -> bool:
    return any(d.get("id") == field_id and d.get("secure") for d in (ctype.fields if ctype else []))


@bp.get("/credentials/<int:credential_id>/edit")
def edit_credential(credential_id: int) -> Response:
    session = get_session()
    credential = queries.get_credential(session, actor=current_actor(), credential_id=credential_id)
    return _credential_form(
        credential=credential,
        ctype=_chosen_type(credential.type_id),
        defs=queries.field_defs(session, credential),
        company_id=credential.company_id,
        name=credential.name,
        notes=credential.notes,
        values=dict(credential.values or {}),
        secrets_set=set((credential.secrets or {}).keys()),
    )


@bp.post("/credentials/<int:credential_id>/edit")
def update_credential(credential_id: int) -> Response:
    session = get_session()
    actor = current_actor()
    credential = queries.get_credential(session, actor=actor, credential_id=credential_id)
    defs = queries.field_defs(session, credential)
    name = request.form.get("name", "")
    notes = request.form.get("notes", "")
    values = {k[2:]: v for k, v in request.form.items() if k.startswith("v-")}

    def refused(status: int, errors: dict[str, list[str]], **_: Any) -> Response:
        return _credential_form(
            status=status,
            credential=credential,
            ctype=_chosen_type(credential.type_id),
            defs=defs,
            company_id=credential.company_id,
            name=name,
            notes=notes,
            values={k: v for k, v in values.items() if not _is_secure_def(defs, k)},
            secrets_set=set((credential.secrets or {}).keys()),
            errors=errors,
        )

    def act() -> None:
        data = validated(
            CredentialUpdate,
            {
                "name": name,
                "notes": notes.strip(),
                "fields": _form_values(defs, keep_blank_secrets=True),
            },
        )
        service.update_credential(
            session=session, actor=actor, credential_id=credential_id, data=data
        )

    return perform(
        act,
        message="Credential saved.",
        location=url_for("vault.index", company=credential.company_id),
        refused=refused,
    )


def _is_secure_def(defs: list[dict[str, Any]], field_id: str) -> bool:
    return any(d.get("id") == field_id and d.get("secure") for d in defs)


@bp.post("/credentials/<int:credential_id>/delete")
def delete_credential(credential_id: int) -> Response:
    session = get_session()
    actor = current_actor()
    credential = queries.get_credential(session, actor=actor, credential_id=credential_id)
    company_id = credential.company_id

    def refused(status: int, errors: dict[str, list[str]], **_: Any) -> Response:
        raise Invalid(" ".join(m for ms in errors.values() for m in ms))

    return perform(
        lambda: service.delete_credential(
            session=session, actor=actor, credential_id=credential_id
        ),
        message=f"Credential {credential.name} deleted.",
        location=url_for("vault.index", company=company_id),
        refused=refused,
    )


# Credential types ---------------------------------------------------------------------------


def _field_key(name: str) -> str:
    """``Admin password`` -> ``adminPassword`` (a type field's id when none is given)."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words:
        return ""
    key = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return key if key[:1].isalpha() else f"f{key}"


def _type_rows(existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The field rows a type form shows: the submitted (or stored) ones plus blank rows."""
    if existing is None:
        rows = []
        indexes = sorted(
            {int(m.group(1)) for k in request.form if (m := re.match(r"^field-(\d{1,2})-", k))}
        )
        for i in indexes:
            rows.append(
                {
                    "id": request.form.get(f"field-{i}-id", "").strip(),
                    "name": request.form.get(f"field-{i}-name", "").strip(),
                    "valueType": request.form.get(f"field-{i}-type", "plain_text"),
                    "secure": request.form.get(f"field-{i}-secure") == "on",
                    "required": request.form.get(f"field-{i}-required") == "on",
                }
            )
        return rows
    return [dict(f) for f in existing]


def _type_payload(rows: list[dict[str, Any]], stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep_sub = {f.get("id"): f.get("subFields") for f in stored if f.get("subFields")}
    fields = []
    for row in rows:
        if not row["name"] and not row["id"]:
            continue
        fid = row["id"] or _field_key(row["name"])
        item = {**row, "id": fid}
        if fid in keep_sub and row["valueType"] == "multi_credential":
            item["subFields"] = keep_sub[fid]
        fields.append(item)
    return fields


def _types_page(status: int = 200, **context: Any) -> Response:
    session = get_session()
    actor = current_actor()
    context.setdefault("errors", {})
    context.setdefault("ctype", None)
    rows = context.pop("rows", None) or []
    context["rows"] = rows + [
        {"id": "", "name": "", "valueType": "plain_text", "secure": False, "required": False}
        for _ in range(TYPE_ROWS_EXTRA)
    ]
    return render_page(
        TYPES,
        status=status,
        types=queries.list_types(session, actor=actor),
        value_labels=VALUE_TYPE_LABELS,
        can_manage=actor.can(service.TYPE_CREATE),
        **context,
    )


@bp.get("/types")
def types() -> Response:
    return _types_page(form={"name": "", "permissionScope": "", "icon": ""})


@bp.post("/types")
def create_type() -> Response:
    form = {k: request.form.get(k, "") for k in ("name", "permissionScope", "icon")}
    rows = _type_rows()

    def refused(status: int, errors: dict[str, list[str]], **_: Any) -> Response:
        return _types_page(status=status, form=form, rows=rows, errors=errors)

    def act() -> None:
        data = validated(
            CredentialTypeCreate,
            {**{k: v.strip() for k, v in form.items()}, "fields": _type_payload(rows, [])},
        )
        service.create_type(session=get_session(), actor=current_actor(), data=data)

    return perform(
        act,
        message=f"Credential type {form['name'].strip()} added.",
        location=url_for("vault.types"),
        refused=refused,
    )


@bp.get("/types/<int:type_id>/edit")
def edit_type(type_id: int) -> Response:
    ctype = queries.get_type(get_session(), actor=current_actor(), type_id=type_id)
    form = {"name": ctype.name, "permissionScope": ctype.permission_scope, "icon": ctype.icon}
    return _types_page(form=form, rows=_type_rows(list(ctype.fields or [])), ctype=ctype)


@bp.post("/types/<int:type_id>/edit")
def update_type(type_id: int) -> Response:
    ctype = queries.get_type(get_session(), actor=current_actor(), type_id=type_id)
    form = {k: request.form.get(k, "") for k in ("name", "permissionScope", "icon")}
    rows = _type_rows()

    def refused(status: int, errors: dict[str, list[str]], **_: Any) -> Response:
        return _types_page(status=status, form=form, rows=rows, errors=errors, ctype=ctype)

    def act() -> None:
        data = validated(
            CredentialTypeUpdate,
            {
                **{k: v.strip() for k, v in form.items()},
                "fields": _type_payload(rows, list(ctype.fields or [])),
            },
        )
        service.update_type(
            session=get_session(), actor=current_actor(), type_id=type_id, data=data
        )

    return perform(
        act,
        message="Credential type saved.",
        location=url_for("vault.types"),
        refused=refused,
    )
