"""The one tenancy and permission mechanism.

Every principal becomes an :class:`Actor`. Every query for tenant data goes through
:func:`scoped` or :func:`get_for_actor`; a row outside what the actor may see is a
:class:`~portal.errors.NotFound`, never a 403 and never its data. Writes are checked with
:func:`require` (client roles) or permission nodes (staff), in the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import Select, false, not_, or_, union_all
from sqlmodel import Session, col, select

from portal.errors import Forbidden, NotFound
from portal.models import CLIENT_ROLE_RANK, ClientRole, Company, PortalManager, Role, User, UserRole
from portal.models.network import WLAN_FIELDS, WLAN_SECRET_FIELDS
from portal.web.args import parse_int

T = TypeVar("T")
# any select (one entity or several columns); scoped() hands back the same kind it was given.
# Select is variadic in SQLAlchemy 2.1: Select[Any] would admit one-column selects only.
S = TypeVar("S", bound=Select[*tuple[Any, ...]])

# Client roles map onto the same permission vocabulary as staff nodes.
CLIENT_ROLE_NODES: Mapping[str, tuple[str, ...]] = {
    ClientRole.viewer: ("portal.read",),
    ClientRole.collaborator: ("portal.read", "portal.write"),
    ClientRole.admin: ("portal.read", "portal.write", "portal.manage"),
}


def node_matches(granted: str, required: str) -> bool:
    """``a.b.*`` grants ``a.b`` and everything below it; ``*`` grants everything."""
    if granted == "*" or granted == required:
        return True
    if granted.endswith(".*"):
        base = granted[:-2]
        return required == base or required.startswith(base + ".")
    return False


def has_node(granted: Iterable[str], required: str) -> bool:
    return any(node_matches(g, required) for g in granted)


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``company_ids`` is the set of companies visible; ``None`` means all."""

    kind: str  # "staff" | "client" | "api_key" | "worker" | "anonymous"
    user_id: int | None = None
    company_id: int | None = None
    role: str | None = None
    nodes: frozenset[str] = field(default_factory=frozenset)
    company_ids: frozenset[int] | None = frozenset()
    label: str = ""
    scopes: frozenset[str] | None = None  # API key scopes; None = not a key
    api_key_id: int | None = None  # the key a request authenticated with

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff" or (self.kind == "api_key" and self.company_id is None)

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def sees_all(self) -> bool:
        return self.company_ids is None

    def can(self, node: str) -> bool:
        return has_node(self.nodes, node)

    def can_see_company(self, company_id: int | None) -> bool:
        if company_id is None:
            return self.sees_all
        return self.sees_all or company_id in (self.company_ids or frozenset())

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or has_node(self.scopes, scope)

    def narrowed(self, company_ids: Iterable[int]) -> Actor:
        """The same actor seeing only ``company_ids`` (what it could see of them).

        A portal page narrows once to the portal's group, so every ``scoped()`` query and
        ``get_for_actor()`` inside it answers "may see" and "is in this portal" together.
        """
        wanted = frozenset(company_ids)
        visible = wanted if self.company_ids is None else wanted & self.company_ids
        return replace(self, company_ids=visible)


ANONYMOUS = Actor(kind="anonymous", label="anonymous")


def group_company_ids(session: Session, company_id: int) -> frozenset[int]:
    """A company and its direct children (a group). Children never see their parent."""
    child_ids = session.exec(select(Company.id).where(Company.parent_id == company_id)).all()
    return frozenset([company_id, *[c for c in child_ids if c is not None]])


def staff_nodes(session: Session, user_id: int) -> frozenset[str]:
    rows = session.exec(
        select(Role.permissions)
        .join(UserRole, col(UserRole.role_id) == col(Role.id))
        .where(UserRole.user_id == user_id)
    ).all()
    return frozenset(node for perms in rows for node in (perms or []))


def actor_for_user(
    session: Session, user: User, *, child_company_ids: Iterable[int] | None = None
) -> Actor:
    """Build the actor of a signed-in person.

    ``child_company_ids``: the children of the user's company when the caller already read
    them in the same transaction (the session user's query does); otherwise one query here.
    """
    if user.is_staff:
        nodes = staff_nodes(session, user.id)  # type: ignore[arg-type]
        if has_node(nodes, "portal.all"):
            visible: frozenset[int] | None = None
        else:
            # assigned companies and their children, in one query
            assigned = select(PortalManager.company_id).where(PortalManager.user_id == user.id)
            rows = session.exec(
                select(Company.id).where(
                    or_(Company.id.in_(assigned), Company.parent_id.in_(assigned))  # type: ignore[union-attr]
                )
            ).all()
            visible = frozenset(c for c in rows if c is not None)
        return Actor(
            kind="staff", user_id=user.id, nodes=nodes, company_ids=visible, label=user.display_name
        )
    if user.company_id is None:
        return Actor(
            kind="client", user_id=user.id, company_ids=frozenset(), label=user.display_name
        )
    role = user.client_role or ClientRole.viewer.value
    return Actor(
        kind="client",
        user_id=user.id,
        company_id=user.company_id,
        role=role,
        nodes=frozenset(CLIENT_ROLE_NODES.get(role, ())),
        company_ids=(
            group_company_ids(session, user.company_id)
            if child_company_ids is None
            else frozenset([user.company_id, *child_company_ids])
        ),
        label=user.display_name,
    )


def staff_seeing_company(
    session: Session, *, company_id: int, user_ids: Iterable[int]
) -> frozenset[int]:
    """Which of ``user_ids`` are active staff who can see ``company_id`` (as their actor would:
    ``portal.all``, or assigned to the company or to its parent).

    The one rule for every "pick a staff person" field (task assignees, file approvers, note
    mentions): staff who cannot see a company are never named by it, so they are never notified
    with its data. Callers answer exactly as for an unknown id.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return frozenset()
    staff = session.exec(
        select(User.id).where(
            col(User.id).in_(wanted), col(User.is_staff).is_(True), col(User.is_active).is_(True)
        )
    ).all()
    candidates = [u for u in staff if u is not None]
    if not candidates:
        return frozenset()
    company = session.get(Company, company_id)
    companies = [company_id] + ([company.parent_id] if company and company.parent_id else [])
    seeing = set(
        session.exec(
            select(PortalManager.user_id).where(
                col(PortalManager.company_id).in_(companies),
                col(PortalManager.user_id).in_(candidates),
            )
        ).all()
    )
    grants: dict[int, list[str]] = {}
    for uid, perms in session.exec(
        select(UserRole.user_id, Role.permissions)
        .join(Role, col(Role.id) == UserRole.role_id)
        .where(col(UserRole.user_id).in_(candidates))
    ).all():
        grants.setdefault(uid, []).extend(perms or [])
    seeing.update(uid for uid, perms in grants.items() if has_node(perms, "portal.all"))
    return frozenset(seeing)


def tenant_column(model: type[Any]) -> Any:
    name = getattr(model, "__tenant_column__", None)
    if name is None:
        raise TypeError(f"{model.__name__} declares no __tenant_column__; it cannot be scoped")
    return getattr(model, name)


def scoped(stmt: S, actor: Actor, model: type[Any]) -> S:
    """Restrict a select over ``model`` to the rows the actor may see.

    That is the companies the actor sees (narrowed to a portal inside one) and, for anyone
    but staff, not the rows the model declares staff-only (``__staff_only__``: a classmethod
    returning the SQL condition of such rows — private tasks, internal notes, …) and, for
    anyone but staff and client admins, not the rows it declares ``__admin_only__``.
    """
    hidden = getattr(model, "__staff_only__", None)
    if hidden is not None and not actor.is_staff:
        stmt = stmt.where(not_(hidden()))
    # rows for staff and a company's admins only (``__admin_only__``, e.g. passphrase reveals)
    admins = getattr(model, "__admin_only__", None)
    if admins is not None and not actor.is_staff and actor.role != ClientRole.admin.value:
        stmt = stmt.where(not_(admins()))
    if actor.sees_all:
        return stmt
    ids = actor.company_ids or frozenset()
    if not ids:
        return stmt.where(false())
    # a model whose visibility is not one column (contracts: by their signers) says so itself
    condition = getattr(model, "__tenant_condition__", None)
    if condition is not None:
        return stmt.where(condition(sorted(ids), actor.is_staff))
    return stmt.where(tenant_column(model).in_(sorted(ids)))


# Up to this many companies, a "first N rows" list is read as one short index scan per company.
PER_COMPANY_MAX = 20


def first_ids_per_company(
    stmt: Select[Any], actor: Actor, model: type[Any], *, order_by: Sequence[Any], limit: int
) -> Any:
    """The ids of ``scoped(stmt)``'s first ``limit`` rows in ``order_by`` order, read as one
    short ordered scan per visible company (``stmt`` selects the model's id).

    Use it as ``Model.id.in_(…)`` and order and limit again: ``company_id IN (…)`` with
    ``ORDER BY … LIMIT`` made PostgreSQL read every row of the group and sort them, or walk
    the whole table in the order's index, where each part here reads ``limit`` entries of a
    ``(company_id, <order>)`` index. Staff who see every company (or a large group) get the
    single scoped statement.
    """
    ids = [] if actor.sees_all else sorted(actor.company_ids or ())
    if len(ids) <= 1 or len(ids) > PER_COMPANY_MAX:
        return scoped(stmt, actor, model).order_by(*order_by).limit(limit)
    parts = [
        scoped(stmt, actor.narrowed([company]), model).order_by(*order_by).limit(limit).subquery()
        for company in ids
    ]
    return union_all(*(select(part.c[0]) for part in parts))


def get_for_actor(session: Session, model: type[T], obj_id: Any, actor: Actor) -> T:
    """Load one row the actor may see, or raise NotFound (foreign rows look absent).

    ``obj_id`` is anything an id can arrive as; what cannot name a row (not ASCII digits,
    beyond the id column's range) is simply absent.
    """
    pk = parse_int(obj_id, minimum=1)
    if pk is None:
        raise NotFound()
    obj = session.exec(scoped(select(model).where(model.id == pk), actor, model)).first()  # type: ignore[attr-defined]
    if obj is None:
        raise NotFound()
    return obj


def role_at_least(actor: Actor, minimum: ClientRole) -> bool:
    if actor.is_staff:
        return True
    if actor.role is None:
        return False
    return CLIENT_ROLE_RANK[ClientRole(actor.role)] >= CLIENT_ROLE_RANK[minimum]


def require_client_role(actor: Actor, minimum: ClientRole, message: str | None = None) -> None:
    """Raise Forbidden unless the actor is staff or a client with at least ``minimum``."""
    if not role_at_least(actor, minimum):
        raise Forbidden(message or "")


def staff_can(actor: Actor, node: str) -> bool:
    """Staff holding ``node``, or an agency-wide API key (which acts for the agency)."""
    return actor.is_staff and (actor.kind == "api_key" or actor.can(node))


def require_staff(actor: Actor, node: str | None = None, message: str | None = None) -> None:
    """Raise Forbidden unless :func:`staff_can` (or, without ``node``, the actor is staff)."""
    if not actor.is_staff or (node is not None and not staff_can(actor, node)):
        raise Forbidden(message or "")


def require(actor: Actor, node: str) -> None:
    """Raise Forbidden unless the actor holds ``node`` (staff nodes or client-role nodes)."""
    if not actor.can(node):
        raise Forbidden()


@dataclass(frozen=True)
class FieldScope:
    """A family of field permission nodes ``<scope>.<field>`` (reference 004's field gating).

    Staff read a field when a role grants its node (``<scope>.*`` grants all). Client
    principals read ``client_fields`` by their role alone, plus any node they are granted.
    """

    scope: str
    fields: tuple[str, ...]
    client_fields: frozenset[str]
    description: str = ""
    # pages: a model attribute whose name is not its field's (``cost_text`` shows ``cost``);
    # otherwise an attribute is its field by name, as is or camelCased (``vendor_sku``)
    attributes: Mapping[str, str] = field(default_factory=dict)

    def nodes(self) -> list[str]:
        return [f"{self.scope}.{f}" for f in self.fields]

    def field_of(self, attribute: str) -> str | None:
        """The gated field an object's attribute shows on a page (None: not a gated field)."""
        if attribute in self.attributes:
            return self.attributes[attribute]
        if attribute in self.fields:
            return attribute
        head, *rest = attribute.split("_")
        camel = head + "".join(part.capitalize() for part in rest)
        return camel if camel in self.fields else None


# The one registry of gated field families (a role editor lists its nodes from here).
FIELD_SCOPES: dict[str, FieldScope] = {}


def register_field_scope(
    scope: str,
    fields: Iterable[str],
    *,
    client_fields: Iterable[str],
    description: str = "",
    attributes: Mapping[str, str] | None = None,
) -> FieldScope:
    family = FieldScope(
        scope, tuple(fields), frozenset(client_fields), description, dict(attributes or {})
    )
    FIELD_SCOPES[scope] = family
    return family


register_field_scope(
    "network.wifi.read",
    WLAN_FIELDS,
    client_fields=[f for f in WLAN_FIELDS if f not in WLAN_SECRET_FIELDS],
    description="Fields of a WiFi network (WLAN); passphrase and keys are secrets.",
)


# Nodes staff may grant to a company's client roles (client_nodes on Company): field nodes only,
# never staff powers.
def grantable_client_nodes() -> list[str]:
    return field_permission_nodes()


def with_company_grants(actor: Actor, company: Company | None) -> Actor:
    """A client principal of ``company`` plus the nodes staff granted its role there."""
    if actor.is_staff or company is None or actor.company_id != company.id or not actor.role:
        return actor
    granted = set((company.client_nodes or {}).get(actor.role, ())) & set(grantable_client_nodes())
    if not granted:
        return actor
    return replace(actor, nodes=actor.nodes | frozenset(granted))


def field_permission_nodes() -> list[str]:
    """Every field node of every registered family, for role editing and /api/v1/permissions."""
    return [node for family in FIELD_SCOPES.values() for node in family.nodes()]


def readable_fields(actor: Actor, scope: str) -> frozenset[str]:
    """The fields of a registered family the actor may read."""
    family = FIELD_SCOPES[scope]
    granted = {f for f in family.fields if actor.can(f"{scope}.{f}")}
    if not actor.is_staff:
        granted |= family.client_fields
    return frozenset(granted)


def can_read_field(actor: Actor, scope: str, name: str) -> bool:
    return name in readable_fields(actor, scope)


def gate_fields(data: Mapping[str, Any], actor: Actor, scope: str) -> dict[str, Any]:
    """Field-level gating (reference 004): keep only keys the actor may read under ``scope``.

    A registered family (:data:`FIELD_SCOPES`) answers per field for everyone. Otherwise
    client users and company keys see the fields their tenancy already allows; staff need
    ``<scope>.<field>`` (``<scope>.*`` grants all).
    """
    if scope in FIELD_SCOPES:
        allowed = readable_fields(actor, scope)
        return {k: v for k, v in data.items() if k in allowed}
    if not actor.is_staff or actor.kind == "api_key":
        return dict(data)
    return {k: v for k, v in data.items() if actor.can(f"{scope}.{k}")}
