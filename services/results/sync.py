"""The background sync: read each connection's platform into the daily tables.

Only this module reads platforms for numbers. A connection whose fetch fails keeps its numbers;
the failure is recorded on it (``sync_error``, ``last_attempt_at``) so the tab can say so.
Requests only ever queue a sync (:func:`queue_sync`), never wait for one. The days read replace
the stored ones in two set-based statements per table (delete the range, insert the rows).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portal.jobs import enqueue, job
from portal.models.base import utcnow
from portal.models.results import (
    CampaignDaily,
    MetricCompanyDaily,
    MetricDaily,
    PlatformConnection,
)
from portal.runtime import get_runtime
from portal.sweeper import periodic
from services.results.connectors import PlatformData, PlatformError, connector_for

log = logging.getLogger(__name__)

SYNC_JOB = "results.sync"
SYNC_ALL_JOB = "results.sync_all"
FIRST_SYNC_DAYS = 90  # how far back a new connection is read
OVERLAP_DAYS = 3  # platforms revise the last days (late conversions, refunds)


def queue_sync(session: Session, company_id: int) -> None:
    """Sync the company's connections once ``session`` commits."""
    enqueue(session, SYNC_JOB, company_id)


@job(SYNC_JOB)
def run_sync(session: Session, company_id: int) -> None:
    sync_company(session=session, company_id=company_id)


@job(SYNC_ALL_JOB)
def run_sync_all(session: Session) -> None:
    if not get_runtime().settings.results_platform_url:
        return
    ids = session.exec(select(PlatformConnection.company_id).distinct()).all()
    for company_id in ids:
        sync_company(session=session, company_id=company_id)


# every 6 hours by default (a no-op without RESULTS_PLATFORM_URL)
periodic(SYNC_ALL_JOB, setting="RESULTS_SYNC_SECONDS", default=6 * 3600.0, first_after=120)


def sync_company(*, session: Session, company_id: int, today: date | None = None) -> None:
    """Sync every connection of one company; failures are recorded, never raised."""
    today = today or utcnow().date()
    base_url = get_runtime().settings.results_platform_url
    connections = session.exec(
        select(PlatformConnection).where(PlatformConnection.company_id == company_id)
    ).all()
    for connection in connections:
        now = utcnow()
        connection.last_attempt_at = now
        if not base_url:
            connection.sync_error = "Platform connections are not set up on this server."
            session.add(connection)
            continue
        start = (
            connection.synced_through - timedelta(days=OVERLAP_DAYS)
            if connection.synced_through
            else today - timedelta(days=FIRST_SYNC_DAYS - 1)
        )
        from services.results import credentials_of

        try:
            data = connector_for(connection.platform, base_url, credentials_of(connection)).fetch(
                start, today
            )
        except PlatformError as exc:
            connection.sync_error = exc.message[:500]
            session.add(connection)
            log.warning("results sync of connection %s failed: %s", connection.id, exc.message)
            continue
        store_days(session, connection, data, start, today)
        connection.last_synced_at = now
        connection.synced_through = today
        connection.sync_error = None
        session.add(connection)
    session.flush()


def store_days(
    session: Session, connection: PlatformConnection, data: PlatformData, start: date, end: date
) -> None:
    """Replace the connection's numbers for ``start``..``end`` with ``data``."""
    cid = connection.id
    session.execute(
        delete(MetricDaily).where(
            col(MetricDaily.connection_id) == cid,
            col(MetricDaily.day) >= start,
            col(MetricDaily.day) <= end,
        )
    )
    session.execute(
        delete(CampaignDaily).where(
            col(CampaignDaily.connection_id) == cid,
            col(CampaignDaily.day) >= start,
            col(CampaignDaily.day) <= end,
        )
    )
    metric_rows = [
        {
            "company_id": connection.company_id,
            "connection_id": cid,
            "metric": metric,
            "day": day,
            "value": value,
        }
        for (metric, day), value in data.metrics.items()
    ]
    if metric_rows:
        session.execute(insert(MetricDaily), metric_rows)
    seen: set[tuple[str, date]] = set()
    campaign_rows = []
    for c in data.campaigns:
        if (c.ref, c.day) in seen:
            continue
        seen.add((c.ref, c.day))
        campaign_rows.append(
            {
                "company_id": connection.company_id,
                "connection_id": cid,
                "platform": connection.platform,
                "campaign_ref": c.ref,
                "campaign_name": c.name,
                "day": c.day,
                "spend": c.spend,
                "impressions": c.impressions,
                "clicks": c.clicks,
                "conversions": c.conversions,
                "revenue": c.revenue,
            }
        )
    if campaign_rows:
        session.execute(insert(CampaignDaily), campaign_rows)
    refresh_rollup(session, connection.company_id, start, end)


def refresh_rollup(
    session: Session, company_id: int, start: date | None = None, end: date | None = None
) -> None:
    """Recompute the company's daily totals (``metric_company_daily``) for ``start``..``end``
    (every day when not given) from ``metric_daily``: one delete and one grouped insert."""
    t = MetricCompanyDaily
    gone = delete(t).where(col(t.company_id) == company_id)
    source = (
        sa_select(col(MetricDaily.company_id), col(MetricDaily.day), col(MetricDaily.metric))
        .add_columns(func.sum(col(MetricDaily.value)))
        .where(col(MetricDaily.company_id) == company_id)
        .group_by(col(MetricDaily.company_id), col(MetricDaily.day), col(MetricDaily.metric))
    )
    if start is not None:
        gone = gone.where(col(t.day) >= start)
        source = source.where(col(MetricDaily.day) >= start)
    if end is not None:
        gone = gone.where(col(t.day) <= end)
        source = source.where(col(MetricDaily.day) <= end)
    session.execute(gone)
    session.execute(
        insert(t).from_select([col(t.company_id), col(t.day), col(t.metric), col(t.value)], source)
    )
