"""People: staff admins, client users."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal import passwords
from portal.errors import Invalid
from portal.models import Role, User, UserRole
from services.accounts.auth import normalise_email
from services.events.notifications import PreferenceRow, preference_rows
from services.portals import landing_url

ADMIN_ROLE = "Administrator"
PM_ROLE = "Project manager"

# Permission nodes a project manager holds on their assigned portals.
PM_NODES = [
    "portal.read",
    "portal.write",
    "portal.manage",
    "user.invite",
    "user.view_as",
    "project.*",
    "task.*",
    "file.*",
    "deliverable.*",
    "note.*",
    "invoice.read",
    "contract.read",
    "budget.*",
    "page.*",
    "network.read",
    "network.wifi.read.*",
    "obj.*",
    # the vault: open and keep credentials, but reading secure values is granted separately
    "credential.fetch",
    "credential.fetch.many",
    "credential.create",
    "credential.update",
    "credential.sub_credentials.*",
    "credential_type.fetch",
    "credential_type.fetch.many",
    "audit.read",
    "onboarding.*",
    # sales with their own clients (tenancy narrows to assigned portals): opportunities, their
    # products and notes, proposals; the catalog to build lines from, read-only (no link/refresh)
    "sales.*",
    "procurement.catalog.fetch",
    "procurement.catalog.fetch.many",
]


# The built-in roles and their default nodes (a new default reaches existing installs through
# update_builtin_roles).
BUILTIN_ROLE_NODES: dict[str, list[str]] = {ADMIN_ROLE: ["*"], PM_ROLE: PM_NODES}


def ensure_role(
    session: Session, *, name: str, permissions: list[str], description: str = ""
) -> Role:
    role = session.exec(select(Role).where(Role.name == name)).first()
    if role is None:
        ledger = list(permissions) if name in BUILTIN_ROLE_NODES else None
        role = Role(
            name=name, permissions=permissions, description=description, default_nodes=ledger
        )
        session.add(role)
        session.flush()
    return role


def update_builtin_roles(session: Session) -> dict[str, list[str]]:
    """Add the built-in roles' new default nodes to existing installs (idempotent).

    A default the role was never offered (not in its ``default_nodes`` ledger) is added; one it
    was offered and an admin took away stays away; an admin's own additions stay. Returns the
    nodes added per role name (empty when nothing changed).
    """
    added: dict[str, list[str]] = {}
    roles = session.exec(select(Role).where(Role.name.in_(BUILTIN_ROLE_NODES))).all()  # type: ignore[attr-defined]
    for role in roles:
        defaults = BUILTIN_ROLE_NODES[role.name]
        offered = set(role.default_nodes or ())
        new = [n for n in defaults if n not in offered and n not in role.permissions]
        if new:
            role.permissions = [*role.permissions, *new]
            added[role.name] = new
        if new or set(defaults) - offered:
            role.default_nodes = sorted(offered | set(defaults))
            session.add(role)
    session.flush()
    return added


def grant_role(session: Session, *, user: User, role: Role) -> None:
    exists = session.exec(
        select(UserRole.id).where(UserRole.user_id == user.id, UserRole.role_id == role.id)
    ).first()
    if exists is None:
        session.add(UserRole(user_id=user.id, role_id=role.id))  # type: ignore[arg-type]
        session.flush()


def create_staff_admin(session: Session, *, email: str, name: str, password: str) -> User:
    """Create a staff admin, or promote an existing account and reset its password."""
    address = normalise_email(email)
    problems = passwords.password_problems(password)
    if problems:
        raise Invalid(" ".join(problems), errors={"password": problems})
    user = session.exec(select(User).where(User.email == address)).first()
    if user is None:
        user = User(email=address, name=name)
    user.is_staff = True
    user.company_id = None
    user.client_role = None
    user.name = name or user.name
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    session.flush()
    admin = ensure_role(
        session, name=ADMIN_ROLE, permissions=["*"], description="Everything, everywhere"
    )
    grant_role(session, user=user, role=admin)
    return user


@dataclass(frozen=True)
class AccountPage:
    """/account: the way back home and the notification preferences."""

    home: str
    prefs: list[PreferenceRow]


def account_page(session: Session, *, user: User) -> AccountPage:
    prefs = preference_rows(session, user_id=user.id) if user.id is not None else []
    return AccountPage(home=landing_url(session, user=user), prefs=prefs)
