"""Staff page for roles under /admin/roles: the roles, a role's nodes (the catalogue as grouped
checkboxes), and which staff hold which roles with their effective nodes."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session, rollback
from portal.errors import Conflict, Forbidden, Invalid
from portal.models import Role, User
from portal.models.user import RoleCreate, RoleUpdate
from portal.principal import current_actor
from portal.tenancy import Actor, can_read_field, has_node
from portal.validation import form_data, validated
from portal.web.args import parse_int
from portal.web.gating import Withheld
from portal.web.htmx import hx_redirect, render_page
from services.accounts import roles as svc

bp = staff_blueprint("roles_admin", __name__, node=svc.ROLE_READ_NODE)


@bp.get("/")
def index() -> Response:
    actor = current_actor()
    view = svc.roles_page(get_session(), actor=actor)
    return render_page("admin/roles.html", view=view, nodes_withheld=_nodes_withheld(actor))


def _nodes_withheld(actor: Actor) -> Withheld | None:
    """Effective nodes are roles' permissions: shown only with ``obj.role.permissions``
    (else the page shows the muted "Hidden" this returns)."""
    return None if can_read_field(actor, "obj.role", "permissions") else Withheld("permissions")


def _role(role_id: int) -> Role:
    return svc.get_role(get_session(), actor=current_actor(), identifier=role_id)


def _form(
    role: Role | None,
    *,
    status: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    actor = current_actor()
    if form is None:
        form = {
            "title": role.name if role else "",
            "description": role.description if role else "",
            "permissions": list(role.permissions or []) if role else [],
        }
    groups = svc.node_groups()
    offered = {"*", "obj.*"} | {n.node for g in groups for n in g.nodes}
    offered |= {g.wildcard for g in groups if g.key != "global"}
    held = form["permissions"]
    covered = {n for n in offered if n not in held and has_node(held, n)}
    return render_page(
        "admin/roles_form.html",
        status=status,
        role=role,
        form=form,
        errors=errors or {},
        groups=groups,
        others=[n for n in held if n not in offered],
        covered=covered,
        builtin=role is not None and svc.is_builtin(role),
        moniker=svc.moniker(role) if role else "",
        can_write=actor.kind == "api_key" or actor.can(svc.ROLE_WRITE_NODE),
    )


@bp.get("/new")
def new() -> Response:
    return _form(None)


@bp.get("/<int:role_id>")
def edit(role_id: int) -> Response:
    return _form(_role(role_id))


def _refusal(exc: Forbidden | Conflict) -> dict[str, list[str]]:
    return {"permissions": [exc.message or "You may not do that."]}


def _save(role: Role | None) -> Response:
    submitted = form_data(request.form, lists=("permissions",))
    form = {
        "title": (submitted.get("title") or "").strip(),
        "description": (submitted.get("description") or "").strip(),
        "permissions": [p for p in submitted["permissions"] if isinstance(p, str)],
    }
    session, actor = get_session(), current_actor()
    try:
        if role is None:
            role = svc.create_role(session, actor=actor, data=validated(RoleCreate, form))
            message = "Role created."
        else:
            data = validated(RoleUpdate, form)
            role = svc.update_role(session, actor=actor, identifier=role.id or 0, data=data)  # type: ignore[arg-type]
            message = "Role saved."
    except Invalid as exc:
        return _form(role, status=422, form=form, errors=exc.errors)
    except (Forbidden, Conflict) as exc:
        rollback(session)
        return _form(role, status=422, form=form, errors=_refusal(exc))
    flash(message, "success")
    return redirect(url_for("roles_admin.edit", role_id=role.id), code=303)


@bp.post("/")
def create() -> Response:
    return _save(None)


@bp.post("/<int:role_id>")
def update(role_id: int) -> Response:
    return _save(_role(role_id))


@bp.post("/<int:role_id>/delete")
def delete(role_id: int) -> Response:
    session = get_session()
    role = _role(role_id)
    try:
        svc.delete_role(session, actor=current_actor(), identifier=role_id)
    except (Forbidden, Conflict) as exc:
        rollback(session)
        return _form(role, status=422, errors=_refusal(exc))
    flash(f"Role “{role.name}” deleted.", "success")
    return hx_redirect(url_for("roles_admin.index"))


def _person_page(
    user: User, *, status: int = 200, errors: dict[str, list[str]] | None = None
) -> Response:
    session, actor = get_session(), current_actor()
    held = svc.roles_of(session, [user.id])[user.id]  # type: ignore[list-item,index]
    return render_page(
        "admin/roles_person.html",
        status=status,
        person=user,
        roles=svc.list_roles(session, actor=actor),
        held={r.id for r in held},
        nodes=svc.effective_nodes(session, user),
        nodes_withheld=_nodes_withheld(actor),
        errors=errors or {},
        can_assign=actor.kind == "api_key" or actor.can(svc.USER_ROLES_NODE),
    )


def _person(user_id: int) -> User:
    """Anyone the actor may see (a client user's page shows their client role's nodes)."""
    return svc.visible_user(get_session(), current_actor(), user_id)


@bp.get("/people/<int:user_id>")
def person(user_id: int) -> Response:
    return _person_page(_person(user_id))


@bp.post("/people/<int:user_id>")
def assign(user_id: int) -> Response:
    user = _person(user_id)
    submitted = form_data(request.form, lists=("role_ids",))
    ids = [parse_int(v, minimum=1) for v in submitted["role_ids"]]
    session = get_session()
    try:
        svc.set_user_roles(
            session, actor=current_actor(), user_id=user_id, role_ids=[i for i in ids if i]
        )
    except (Forbidden, Conflict, Invalid) as exc:
        rollback(session)
        return _person_page(user, status=422, errors={"role_ids": [exc.message or "Refused."]})
    flash(f"Roles of {user.display_name} saved.", "success")
    return redirect(url_for("roles_admin.person", user_id=user_id), code=303)
