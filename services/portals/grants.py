"""Permission nodes staff grant to one company's client roles (``Company.client_nodes``)."""

from __future__ import annotations

from sqlmodel import Session

from portal.errors import Invalid
from portal.models import ClientRole, Company
from portal.tenancy import Actor, get_for_actor, grantable_client_nodes, require_staff

GRANT_NODE = "company.permissions.update"


def set_client_grant(
    *, session: Session, actor: Actor, company_id: int, role: str, node: str, granted: bool
) -> Company:
    """Grant (or take back) ``node`` to the ``role`` users of a company (staff only)."""
    require_staff(actor, GRANT_NODE, "Only the agency can change what a client may see.")
    company = get_for_actor(session, Company, company_id, actor)
    if role not in {r.value for r in ClientRole}:
        raise Invalid(errors={"role": ["Choose viewer, collaborator or admin."]})
    if node not in grantable_client_nodes():
        raise Invalid(errors={"node": ["That permission cannot be granted to clients."]})
    nodes = dict(company.client_nodes or {})
    current = set(nodes.get(role, []))
    current = current | {node} if granted else current - {node}
    nodes[role] = sorted(current)
    company.client_nodes = {r: n for r, n in nodes.items() if n}
    session.add(company)
    session.flush()
    return company
