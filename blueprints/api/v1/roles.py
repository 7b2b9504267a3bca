"""/api/v1/me, /roles, /users/{id}/roles, /permissions: staff roles and permission nodes
(reference 004's role, user and permission routes).

Answers use reference 004's envelope (``{"status", "message", "data", "successful"}``); errors
keep Stoa's. Roles and users are field-gated (``obj.role.<field>``, ``obj.user.<field>``) by the
one serializer step, :func:`blueprints.api.schemas.gated`. Reads need the ``users:read`` scope,
changes ``users:write``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, GatedModel, gated
from blueprints.api.v1.directory import UserOut, UserPath, user_out
from portal.db import get_session
from portal.errors import NotFound
from portal.models import Company, Role, User
from portal.models.user import PermissionsBody, RoleCreate, RoleUpdate
from portal.permissions import all_nodes, catalogue, node_dict
from portal.tenancy import Actor
from services.accounts import roles as service

bp = api_blueprint(
    "api_roles",
    __name__,
    url_prefix="/api/v1",
    tag="Roles and permissions",
    description="Staff roles, the permission nodes they grant (reference 004), who holds which, "
    "and the catalogue of every node the product checks.",
)


class RolesEnvelopeBase(BaseModel):
    status: int = Field(examples=[200])
    message: str
    successful: bool = True


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, "data": data, "successful": True, **extra}


class RoleOut(
    GatedModel,
    scope="obj.role",
    label="role",
    # pages: a Role row's name is the object's title
    attributes={"name": "title"},
):
    """A staff role (reference 004); staff read the fields their ``obj.role.<field>`` grant."""

    id: str
    title: str
    moniker: str
    description: str
    permissions: list[str]
    builtIn: bool = Field(description="admin and pm: cannot be deleted or renamed")
    userCount: int | None = Field(default=None, description="How many users hold it")
    createdAt: datetime


class RoleEnvelope(RolesEnvelopeBase):
    data: RoleOut


class RoleListEnvelope(RolesEnvelopeBase):
    data: list[RoleOut]
    total: int


class PermissionNodeOut(BaseModel):
    node: str
    description: str
    usedIn: list[str] = Field(description="Source files where the product checks it")


class PermissionCategoryOut(BaseModel):
    name: str
    description: str
    permissions: list[PermissionNodeOut]


class PermissionCatalogueEnvelope(RolesEnvelopeBase):
    data: dict[str, PermissionCategoryOut]


class PermissionCategoryEnvelope(RolesEnvelopeBase):
    data: PermissionCategoryOut


class PermissionNodeListEnvelope(RolesEnvelopeBase):
    data: list[PermissionNodeOut]


class MeOut(BaseModel):
    user: UserOut | None = Field(description="None for an API key")
    roles: list[RoleOut]
    permissions: list[str] = Field(description="The effective nodes: every role's, together")


class MeEnvelope(RolesEnvelopeBase):
    data: MeOut


class PermissionCheckResult(BaseModel):
    permission: str
    hasPermission: bool


class PermissionCheckOut(BaseModel):
    results: list[PermissionCheckResult]


class PermissionCheckEnvelope(RolesEnvelopeBase):
    data: PermissionCheckOut


class RolePath(ApiModel):
    role_id: str = Field(min_length=1, max_length=80, description="Role id or moniker")


class UserRolePath(ApiModel):
    user_id: int = Field(ge=1, le=MAX_ID)
    role_id: str = Field(min_length=1, max_length=80, description="Role id or moniker")


class PermissionCategoryPath(ApiModel):
    category: str = Field(min_length=1, max_length=80)


class UserRoleBody(ApiModel):
    role: str = Field(min_length=1, max_length=80, description="Role id or moniker")


def role_out(role: Role, actor: Actor, count: int | None = None) -> dict[str, Any]:
    return gated(
        RoleOut(
            id=str(role.id),
            title=role.name,
            moniker=service.moniker(role),
            description=role.description,
            permissions=list(role.permissions or []),
            builtIn=service.is_builtin(role),
            userCount=count,
            createdAt=role.created_at,
        ),
        actor,
    )


def _user(session: Session, user: User, actor: Actor) -> dict[str, Any]:
    company = session.get(Company, user.company_id) if user.company_id else None
    return user_out(user, company.name if company else None, actor)


# --- me ---------------------------------------------------------------------------------------


@bp.get("/me", summary="Who am I", responses={200: MeEnvelope})
def get_me():
    """The caller: their user (field-gated ``obj.user``), roles and effective permission nodes.
    An API key has no user: its nodes are ``*`` (agency-wide) or its client role's. Scope
    users:read."""
    actor = require_scope("users:read")
    session = get_session()
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    roles = service.roles_of(session, [user.id])[user.id] if user and user.id else []  # type: ignore[index]
    nodes = service.effective_nodes(session, user) if user else sorted(actor.nodes)
    data = {
        "user": _user(session, user, actor) if user else None,
        "roles": [role_out(r, actor) for r in roles],
        "permissions": nodes,
    }
    return ok("Fetched user.", data)


def _check(user_id: int, body: PermissionsBody) -> dict[str, Any]:
    actor = require_scope("users:read")
    results = service.check_permissions(
        get_session(), actor=actor, user_id=user_id, nodes=body.permissions
    )
    return ok(
        "Permission check completed.",
        {"results": [{"permission": n, "hasPermission": has} for n, has in results]},
    )


@bp.post(
    "/me/permissions/check",
    summary="Check my permissions",
    responses={200: PermissionCheckEnvelope},
)
def check_my_permissions(body: PermissionsBody):
    """Whether the caller holds each node (unknown nodes: 422). Scope users:read."""
    actor = require_scope("users:read")
    if actor.user_id is None:
        return ok(
            "Permission check completed.",
            {
                "results": [
                    {"permission": n, "hasPermission": actor.kind == "api_key" and actor.is_staff}
                    for n in body.permissions
                ]
            },
        )
    return _check(actor.user_id, body)


# --- users' roles -----------------------------------------------------------------------------


@bp.get(
    "/users/<int:user_id>/roles", summary="List a user's roles", responses={200: RoleListEnvelope}
)
def list_user_roles(path: UserPath):
    """Staff with role.read (or the user themselves); field-gated ``obj.role``. Scope
    users:read."""
    actor = require_scope("users:read")
    _, roles = service.user_roles(get_session(), actor=actor, user_id=path.user_id)
    return ok(
        "User Roles Fetched Successfully!", [role_out(r, actor) for r in roles], total=len(roles)
    )


@bp.post(
    "/users/<int:user_id>/roles",
    summary="Give a user a role",
    responses={200: RoleListEnvelope},
)
def add_user_role(path: UserPath, body: UserRoleBody):
    """Staff with user.roles.update holding every node of the role (else 403); staff users
    only (a client user: 422). Answers the user's roles. Scope users:write."""
    actor = require_staff("users:write")
    roles = service.add_user_role(
        get_session(), actor=actor, user_id=path.user_id, identifier=body.role
    )
    return ok(
        "User Role Added Successfully!", [role_out(r, actor) for r in roles], total=len(roles)
    )


@bp.delete(
    "/users/<int:user_id>/roles/<string:role_id>",
    summary="Take a role from a user",
    responses={200: RoleListEnvelope},
)
def remove_user_role(path: UserRolePath):
    """Staff with user.roles.update holding every node of the role; the last administrator
    keeps the role (409). Scope users:write."""
    actor = require_staff("users:write")
    roles = service.remove_user_role(
        get_session(), actor=actor, user_id=path.user_id, identifier=path.role_id
    )
    return ok(
        "User Role Removed Successfully!", [role_out(r, actor) for r in roles], total=len(roles)
    )


@bp.post(
    "/users/<int:user_id>/permissions/check",
    summary="Check a user's permissions",
    responses={200: PermissionCheckEnvelope},
)
def check_user_permissions(path: UserPath, body: PermissionsBody):
    """Whether the user holds each node: ``{"results": [{"permission", "hasPermission"}]}``.
    Staff with role.read (anyone for themselves); unknown nodes are a 422. Scope users:read."""
    return _check(path.user_id, body)


# --- roles ------------------------------------------------------------------------------------


@bp.get("/roles", summary="List roles", responses={200: RoleListEnvelope})
def list_roles():
    """Every role with how many users hold it. Staff with role.read; scope users:read."""
    actor = require_staff("users:read")
    session = get_session()
    roles = service.list_roles(session, actor=actor)
    counts = service.role_user_counts(session)
    data = [role_out(r, actor, counts.get(r.id, 0)) for r in roles]  # type: ignore[arg-type]
    return ok("Roles Fetched Successfully!", data, total=len(data))


@bp.post("/roles", summary="Create a role", responses={201: RoleEnvelope})
def create_role(body: RoleCreate):
    """Staff with role.write; every node must be known (422) and held by the caller (403).
    Scope users:write."""
    actor = require_staff("users:write")
    role = service.create_role(get_session(), actor=actor, data=body)
    return ok("Role Created Successfully!", role_out(role, actor, 0), 201), 201


@bp.get("/roles/<string:role_id>", summary="Get a role", responses={200: RoleEnvelope})
def get_role(path: RolePath):
    """By id or moniker (``admin``, ``pm`` …). Staff with role.read; scope users:read."""
    actor = require_staff("users:read")
    session = get_session()
    role = service.get_role(session, actor=actor, identifier=path.role_id)
    count = service.role_user_counts(session).get(role.id, 0)  # type: ignore[arg-type]
    return ok("Role Fetched Successfully!", role_out(role, actor, count))


@bp.patch("/roles/<string:role_id>", summary="Change a role", responses={200: RoleEnvelope})
def update_role(path: RolePath, body: RoleUpdate):
    """Title, description, or the whole node set. Built-in roles keep their titles and the
    administrator keeps ``*`` (409). Staff with role.write; scope users:write."""
    actor = require_staff("users:write")
    role = service.update_role(get_session(), actor=actor, identifier=path.role_id, data=body)
    return ok("Role Updated Successfully!", role_out(role, actor))


@bp.delete("/roles/<string:role_id>", summary="Delete a role", responses={200: RoleEnvelope})
def delete_role(path: RolePath):
    """Removes it from every user. Built-in roles stay (409). Staff with role.write; scope
    users:write."""
    actor = require_staff("users:write")
    role = service.delete_role(get_session(), actor=actor, identifier=path.role_id)
    return ok("Role Deleted Successfully!", role_out(role, actor))


@bp.post(
    "/roles/<string:role_id>/permissions",
    summary="Add permissions to a role",
    responses={200: RoleEnvelope},
)
def add_role_permissions(path: RolePath, body: PermissionsBody):
    """Merged with the role's nodes; unknown nodes 422, nodes the caller lacks 403."""
    actor = require_staff("users:write")
    role = service.add_permissions(
        get_session(), actor=actor, identifier=path.role_id, nodes=body.permissions
    )
    return ok("Permissions Added Successfully!", role_out(role, actor))


@bp.delete(
    "/roles/<string:role_id>/permissions",
    summary="Remove permissions from a role",
    responses={200: RoleEnvelope},
)
def remove_role_permissions(path: RolePath, body: PermissionsBody):
    """Body ``{"permissions": [...]}``: those nodes leave the role."""
    actor = require_staff("users:write")
    role = service.remove_permissions(
        get_session(), actor=actor, identifier=path.role_id, nodes=body.permissions
    )
    return ok("Permissions Removed Successfully!", role_out(role, actor))


# --- the catalogue ----------------------------------------------------------------------------


def _catalogue_reader() -> Actor:
    actor = require_staff("users:read")
    service.list_roles(get_session(), actor=actor)  # role.read, as reference 004
    return actor


@bp.get(
    "/permissions",
    summary="Permission nodes by category",
    responses={200: PermissionCatalogueEnvelope},
)
def list_permissions():
    """Every node the product checks, by category (reference 004): ``{key: {name,
    description, permissions: [{node, description, usedIn}]}}``. Staff with role.read."""
    _catalogue_reader()
    return ok("Permission Nodes Fetched Successfully!", catalogue())


@bp.get(
    "/permissions/nodes",
    summary="All permission nodes",
    responses={200: PermissionNodeListEnvelope},
)
def list_permission_nodes():
    """The same nodes as one flat list. Staff with role.read."""
    _catalogue_reader()
    return ok("All Permission Nodes Fetched Successfully!", [node_dict(n) for n in all_nodes()])


@bp.get(
    "/permissions/<string:category>",
    summary="Permission nodes of one category",
    responses={200: PermissionCategoryEnvelope},
)
def get_permission_category(path: PermissionCategoryPath):
    """One category of the catalogue; an unknown one is a 404."""
    _catalogue_reader()
    data = catalogue().get(path.category)
    if data is None:
        raise NotFound(f'Permission category "{path.category}" not found', code="NotFound")
    return ok("Permission Category Fetched Successfully!", data)
