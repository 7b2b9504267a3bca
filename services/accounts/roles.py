"""Staff roles and their permission nodes (reference 004): roles, who holds them, what a user
may do. Built-in roles (``admin``, ``pm``) stay; nobody grants what they do not hold.

A role is named by its id or its moniker (``admin``, ``pm``, or the title made a slug).
Escalation is refused in one place (:func:`_require_holds`): an actor may put a node on a role,
or a role on a user, only when it holds every node it would hand out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import Role, User, UserRole
from portal.models.activity import Action
from portal.models.user import RoleCreate, RoleUpdate
from portal.permissions import PermissionNode, all_nodes, category_info, is_grantable, register_node
from portal.tenancy import (
    Actor,
    actor_for_user,
    get_for_actor,
    has_node,
    require_staff,
    staff_nodes,
)
from portal.web.args import is_digits, parse_int
from services.accounts.users import ADMIN_ROLE, PM_ROLE
from services.events import activity

ROLE_READ_NODE = register_node(
    "role.read", "See roles, the permission catalogue and who holds what"
)
ROLE_WRITE_NODE = register_node("role.write", "Create, change and delete roles and their nodes")
USER_ROLES_NODE = register_node("user.roles.update", "Give staff users roles and take them away")

# The built-in roles: code and fixtures find them by title; their monikers are fixed.
BUILTIN_MONIKERS: dict[str, str] = {ADMIN_ROLE: "admin", PM_ROLE: "pm"}


def moniker(role: Role) -> str:
    """``admin``, ``pm``, or the title as a slug (``Billing team`` -> ``billing_team``)."""
    if role.name in BUILTIN_MONIKERS:
        return BUILTIN_MONIKERS[role.name]
    return re.sub(r"[^a-z0-9]+", "_", role.name.lower()).strip("_") or f"role_{role.id}"


def is_builtin(role: Role) -> bool:
    return role.name in BUILTIN_MONIKERS


# --- reading ----------------------------------------------------------------------------------


def list_roles(session: Session, *, actor: Actor) -> list[Role]:
    require_staff(actor, ROLE_READ_NODE, "You may not see roles.")
    return list(session.exec(select(Role).order_by(col(Role.name))).all())


def find_role(session: Session, identifier: str | int) -> Role | None:
    """A role by id (digits) or moniker; None when there is none."""
    text = str(identifier).strip()
    if is_digits(text):
        number = parse_int(text, minimum=1)  # beyond the id column's range names no role
        return session.get(Role, number) if number is not None else None
    return next((r for r in session.exec(select(Role)).all() if moniker(r) == text), None)


def get_role(session: Session, *, actor: Actor, identifier: str | int) -> Role:
    require_staff(actor, ROLE_READ_NODE, "You may not see roles.")
    role = find_role(session, identifier)
    if role is None:
        raise NotFound(f"Role with identifier '{identifier}' was not found.", code="RoleNotFound")
    return role


def role_user_counts(session: Session) -> dict[int, int]:
    rows = session.exec(
        select(UserRole.role_id, func.count()).group_by(col(UserRole.role_id))
    ).all()
    return {int(role_id): int(n) for role_id, n in rows}


def roles_of(session: Session, user_ids: Sequence[int]) -> dict[int, list[Role]]:
    """user id -> their roles (one query)."""
    out: dict[int, list[Role]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return out
    for uid, role in session.exec(
        select(UserRole.user_id, Role)
        .join(Role, col(Role.id) == col(UserRole.role_id))
        .where(col(UserRole.user_id).in_(list(user_ids)))
        .order_by(col(Role.name))
    ).all():
        out[uid].append(role)
    return out


def effective_nodes(session: Session, user: User) -> list[str]:
    """What ``user`` holds: the union of their roles' nodes (staff) or their client role's."""
    if user.is_staff:
        return sorted(staff_nodes(session, user.id))  # type: ignore[arg-type]
    return sorted(actor_for_user(session, user).nodes)


def visible_user(session: Session, actor: Actor, user_id: int) -> User:
    """The user, if the actor may see them (everyone sees themselves); else NotFound."""
    if actor.user_id is not None and user_id == actor.user_id:
        user = session.get(User, user_id)
        if user is not None:
            return user
    return get_for_actor(session, User, user_id, actor)


def user_roles(session: Session, *, actor: Actor, user_id: int) -> tuple[User, list[Role]]:
    """A user's roles; staff with role.read (anyone for themselves)."""
    if actor.user_id is None or user_id != actor.user_id:
        require_staff(actor, ROLE_READ_NODE, "You may not see other people's roles.")
    user = visible_user(session, actor, user_id)
    return user, roles_of(session, [user_id])[user_id]


def check_permissions(
    session: Session, *, actor: Actor, user_id: int, nodes: Iterable[str]
) -> list[tuple[str, bool]]:
    """Whether the user holds each node (reference 004's permission check)."""
    wanted = list(dict.fromkeys(nodes))
    _require_known(wanted)
    user, _ = user_roles(session, actor=actor, user_id=user_id)
    held = effective_nodes(session, user)
    return [(node, has_node(held, node)) for node in wanted]


# --- the catalogue grouped for the role editor --------------------------------------------------


@dataclass(frozen=True)
class NodeGroup:
    key: str
    name: str
    description: str
    nodes: list[PermissionNode]

    @property
    def wildcard(self) -> str:
        return f"{self.key}.*"


def node_groups() -> list[NodeGroup]:
    """Every grantable node by category (global first), as the role editor shows them."""
    groups: dict[str, list[PermissionNode]] = {}
    for node in all_nodes():
        groups.setdefault(node.category, []).append(node)
    return [NodeGroup(key, *category_info(key), nodes) for key, nodes in groups.items()]


# --- changing ---------------------------------------------------------------------------------


def _require_known(nodes: Iterable[str]) -> None:
    unknown = [n for n in nodes if not is_grantable(n)]
    if unknown:
        raise Invalid(
            "Unknown permission nodes.",
            errors={"permissions": [f"Unknown permission node: {n}" for n in unknown]},
        )


def _require_holds(actor: Actor, nodes: Iterable[str], message: str) -> None:
    """No escalation: every node handed out must be one the actor holds itself."""
    if actor.kind == "api_key":  # an agency-wide key acts for the agency (staff_can)
        return
    missing = [n for n in nodes if not has_node(actor.nodes, n)]
    if missing:
        raise Forbidden(f"{message} You do not hold: {', '.join(missing)}.", code="escalation")


def _check_title(session: Session, title: str, *, role_id: int | None = None) -> None:
    clash = session.exec(select(Role).where(func.lower(Role.name) == title.lower())).first()
    if clash is not None and clash.id != role_id:
        raise Invalid(errors={"title": ["A role with this name exists already."]})
    if title in BUILTIN_MONIKERS or title.lower() in BUILTIN_MONIKERS.values():
        raise Invalid(errors={"title": ["That name belongs to a built-in role."]})


def _granted(nodes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(nodes))


def _record(
    session: Session,
    actor: Actor,
    action: Action,
    role: Role,
    description: str,
    user: User | None = None,
) -> None:
    """Role changes are staff actions of the agency (no company): one activity row each."""
    activity.record(
        session,
        actor=actor,
        company_id=None,
        action=action,
        object_type="user" if user else "role",
        object_id=user.id if user else role.id,
        object_label=user.display_name if user else role.name,
        description=description,
    )


def create_role(session: Session, *, actor: Actor, data: RoleCreate) -> Role:
    require_staff(actor, ROLE_WRITE_NODE, "You may not create roles.")
    nodes = _granted(data.permissions)
    _check_title(session, data.title)
    _require_known(nodes)
    _require_holds(actor, nodes, "A role cannot grant more than you hold.")
    role = Role(name=data.title, description=data.description, permissions=nodes)
    session.add(role)
    session.flush()
    _record(
        session, actor, Action.role_created, role, f"{actor.label} created the role {role.name}"
    )
    return role


def _set_permissions(actor: Actor, role: Role, nodes: list[str]) -> None:
    """Replace the role's nodes: what is added must be known and held; what stays may be a
    grant no longer in the catalogue (a built-in role's ``note.*``)."""
    if role.name == ADMIN_ROLE and set(nodes) != set(role.permissions or []):
        raise Conflict("The administrator role always holds everything.", code="builtin_role")
    before = set(role.permissions or [])
    added = [n for n in nodes if n not in before]
    removed = [n for n in before if n not in nodes]
    _require_known(added)
    _require_holds(actor, [*added, *removed], "You cannot change nodes you do not hold.")
    role.permissions = nodes


def update_role(session: Session, *, actor: Actor, identifier: str | int, data: RoleUpdate) -> Role:
    role = get_role(session, actor=actor, identifier=identifier)
    require_staff(actor, ROLE_WRITE_NODE, "You may not change roles.")
    if data.title is not None and data.title != role.name:
        if is_builtin(role):
            raise Conflict("Built-in roles keep their names.", code="builtin_role")
        _check_title(session, data.title, role_id=role.id)
        role.name = data.title
    if data.description is not None:
        role.description = data.description
    if data.permissions is not None:
        _set_permissions(actor, role, _granted(data.permissions))
    session.add(role)
    session.flush()
    _record(
        session, actor, Action.role_updated, role, f"{actor.label} changed the role {role.name}"
    )
    return role


def add_permissions(
    session: Session, *, actor: Actor, identifier: str | int, nodes: Sequence[str]
) -> Role:
    role = get_role(session, actor=actor, identifier=identifier)
    require_staff(actor, ROLE_WRITE_NODE, "You may not change roles.")
    current = list(role.permissions or [])
    _set_permissions(actor, role, _granted([*current, *nodes]))
    session.add(role)
    session.flush()
    _record(
        session,
        actor,
        Action.role_updated,
        role,
        f"{actor.label} added {', '.join(nodes)} to the role {role.name}",
    )
    return role


def remove_permissions(
    session: Session, *, actor: Actor, identifier: str | int, nodes: Sequence[str]
) -> Role:
    role = get_role(session, actor=actor, identifier=identifier)
    require_staff(actor, ROLE_WRITE_NODE, "You may not change roles.")
    _require_known([n for n in nodes if n not in (role.permissions or [])])
    _set_permissions(actor, role, [n for n in (role.permissions or []) if n not in set(nodes)])
    session.add(role)
    session.flush()
    _record(
        session,
        actor,
        Action.role_updated,
        role,
        f"{actor.label} removed {', '.join(nodes)} from the role {role.name}",
    )
    return role


def delete_role(session: Session, *, actor: Actor, identifier: str | int) -> Role:
    role = get_role(session, actor=actor, identifier=identifier)
    require_staff(actor, ROLE_WRITE_NODE, "You may not delete roles.")
    if is_builtin(role):
        raise Conflict("Built-in roles cannot be deleted.", code="builtin_role")
    _require_holds(actor, role.permissions or [], "You cannot delete a role above your own.")
    for link in session.exec(select(UserRole).where(UserRole.role_id == role.id)).all():
        session.delete(link)
    _record(
        session, actor, Action.role_deleted, role, f"{actor.label} deleted the role {role.name}"
    )
    session.delete(role)
    session.flush()
    return role


def _staff_target(session: Session, actor: Actor, user_id: int) -> User:
    require_staff(actor, USER_ROLES_NODE, "You may not change people's roles.")
    user = visible_user(session, actor, user_id)
    if not user.is_staff:
        raise Invalid(
            "Roles are for staff users; a client user has a client role.",
            errors={"role": ["Roles are for staff users; change a client user's client role."]},
        )
    return user


def add_user_role(
    session: Session, *, actor: Actor, user_id: int, identifier: str | int
) -> list[Role]:
    """Give a staff user a role (idempotent); the actor must hold every node of the role."""
    user = _staff_target(session, actor, user_id)
    role = find_role(session, identifier)
    if role is None:
        raise Invalid(errors={"role": [f"No role '{identifier}'."]})
    _require_holds(actor, role.permissions or [], "You cannot give a role above your own.")
    exists = session.exec(
        select(UserRole.id).where(UserRole.user_id == user.id, UserRole.role_id == role.id)
    ).first()
    if exists is None:
        session.add(UserRole(user_id=user.id, role_id=role.id))  # type: ignore[arg-type]
        session.flush()
        _record(
            session,
            actor,
            Action.user_role_added,
            role,
            f"{actor.label} gave {user.display_name} the role {role.name}",
            user,
        )
    return roles_of(session, [user_id])[user_id]


def remove_user_role(
    session: Session, *, actor: Actor, user_id: int, identifier: str | int
) -> list[Role]:
    """Take a role from a staff user; the last administrator keeps theirs."""
    user = _staff_target(session, actor, user_id)
    role = find_role(session, identifier)
    if role is None:
        raise NotFound(f"Role with identifier '{identifier}' was not found.", code="RoleNotFound")
    _require_holds(actor, role.permissions or [], "You cannot take away a role above your own.")
    link = session.exec(
        select(UserRole).where(UserRole.user_id == user.id, UserRole.role_id == role.id)
    ).first()
    if link is not None:
        if role.name == ADMIN_ROLE and _active_admins(session, role) <= 1:
            raise Conflict("The last administrator keeps the role.", code="last_admin")
        session.delete(link)
        session.flush()
        _record(
            session,
            actor,
            Action.user_role_removed,
            role,
            f"{actor.label} took the role {role.name} from {user.display_name}",
            user,
        )
    return roles_of(session, [user_id])[user_id]


def _active_admins(session: Session, role: Role) -> int:
    return session.exec(
        select(func.count())
        .select_from(UserRole)
        .join(User, col(User.id) == col(UserRole.user_id))
        .where(UserRole.role_id == role.id, col(User.is_active).is_(True))
    ).one()


def set_user_roles(
    session: Session, *, actor: Actor, user_id: int, role_ids: Iterable[int]
) -> list[Role]:
    """The admin screen's "roles of this person" form: add the ticked, remove the unticked."""
    wanted = set(role_ids)
    current = {r.id for r in roles_of(session, [user_id]).get(user_id, [])}
    _staff_target(session, actor, user_id)
    for rid in sorted(wanted - current):
        add_user_role(session, actor=actor, user_id=user_id, identifier=rid)
    for rid in sorted(r for r in current - wanted if r is not None):
        remove_user_role(session, actor=actor, user_id=user_id, identifier=rid)
    return roles_of(session, [user_id])[user_id]


# --- the admin screen -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    user: User
    roles: list[Role]
    nodes: list[str]


@dataclass(frozen=True)
class RolesPage:
    roles: list[Role]
    counts: dict[int, int]
    staff: list[StaffRow]
    can_write: bool
    can_assign: bool


def roles_page(session: Session, *, actor: Actor) -> RolesPage:
    roles = list_roles(session, actor=actor)
    users = list(
        session.exec(
            select(User).where(col(User.is_staff).is_(True)).order_by(col(User.name), col(User.id))
        ).all()
    )
    by_user = roles_of(session, [u.id for u in users if u.id is not None])
    staff = [
        StaffRow(
            u,
            by_user.get(u.id, []),  # type: ignore[arg-type]
            sorted({n for r in by_user.get(u.id, []) for n in (r.permissions or [])}),  # type: ignore[arg-type]
        )
        for u in users
    ]
    return RolesPage(
        roles=roles,
        counts=role_user_counts(session),
        staff=staff,
        can_write=actor.kind == "api_key" or actor.can(ROLE_WRITE_NODE),
        can_assign=actor.kind == "api_key" or actor.can(USER_ROLES_NODE),
    )
