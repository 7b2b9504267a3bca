"""/api/portal: connections, results, campaign results and Ask (reference 000). Only when the
client's ``dashboard_enabled`` is on; otherwise the reads say ``dashboard_enabled: false``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.results_schemas import (
    AskIn,
    AskOut,
    CampaignsOut,
    CampaignsQuery,
    ConnectionCreatedOut,
    ConnectionPath,
    ConnectionsOut,
    DisconnectedOut,
    PeriodQuery,
    ResultsOut,
    SyncStartedOut,
    WorkerConnectionCreate,
    ask_out,
    campaigns_out,
    connection_out,
    results_out,
)
from blueprints.api.schemas import PageQuery
from portal.db import get_session
from portal.models.base import utcnow
from portal.models.results import PlatformConnection
from portal.tenancy import Actor, get_for_actor
from services import results as service
from services.results.ask import ask
from services.results.campaigns import campaign_table
from services.results.metrics import period_for, results_for

bp = api_blueprint(
    "api_worker_results",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: results",
    description="Platform connections, metrics per period, campaign results and Ask "
    "(reference 000).",
    security=WORKER_SECURITY,
    reads=frozenset({"worker_ask"}),
)


@path_object("connection_id")
def _load_connection(session: Session, actor: Actor, connection_id: int) -> PlatformConnection:
    return get_for_actor(session, PlatformConnection, connection_id, actor)


def _company(actor: Actor) -> tuple[int, list[int]]:
    assert actor.company_id is not None
    return actor.company_id, sorted(actor.company_ids or {actor.company_id})


@bp.get("/connections", summary="List connections", responses={200: ConnectionsOut})
def worker_connections(query: PageQuery) -> dict[str, Any]:
    """The company's platform connections (never their credentials), oldest first, one page
    at a time (``limit``, default 50, 1..100; ``offset``; ``total``)."""
    actor = require_client()
    session = get_session()
    company_id, _ = _company(actor)
    limit = query.clamped_limit
    paging = {"limit": limit, "offset": query.offset}
    if not service.dashboard_enabled(session, company_id):
        return {"connections": [], "dashboard_enabled": False, **paging, "total": 0}
    rows, total = service.connections_page(
        session, actor=actor, company_id=company_id, limit=limit, offset=query.offset
    )
    return {
        "connections": [connection_out(c) for c in rows],
        "dashboard_enabled": True,
        **paging,
        "total": total,
    }


@bp.post("/connections", summary="Connect a platform", responses={201: ConnectionCreatedOut})
def worker_create_connection(body: WorkerConnectionCreate) -> tuple[dict[str, Any], int]:
    """Tests the credentials with the platform (a refusal is a 422 saying why, and nothing is
    stored), encrypts and stores them, notifies the assigned managers and starts a sync.
    Role required: collaborator or admin."""
    actor = require_client()
    company_id, _ = _company(actor)
    connection = service.create_connection(
        session=get_session(), actor=actor, company_id=company_id, data=body
    )
    return {"connection": connection_out(connection)}, 201


@bp.delete(
    "/connections/<int:connection_id>", summary="Disconnect", responses={200: DisconnectedOut}
)
def worker_delete_connection(path: ConnectionPath) -> dict[str, Any]:
    """Disconnects a client-managed connection (403 for an agency-managed one)."""
    service.delete_connection(
        session=get_session(), actor=require_client(), connection_id=path.connection_id
    )
    return {"ok": True}


@bp.post("/connections/sync", summary="Sync connections", responses={202: SyncStartedOut})
def worker_sync_connections() -> tuple[dict[str, Any], int]:
    """Starts a background sync of every connected platform; returns at once."""
    actor = require_client()
    company_id, _ = _company(actor)
    service.request_sync(session=get_session(), actor=actor, company_id=company_id)
    return {"message": "Sync started"}, 202


@bp.get("/results", summary="Get results", responses={200: ResultsOut})
def worker_results(query: PeriodQuery) -> dict[str, Any]:
    """Metrics of the period with the prior period, delta, target and tracking status."""
    actor = require_client()
    session = get_session()
    company_id, company_ids = _company(actor)
    if not service.dashboard_enabled(session, company_id):
        return {
            "period": None,
            "metrics": [],
            "insight": "",
            "connected_platforms": [],
            "currency": None,
            "dashboard_enabled": False,
        }
    period = period_for(query.period_type, query.period_end or utcnow().date())
    first, _ = service.first_connections(session, actor=actor, company_id=company_id, limit=1)
    results = results_for(
        session, company_id=company_id, company_ids=company_ids, period=period, connections=first
    )
    platforms = service.connected_platforms(session, actor=actor, company_id=company_id)
    return results_out(results, platforms)


@bp.get("/results/campaigns", summary="Get campaign results", responses={200: CampaignsOut})
def worker_campaigns(query: CampaignsQuery) -> dict[str, Any]:
    """Campaigns summed over the period, sorted by any column and filtered by platform."""
    actor = require_client()
    session = get_session()
    company_id, company_ids = _company(actor)
    if not service.dashboard_enabled(session, company_id):
        return {
            "period": None,
            "campaigns": [],
            "totals": None,
            "sort_by": query.sort_by,
            "sort_dir": query.sort_dir,
            "platform": query.platform,
            "dashboard_enabled": False,
        }
    table = campaign_table(
        session,
        company_ids=company_ids,
        period=period_for(query.period_type, query.period_end or utcnow().date()),
        sort_by=query.sort_by,
        sort_dir=query.sort_dir,
        platform=query.platform,
    )
    return campaigns_out(table)


@bp.post("/results/ask", summary="Ask about results", responses={200: AskOut})
def worker_ask(body: AskIn) -> dict[str, Any]:
    """A plain-language question answered from the data, citing the numbers used. With a
    model configured (``ASK_LLM_*``) the model words the answer from those numbers only
    (``written_by`` names it); if it fails, the direct answer comes back with a ``note``."""
    actor = require_client()
    session = get_session()
    company_id, company_ids = _company(actor)
    service.require_dashboard(session, company_id)
    reply = ask(
        session=session,
        actor=actor,
        company_id=company_id,
        company_ids=company_ids,
        question=body.question,
        today=utcnow().date(),
    )
    return ask_out(reply)
