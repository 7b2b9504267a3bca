"""The staff audit log: the activity log read whole — every staff action, every secure-value
read and WiFi passphrase reveal — filtered by actor, company, action and date, paged, and
exported as CSV. A project manager sees only the entries of its companies (``scoped``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.models import ActivityLog, Company
from portal.permissions import register_node
from portal.tenancy import Actor, require_staff, scoped
from portal.web.pagination import Page, paginate
from services.events.activity import LABELS

READ = register_node("audit.read", "Read the audit log of the companies one sees")

PER_PAGE = 50
EXPORT_LIMIT = 50_000
# A cell a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    company_id: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None

    def params(self) -> dict[str, str]:
        """The query string of these filters (for the pager and the CSV link)."""
        out = {
            "actor": str(self.actor_id or ""),
            "company": str(self.company_id or ""),
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in out.items() if v}


def parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()) if raw and raw.strip() else None
    except ValueError:
        return None


def _stmt(actor: Actor, filters: AuditFilters) -> SelectOfScalar[ActivityLog]:
    stmt = scoped(select(ActivityLog), actor, ActivityLog)
    if filters.actor_id is not None:
        stmt = stmt.where(ActivityLog.actor_id == filters.actor_id)
    if filters.company_id is not None:
        stmt = stmt.where(ActivityLog.company_id == filters.company_id)
    if filters.action:
        stmt = stmt.where(ActivityLog.action == filters.action)
    if filters.since:
        stmt = stmt.where(
            col(ActivityLog.created_at) >= datetime.combine(filters.since, time.min, UTC)
        )
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, UTC)
        stmt = stmt.where(col(ActivityLog.created_at) < end)
    return stmt.order_by(col(ActivityLog.created_at).desc(), col(ActivityLog.id).desc())


@dataclass(frozen=True)
class AuditView:
    rows: Page[ActivityLog]
    filters: AuditFilters
    people: list[tuple[int, str]]
    companies: list[Company]
    company_names: dict[int, str]
    actions: dict[str, str]


def audit_view(
    session: Session, *, actor: Actor, filters: AuditFilters, page: int = 1
) -> AuditView:
    """One page of the audit log, newest first, with the choices of each filter."""
    require_staff(actor, READ, "You may not read the audit log.")
    rows: Page[ActivityLog] = paginate(session, _stmt(actor, filters), page=page, per_page=PER_PAGE)
    companies = list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )
    people_rows = session.exec(
        scoped(
            select(ActivityLog.actor_id, func.max(ActivityLog.actor_label)),
            actor,
            ActivityLog,
        )
        .where(col(ActivityLog.actor_id).is_not(None))
        .group_by(col(ActivityLog.actor_id))
        .order_by(func.max(ActivityLog.actor_label))
        .limit(300)
    ).all()
    return AuditView(
        rows=rows,
        filters=filters,
        people=[(uid, label or f"User {uid}") for uid, label in people_rows if uid is not None],
        companies=companies,
        company_names={c.id: c.name for c in companies if c.id is not None},
        actions=dict(sorted(LABELS.items(), key=lambda kv: kv[1])),
    )


def safe_cell(value: object) -> str:
    """A CSV cell that spreadsheets show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


CSV_HEADER = ["time_utc", "actor", "company", "action", "what", "object", "description"]


def export_csv(session: Session, *, actor: Actor, filters: AuditFilters) -> str:
    """The filtered log as CSV (newest first, at most ``EXPORT_LIMIT`` rows)."""
    require_staff(actor, READ, "You may not read the audit log.")
    names = dict(session.exec(scoped(select(Company.id, Company.name), actor, Company)).all())
    stmt = _stmt(actor, filters).limit(EXPORT_LIMIT)

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    for row in session.exec(stmt):
        writer.writerow(
            [
                safe_cell(c)
                for c in (
                    row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    row.actor_label,
                    names.get(row.company_id, "") if row.company_id else "",
                    row.action,
                    LABELS.get(row.action, row.action),
                    row.object_label,
                    row.description,
                )
            ]
        )
    return buf.getvalue()
