"""Results (SPEC §5.7): connecting platforms, and asking for a sync.

Connections are tested against the platform before anything is stored; their credentials are
encrypted at rest and never leave this package in clear. The numbers are read in ``metrics``
and ``campaigns``; the background sync is in ``sync``; the plain-language answers in ``ask``.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal import crypto
from portal.errors import Forbidden, Invalid, NotFound
from portal.models import ClientRole, Company, Portal, PortalManager
from portal.models.activity import Action
from portal.models.results import (
    PLATFORM_LABELS,
    ConnectionCreate,
    ManagedBy,
    MetricDaily,
    PlatformConnection,
)
from portal.permissions import register_node
from portal.runtime import get_runtime
from portal.tenancy import Actor, get_for_actor, require_client_role, scoped
from portal.web.pagination import count
from services.events.activity import record
from services.events.notifications import notify
from services.results.connectors import PlatformError, connector_for

log = logging.getLogger(__name__)

MANAGE_NODE = register_node(
    "results.connections.manage", "Connect and remove clients' results platforms"
)


def dashboard_enabled(session: Session, company_id: int) -> bool:
    """Whether the company's portal shows results (``Portal.dashboard_enabled``)."""
    return bool(
        session.exec(
            select(Portal.dashboard_enabled).where(Portal.company_id == company_id)
        ).first()
    )


def require_dashboard(session: Session, company_id: int) -> None:
    if not dashboard_enabled(session, company_id):
        raise NotFound("Results are not enabled for this portal.")


def list_connections(
    session: Session, *, actor: Actor, company_id: int
) -> list[PlatformConnection]:
    """The company's connections, oldest first."""
    return list(
        session.exec(
            scoped(select(PlatformConnection), actor, PlatformConnection)
            .where(PlatformConnection.company_id == company_id)
            .order_by(col(PlatformConnection.created_at), col(PlatformConnection.id))
        ).all()
    )


def connections_page(
    session: Session, *, actor: Actor, company_id: int, limit: int, offset: int
) -> tuple[list[PlatformConnection], int]:
    """One page of the company's connections (oldest first) and how many it has."""
    stmt = scoped(select(PlatformConnection), actor, PlatformConnection).where(
        PlatformConnection.company_id == company_id
    )
    rows = session.exec(
        stmt.order_by(col(PlatformConnection.created_at), col(PlatformConnection.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), count(session, stmt)


def first_connections(
    session: Session, *, actor: Actor, company_id: int, limit: int
) -> tuple[list[PlatformConnection], int]:
    """The company's first ``limit`` connections (oldest first) and how many it has, in one
    statement: a page lists a few, however many accounts feed the numbers."""
    rows = session.exec(
        scoped(select(PlatformConnection, func.count().over()), actor, PlatformConnection)
        .where(PlatformConnection.company_id == company_id)
        .order_by(col(PlatformConnection.created_at), col(PlatformConnection.id))
        .limit(limit)
    ).all()
    return [row[0] for row in rows], (int(rows[0][1]) if rows else 0)


def connected_platforms(session: Session, *, actor: Actor, company_id: int) -> list[str]:
    """The platforms the company has connected (each once)."""
    return list(
        session.exec(
            scoped(select(PlatformConnection.platform), actor, PlatformConnection)
            .where(PlatformConnection.company_id == company_id)
            .distinct()
        ).all()
    )


def platform_base_url() -> str:
    url = get_runtime().settings.results_platform_url
    if not url:
        raise Invalid(
            "Platform connections are not set up on this server (RESULTS_PLATFORM_URL).",
            code="connections_unavailable",
        )
    return url


def credentials_of(connection: PlatformConnection) -> dict[str, str]:
    """The decrypted credentials (for the connector only: never returned or logged)."""
    data = json.loads(crypto.decrypt(connection.credentials_encrypted))
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def create_connection(
    *, session: Session, actor: Actor, company_id: int, data: ConnectionCreate
) -> PlatformConnection:
    """Test ``data``'s credentials against the platform, then store them encrypted.

    A client collaborator+ connects a client-managed platform; staff holding
    ``results.connections.manage`` an agency-managed one. Wrong credentials are an
    :class:`Invalid` with the platform's reason, and nothing is stored. The portal's
    managers are notified.
    """
    company = get_for_actor(session, Company, company_id, actor)
    require_dashboard(session, company_id)
    if actor.is_staff:
        if not (actor.kind == "api_key" or actor.can(MANAGE_NODE)):
            raise Forbidden("Only the agency's results managers can connect platforms.")
    else:
        require_client_role(
            actor, ClientRole.collaborator, "Only collaborators and admins can connect platforms."
        )
    credentials = {
        k: v for k, v in data.credentials.model_dump().items() if isinstance(v, str) and v
    }
    connector = connector_for(data.platform, platform_base_url(), credentials)
    try:
        account = connector.account()
    except PlatformError as exc:
        raise Invalid(
            exc.message, code="connection_failed", errors={"credentials": [exc.message]}
        ) from None
    label = PLATFORM_LABELS[data.platform]
    connection = PlatformConnection(
        company_id=company.id,  # type: ignore[arg-type]
        platform=data.platform,
        display_name=data.display_name or f"{label} · {account.label}",
        account_label=account.label,
        currency=account.currency,
        managed_by=(ManagedBy.agency if actor.is_staff else ManagedBy.client).value,
        credentials_encrypted=crypto.encrypt(json.dumps(credentials)),
        created_by_id=actor.user_id,
    )
    session.add(connection)
    session.flush()
    record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.platform_connected,
        object_type="platform_connection",
        object_id=connection.id,
        object_label=connection.display_name,
        description=f"{actor.label} connected {connection.display_name}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, company),
        type="platform_connected",
        title=f"{company.name} connected {connection.display_name}",
        company_id=company.id,
        actor=actor,
        url=_results_url(session, company.id),  # type: ignore[arg-type]
    )
    from services.results.sync import queue_sync

    queue_sync(session, company.id)  # type: ignore[arg-type]
    log.info("platform connection %s (%s) created", connection.id, connection.platform)
    return connection


def delete_connection(*, session: Session, actor: Actor, connection_id: int) -> None:
    """Disconnect (and forget the numbers of) a connection. Clients remove only their own
    (client-managed) ones; agency-managed ones need staff with ``results.connections.manage``."""
    connection = get_for_actor(session, PlatformConnection, connection_id, actor)
    if actor.is_staff:
        if not (actor.kind == "api_key" or actor.can(MANAGE_NODE)):
            raise Forbidden("Only the agency's results managers can remove connections.")
    else:
        require_client_role(
            actor, ClientRole.collaborator, "Only collaborators and admins can remove platforms."
        )
        if connection.managed_by == ManagedBy.agency:
            raise Forbidden(
                "This connection is managed by your agency; ask them to remove it.",
                code="agency_managed",
            )
    record(
        session,
        actor=actor,
        company_id=connection.company_id,
        action=Action.platform_disconnected,
        object_type="platform_connection",
        object_id=connection.id,
        object_label=connection.display_name,
        description=f"{actor.label} disconnected {connection.display_name}",
    )
    company_id, cid = connection.company_id, connection.id
    span = session.exec(
        select(func.min(col(MetricDaily.day)), func.max(col(MetricDaily.day))).where(
            col(MetricDaily.connection_id) == cid
        )
    ).one()
    session.delete(connection)
    session.flush()
    if span[0] is not None:  # its numbers leave the company's daily totals
        from services.results.sync import refresh_rollup

        refresh_rollup(session, company_id, span[0], span[1])


def request_sync(*, session: Session, actor: Actor, company_id: int) -> None:
    """Queue a sync of the company's connections (any member who sees results); returns at once."""
    get_for_actor(session, Company, company_id, actor)
    require_dashboard(session, company_id)
    from services.results.sync import queue_sync

    queue_sync(session, company_id)


def _manager_ids(session: Session, company: Company) -> list[int]:
    companies = [company.id, *([company.parent_id] if company.parent_id else [])]
    return sorted(
        set(
            session.exec(
                select(PortalManager.user_id).where(col(PortalManager.company_id).in_(companies))
            ).all()
        )
    )


def _results_url(session: Session, company_id: int) -> str | None:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == company_id)).first()
    return f"/p/{slug}/results" if slug else None
