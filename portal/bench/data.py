"""The SPEC §8 data set, generated with set-based SQL (``INSERT … SELECT generate_series``).

The bench owns the database it fills: a fresh one, an empty one, or one it filled before (it
carries the ``stoa_bench_marker`` table). Anything else — a database with real companies — is
refused. On it: the migrations, the demo data (the signed-in users, roles, memberships and the
``acme`` portal every measured page belongs to), then the generated rows:

* SPEC §8's set scaled by ``scale``: 1,000 companies (each with a portal and a client admin),
  20,000 projects, 200,000 tasks, 100,000 files, 100,000 deliverables (each with a version),
  100,000 invoices (see :func:`generate_invoices`) and 2,000,000 activity rows, spread evenly
  over the generated companies;
* the ``acme`` tenant made large: 20 boards (projects) of 100 tasks, 2,000 files, 2,000 notes,
  2,000 invoices and 50,000 activity rows (boards stay 100 cards each; their number and the
  rest scale);
* Results for ``acme`` (SPEC §8's "5 years of daily metrics for 2,000 connections", all on the
  measured tenant, so its Results page sums them all): 2,000 platform connections (half stores,
  half ad accounts) with 1,826 days of daily metrics each (2 metrics a store, 5 an ad account:
  12.8 million rows), the per-company rollup a sync maintains, and 200 ad campaigns over the
  same five years. Connections and campaigns scale; the five years do not.

PostgreSQL only: on SQLite :func:`check_backend` refuses with a clear message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.types import Boolean, Integer, Numeric, String, Text

MARKER_TABLE = "stoa_bench_marker"
BENCH_SLUG_PREFIX = "bench-"
BOARD_SIZE = 100  # cards on each of acme's generated boards (the measured kanban)

# SPEC §8 at scale 1 (the data set)
FULL = {
    "companies": 1_000,
    "projects": 20_000,
    "tasks": 200_000,
    "files": 100_000,
    "deliverables": 100_000,
    "activity": 2_000_000,
    "invoices": 100_000,
}
ACME_FULL = {
    "boards": 20,
    "files": 2_000,
    "notes": 2_000,
    "activity": 50_000,
    "invoices": 2_000,
}
RESULTS_FULL = {"connections": 2_000, "campaigns": 200}
METRIC_DAYS = 1_826  # five years of days, at every scale
STORE_METRICS = ("revenue", "orders")
AD_METRICS = ("ad_spend", "impressions", "clicks", "conversions", "ad_revenue")


class BenchRefused(Exception):
    """The database is not the bench's to fill (or not a backend the bench supports)."""


def scaled(scale: float) -> dict[str, int]:
    """The generated row counts at ``scale`` (at least one of each, so every page has data)."""
    counts = {name: max(1, round(n * scale)) for name, n in FULL.items()}
    counts["acme_boards"] = max(1, round(ACME_FULL["boards"] * scale))
    counts["acme_tasks"] = counts["acme_boards"] * BOARD_SIZE
    counts["acme_files"] = max(10, round(ACME_FULL["files"] * scale))
    counts["acme_notes"] = max(10, round(ACME_FULL["notes"] * scale))
    counts["acme_activity"] = max(10, round(ACME_FULL["activity"] * scale))
    counts["acme_invoices"] = max(10, round(ACME_FULL["invoices"] * scale))
    counts["acme_connections"] = max(2, round(RESULTS_FULL["connections"] * scale))
    stores = counts["acme_connections"] // 2
    ads = counts["acme_connections"] - stores
    counts["acme_metric_rows"] = METRIC_DAYS * (stores * len(STORE_METRICS) + ads * len(AD_METRICS))
    counts["acme_campaigns"] = max(2, round(RESULTS_FULL["campaigns"] * scale))
    return counts


def check_backend(url: str) -> None:
    if not make_url(url).drivername.startswith("postgresql"):
        raise BenchRefused(
            "stoa bench needs PostgreSQL (its data set is generated with generate_series): "
            "pass --database-url postgresql+psycopg://user@host:5432/stoa_bench"
        )


def bench_database_url(app_url: str, explicit: str | None, name: str = "stoa_bench") -> str:
    """``explicit`` when given, else the app's PostgreSQL server with database ``name``."""
    url = explicit or make_url(app_url).set(database=name).render_as_string(hide_password=False)
    check_backend(url)
    return url


def ensure_database(url: str) -> None:
    """Create the database when it does not exist (through the server's ``postgres`` db)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if exists is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        admin.dispose()


def database_state(conn: Connection) -> str:
    """``fresh`` (no tables), ``bench`` (ours), ``empty`` (schema, no people) or ``real``."""
    tables = set(inspect(conn).get_table_names())
    if not tables:
        return "fresh"
    if MARKER_TABLE in tables:
        return "bench"
    people = 0
    for table in ("company", "user"):
        if table in tables:
            people += conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
    return "empty" if people == 0 else "real"


def claim_database(url: str) -> None:
    """Make ``url`` an empty database marked as the bench's, or refuse one with real data."""
    check_backend(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            state = database_state(conn)
            if state == "real":
                raise BenchRefused(
                    f"{make_url(url).database} holds data the bench did not create "
                    "(companies or users): point --database-url at an empty or bench database."
                )
            if state != "fresh":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            conn.exec_driver_sql(f"CREATE TABLE {MARKER_TABLE} (created_at timestamptz)")
            conn.exec_driver_sql(f"INSERT INTO {MARKER_TABLE} VALUES (now())")
    finally:
        engine.dispose()


# Set-based inserts ----------------------------------------------------------------------------


def _type_default(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer | Numeric):
        return 0
    if isinstance(kind, String | Text):
        return ""
    return None


def _column_default(column: Any) -> Any:
    default = column.default
    if default is None:
        return _type_default(column)
    if getattr(default, "is_scalar", False):
        return default.arg
    if getattr(default, "is_callable", False):
        return default.arg(None)  # SQLAlchemy wraps zero-argument factories to take a context
    return _type_default(column)


def insert_select(
    conn: Connection,
    table: Table,
    values: Mapping[str, str],
    source: str,
    params: Mapping[str, Any] | None = None,
) -> int:
    """``INSERT INTO table (…) SELECT … FROM source``: ``values`` maps columns to SQL; every
    other required column gets the model's default (or its type's zero) as a typed parameter,
    so a column another area adds tomorrow does not break the bench."""
    names = list(values)
    exprs = [values[n] for n in names]
    binds = []
    for column in table.columns:
        if column.name in values or column.primary_key:
            continue
        if column.nullable or column.server_default is not None:
            continue
        key = f"_d_{column.name}"
        names.append(column.name)
        exprs.append(f":{key}")
        binds.append(bindparam(key, _column_default(column), type_=column.type))
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) SELECT {", ".join(exprs)} FROM {source}'
    result = conn.execute(text(sql).bindparams(*binds), dict(params or {}))
    return int(result.rowcount or 0)


@dataclass
class Generated:
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    acme_board_ids: list[int] = field(default_factory=list)


def generate(engine: Engine, scale: float, *, log: Callable[[str], None] = print) -> Generated:
    """Add the scaled data set to a database that already holds the migrations and the demo."""
    from portal.models import (
        ActivityLog,
        Company,
        Deliverable,
        DeliverableVersion,
        Note,
        Portal,
        PortalFile,
        Project,
        Task,
        TaskAssignee,
        User,
    )

    def tbl(model: Any) -> Table:
        return model.__table__

    n = scaled(scale)
    out = Generated(counts=n)
    with engine.begin() as conn:
        acme = conn.execute(text("SELECT id FROM company WHERE slug = 'acme'")).scalar_one()
        staff = conn.execute(
            text("SELECT id FROM \"user\" WHERE email = 'pm@northwind.test'")
        ).scalar_one()
        acme_dev = conn.execute(
            text("SELECT id FROM \"user\" WHERE email = 'dev@acme.test'")
        ).scalar_one()
        p = {"acme": acme, "staff": staff, "dev": acme_dev}

        def step(name: str, fn: Callable[[], int]) -> None:
            started = time.monotonic()
            rows = fn()
            out.seconds[name] = round(time.monotonic() - started, 2)
            log(f"  {name}: {rows:,} rows in {out.seconds[name]:.1f} s")

        spread = "now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second'"
        step(
            "companies",
            lambda: insert_select(
                conn,
                tbl(Company),
                {
                    "name": "'Bench Company ' || g",
                    "slug": f"'{BENCH_SLUG_PREFIX}' || g",
                    "created_at": spread,
                },
                "generate_series(1, :n) AS g",
                {"n": n["companies"]},
            ),
        )
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_co AS "
                "SELECT (row_number() OVER (ORDER BY id)) - 1 AS k, id "
                f"FROM company WHERE slug LIKE '{BENCH_SLUG_PREFIX}%'"
            )
        )
        conn.exec_driver_sql("CREATE UNIQUE INDEX ON bench_co (k)")
        nco = {"nco": n["companies"]}
        step(
            "portals",
            lambda: insert_select(
                conn,
                tbl(Portal),
                {
                    "company_id": "c.id",
                    "title": "'Bench Company ' || c.k",
                    "slug": f"'{BENCH_SLUG_PREFIX}' || c.k",
                    "dashboard_enabled": "true",
                },
                "bench_co AS c",
            ),
        )
        step(
            "client users",
            lambda: insert_select(
                conn,
                tbl(User),
                {
                    "email": "'owner' || c.k || '@bench.test'",
                    "name": "'Bench Owner ' || c.k",
                    "company_id": "c.id",
                    "client_role": "'admin'",
                },
                "bench_co AS c",
            ),
        )
        step(
            "projects",
            lambda: insert_select(
                conn,
                tbl(Project),
                {
                    "company_id": "c.id",
                    "name": "'Project ' || g",
                    "status": "CASE WHEN g % 5 = 0 THEN 'completed' ELSE 'active' END",
                    "lead_id": ":staff",
                    "created_at": spread,
                },
                "generate_series(0, :np - 1) AS g JOIN bench_co AS c ON c.k = g % :nco",
                {"np": n["projects"], "staff": staff, **nco},
            ),
        )
        conn.exec_driver_sql(
            "CREATE TEMP TABLE bench_pr AS SELECT (row_number() OVER (ORDER BY p.id)) - 1 AS k, "
            "p.id, p.company_id FROM project p JOIN bench_co c ON c.id = p.company_id"
        )
        conn.exec_driver_sql("CREATE UNIQUE INDEX ON bench_pr (k)")
        statuses = "(ARRAY['open','up_next','in_progress','complete'])[1 + g % 4]"
        priorities = "(ARRAY['low','medium','high','urgent'])[1 + (g / 4) % 4]"
        step(
            "tasks",
            lambda: insert_select(
                conn,
                tbl(Task),
                {
                    "company_id": "pr.company_id",
                    "project_id": "pr.id",
                    "title": "'Task ' || g",
                    "description": "'Generated task ' || g",
                    "status": statuses,
                    "priority": priorities,
                    "sort_order": "g",
                    "due_date": "current_date + (g % 90 - 30)",
                    "created_at": spread,
                    "updated_at": spread,
                },
                "generate_series(0, :nt - 1) AS g JOIN bench_pr AS pr ON pr.k = g % :npr",
                {"nt": n["tasks"], "npr": n["projects"]},
            ),
        )
        approval = "(ARRAY['none','pending','approved','rejected'])[1 + g % 4]"
        step(
            "files",
            lambda: insert_select(
                conn,
                tbl(PortalFile),
                {
                    "company_id": "c.id",
                    "name": "'File ' || g || '.pdf'",
                    "linked_url": "'https://files.example.com/bench/' || g",
                    "approval_status": approval,
                    "uploader_label": "'Bench'",
                    "created_at": spread,
                    "updated_at": spread,
                },
                "generate_series(0, :nf - 1) AS g JOIN bench_co AS c ON c.k = g % :nco",
                {"nf": n["files"], **nco},
            ),
        )
        d_status = "(ARRAY['pending','in_review','revision_requested','approved'])[1 + g % 4]"
        step(
            "deliverables",
            lambda: insert_select(
                conn,
                tbl(Deliverable),
                {
                    "company_id": "pr.company_id",
                    "project_id": "pr.id",
                    "name": "'Deliverable ' || g",
                    "linked": "true",
                    "status": d_status,
                    "current_version": "1",
                    "visible_version": "1",
                    "created_by_id": ":staff",
                    "created_at": spread,
                    "updated_at": spread,
                },
                "generate_series(0, :nd - 1) AS g JOIN bench_pr AS pr ON pr.k = g % :npr",
                {"nd": n["deliverables"], "npr": n["projects"], "staff": staff},
            ),
        )
        step(
            "deliverable versions",
            lambda: insert_select(
                conn,
                tbl(DeliverableVersion),
                {
                    "deliverable_id": "d.id",
                    "company_id": "d.company_id",
                    "number": "1",
                    "original_name": "d.name",
                    "sha256": "md5(d.name) || md5(d.name)",
                    "url": "'https://files.example.com/bench/d/' || d.id",
                    "uploaded_by_id": ":staff",
                    "created_at": "d.created_at",
                },
                "deliverable AS d JOIN bench_co AS c ON c.id = d.company_id",
                {"staff": staff},
            ),
        )
        actions = (
            "(ARRAY['task_created','task_moved','task_completed','file_uploaded',"
            "'message_sent','deliverable_in_review','deliverable_approved'])[1 + g % 7]"
        )
        objects = (
            "(ARRAY['task','task','task','file','note','deliverable','deliverable'])[1 + g % 7]"
        )
        activity = {
            "actor_id": ":staff",
            "actor_label": "'Pat Manager'",
            "action": actions,
            "object_type": objects,
            "object_id": "g",
            "object_label": "'Object ' || g",
            "description": "'Pat Manager did thing ' || g",
            "created_at": spread,
        }
        step(
            "activity",
            lambda: insert_select(
                conn,
                tbl(ActivityLog),
                {"company_id": "c.id", **activity},
                "generate_series(0, :na - 1) AS g JOIN bench_co AS c ON c.k = g % :nco",
                {"na": n["activity"], "staff": staff, **nco},
            ),
        )

        # the acme tenant, large
        step(
            "acme boards",
            lambda: insert_select(
                conn,
                tbl(Project),
                {
                    "company_id": ":acme",
                    "name": "'Bench board ' || g",
                    "status": "'active'",
                    "lead_id": ":staff",
                    "description": "'A generated board of 100 cards.'",
                },
                "generate_series(1, :nb) AS g",
                {**p, "nb": n["acme_boards"]},
            ),
        )
        out.acme_board_ids = list(
            conn.execute(
                text(
                    "SELECT id FROM project WHERE company_id = :acme "
                    "AND name LIKE 'Bench board %' ORDER BY id"
                ),
                {"acme": acme},
            ).scalars()
        )
        conn.execute(
            text("CREATE TEMP TABLE bench_ab AS SELECT unnest(CAST(:ids AS int[])) AS id"),
            {"ids": out.acme_board_ids},
        )
        step(
            "acme tasks",
            lambda: insert_select(
                conn,
                tbl(Task),
                {
                    "company_id": ":acme",
                    "project_id": "b.id",
                    "title": "'Card ' || g || ' of ' || b.id",
                    "description": "'Generated card with **some** markdown, item ' || g",
                    "status": statuses,
                    "priority": priorities,
                    "type": "(ARRAY['task','bug','feature','design'])[1 + g % 4]",
                    "sort_order": "g",
                    "due_date": "current_date + (g % 60 - 20)",
                    "created_by_id": ":staff",
                },
                f"bench_ab AS b CROSS JOIN generate_series(1, {BOARD_SIZE}) AS g",
                p,
            ),
        )
        step(
            "acme task assignees",
            lambda: insert_select(
                conn,
                tbl(TaskAssignee),
                {"company_id": "t.company_id", "task_id": "t.id", "user_id": ":dev"},
                "task AS t JOIN bench_ab AS b ON b.id = t.project_id",
                p,
            ),
        )
        step(
            "acme files",
            lambda: insert_select(
                conn,
                tbl(PortalFile),
                {
                    "company_id": ":acme",
                    "name": "'Acme file ' || g || '.pdf'",
                    "linked_url": "'https://files.example.com/acme/' || g",
                    "approval_status": approval,
                    "uploader_label": "'Pat Manager'",
                    "uploaded_by_id": ":staff",
                    "created_at": spread,
                    "updated_at": spread,
                },
                "generate_series(1, :n) AS g",
                {**p, "n": n["acme_files"]},
            ),
        )
        first_board = out.acme_board_ids[0]
        step(
            "acme notes",
            lambda: insert_select(
                conn,
                tbl(Note),
                {
                    "company_id": ":acme",
                    "resource_type": "'project'",
                    "resource_id": ":board",
                    "author_id": "CASE WHEN g % 2 = 0 THEN :staff ELSE :dev END",
                    "body": "'Note ' || g || ' with *markdown* and a [link](https://example.com/' "
                    "|| g || ')'",
                    "created_at": spread,
                },
                "generate_series(1, :n) AS g",
                {**p, "n": n["acme_notes"], "board": first_board},
            ),
        )
        step(
            "acme activity",
            lambda: insert_select(
                conn,
                tbl(ActivityLog),
                {"company_id": ":acme", **activity},
                "generate_series(1, :n) AS g",
                {**p, "n": n["acme_activity"]},
            ),
        )
        generate_invoices(conn, n, p, step)
        generate_results(conn, n, acme, step)
    started = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    out.seconds["vacuum analyze"] = round(time.monotonic() - started, 2)
    log(f"  vacuum analyze: {out.seconds['vacuum analyze']:.1f} s")
    return out


INVOICE_DAYS = 1_826  # issue dates over five years, at every scale
BENCH_INVOICE = "Bench invoice "
ACME_INVOICE = "Acme invoice "


def generate_invoices(
    conn: Connection,
    n: Mapping[str, int],
    p: Mapping[str, int],
    step: Callable[[str, Callable[[], int]], None],
) -> None:
    """Invoices as the billing service leaves them, set-based: numbered on from the agency's
    sequence (which is moved past them), one line each whose amounts are the invoice's totals,
    and the payment of each paid or part-paid one. Issue dates spread over five years (drafts
    and open invoices within the last 90 days), due 30 days later; about one in twenty a draft
    (staff-only), one a void, two part paid, three sent (some overdue), the rest paid. Money in
    minor units: 500.00 to 10,000.00 before tax, 20% tax on one in three; one bench company in
    ten bills in EUR."""
    from portal.models import Invoice, InvoiceLine, InvoicePayment

    def tbl(model: Any) -> Table:
        return model.__table__

    counter = conn.execute(
        text("SELECT prefix, last_number FROM invoice_counter WHERE key = 'agency'")
    ).first()
    prefix = counter[0] if counter else "INV-"

    def base() -> int:
        taken = conn.execute(text("SELECT coalesce(max(sequence), 0) FROM invoice")).scalar_one()
        last = conn.execute(
            text("SELECT coalesce(max(last_number), 0) FROM invoice_counter")
        ).scalar_one()
        return max(int(taken), int(last))

    kind = "g % 20"
    status = (
        f"CASE WHEN {kind} = 0 THEN 'draft' WHEN {kind} = 1 THEN 'void' "
        f"WHEN {kind} IN (2, 3) THEN 'partial' WHEN {kind} IN (4, 5, 6) THEN 'sent' "
        "ELSE 'paid' END"
    )
    spread = f"CAST((g::bigint * 7919) % {INVOICE_DAYS} AS int)"
    age = f"CASE WHEN {kind} IN (0, 2, 3, 4, 5, 6) THEN g % 90 ELSE {spread} END"

    def rows(company: str, currency: str, title: str, source: str) -> str:
        """One generated invoice a row (``g`` its index), its amounts in minor units."""
        return (
            "(SELECT g, seq, company_id, currency, status, title, issue, subtotal, tax, "
            "subtotal + tax AS total, "
            "CASE status WHEN 'paid' THEN subtotal + tax "
            "WHEN 'partial' THEN (subtotal + tax) / 2 ELSE 0 END AS paid "
            "FROM (SELECT g, :base + 1 + g AS seq, "
            f"{company} AS company_id, {currency} AS currency, {status} AS status, "
            f"'{title}' || (g + 1) AS title, current_date - ({age}) AS issue, "
            "50000 + (g::bigint * 7919) % 950000 AS subtotal, "
            "CASE WHEN g % 3 = 0 THEN round((50000 + (g::bigint * 7919) % 950000) * 0.2)::bigint "
            "ELSE 0 END AS tax "
            f"FROM {source}) AS r) AS s"
        )

    def invoices(source: str, params: Mapping[str, Any]) -> int:
        at = "CAST(s.issue AS timestamp) AT TIME ZONE 'UTC' + interval '9 hours'"
        return insert_select(
            conn,
            tbl(Invoice),
            {
                "company_id": "s.company_id",
                "sequence": "s.seq",
                "number": ":prefix || lpad(s.seq::text, greatest(5, length(s.seq::text)), '0')",
                "title": "s.title",
                "currency": "s.currency",
                "status": "s.status",
                "issue_date": "s.issue",
                "due_date": "s.issue + 30",
                "payment_instructions": "'Bank transfer, quoting the invoice number.'",
                "subtotal_minor": "s.subtotal",
                "tax_minor": "s.tax",
                "total_minor": "s.total",
                "paid_minor": "s.paid",
                "sent_at": f"CASE WHEN s.status = 'draft' THEN NULL ELSE {at} END",
                "paid_at": f"CASE WHEN s.status = 'paid' THEN least(now(), {at} + (s.g % 30) "
                "* interval '1 day') END",
                "voided_at": f"CASE WHEN s.status = 'void' THEN {at} + interval '2 days' END",
                "void_reason": "CASE WHEN s.status = 'void' THEN 'Sent twice' ELSE '' END",
                "created_by_id": ":staff",
                "created_at": at,
                "updated_at": at,
            },
            source,
            {**params, "prefix": prefix, "base": base(), "staff": p["staff"]},
        )

    step(
        "invoices",
        lambda: invoices(
            rows(
                "c.id",
                "CASE WHEN c.k % 10 = 9 THEN 'EUR' ELSE 'USD' END",
                BENCH_INVOICE,
                "generate_series(0, :ni - 1) AS g JOIN bench_co AS c ON c.k = g % :nco",
            ),
            {"ni": n["invoices"], "nco": n["companies"]},
        ),
    )
    step(
        "acme invoices",
        lambda: invoices(
            rows(":acme", "'USD'", ACME_INVOICE, "generate_series(0, :ni - 1) AS g"),
            {"ni": n["acme_invoices"], "acme": p["acme"]},
        ),
    )
    generated = (
        f"invoice AS i WHERE (i.title LIKE '{BENCH_INVOICE}%' OR i.title LIKE '{ACME_INVOICE}%')"
    )
    step(
        "invoice lines",
        lambda: insert_select(
            conn,
            tbl(InvoiceLine),
            {
                "invoice_id": "i.id",
                "company_id": "i.company_id",
                "position": "0",
                "description": "'Retainer, ' || to_char(i.issue_date, 'FMMonth YYYY')",
                "quantity": "'1'",
                "unit_price": "CAST(round(i.subtotal_minor / 100.0, 2) AS text)",
                "tax_rate": "CASE WHEN i.tax_minor > 0 THEN '20' ELSE '0' END",
                "discount_rate": "'0'",
                "subtotal_minor": "i.subtotal_minor",
                "tax_minor": "i.tax_minor",
                "total_minor": "i.total_minor",
            },
            generated,
        ),
    )
    step(
        "invoice payments",
        lambda: insert_select(
            conn,
            tbl(InvoicePayment),
            {
                "invoice_id": "i.id",
                "company_id": "i.company_id",
                "amount_minor": "i.paid_minor",
                "currency": "i.currency",
                "paid_on": "CAST(coalesce(i.paid_at, i.sent_at) AS date)",
                "method": "'bank_transfer'",
                "reference": "'Transfer ' || i.number",
                "recorded_by_id": ":staff",
                "created_at": "coalesce(i.paid_at, i.sent_at)",
            },
            f"{generated} AND i.paid_minor > 0",
            {"staff": p["staff"]},
        ),
    )
    # the sequence moves past them: the next invoice a person creates takes the next number
    conn.execute(
        text(
            "INSERT INTO invoice_counter (key, prefix, last_number) VALUES ('agency', :prefix, "
            ":last) ON CONFLICT (key) DO UPDATE SET last_number = "
            "greatest(invoice_counter.last_number, excluded.last_number)"
        ),
        {"prefix": prefix, "last": base()},
    )


# each stored metric's daily value: base + (a spread hash of connection and day) % span
_METRIC_VALUES = {
    "revenue": (50_000, 100_000),  # cents
    "orders": (5, 10),
    "ad_spend": (20_000, 20_000),  # cents
    "impressions": (5_000, 5_000),
    "clicks": (100, 200),
    "conversions": (3, 7),
    "ad_revenue": (60_000, 60_000),  # cents
}


def _metric_value(metric: str, salt: int) -> str:
    base, span = _METRIC_VALUES[metric]
    return f"{base} + ((c.id * {7919 + salt} + d * 104729) % {span})"


def generate_results(
    conn: Connection,
    n: Mapping[str, int],
    acme: int,
    step: Callable[[str, Callable[[], int]], None],
) -> None:
    """acme's connections, five years of their daily metrics (set-based), its campaigns, and
    the per-company daily rollup the Results page reads (as a sync maintains it)."""
    from portal.models.results import CampaignDaily, MetricDaily, PlatformConnection

    p = {"acme": acme, "nc": n["acme_connections"], "days": METRIC_DAYS}
    step(
        "acme connections",
        lambda: insert_select(
            conn,
            PlatformConnection.__table__,  # type: ignore[attr-defined]
            {
                "company_id": ":acme",
                "platform": "CASE WHEN g % 2 = 0 THEN 'shopify' ELSE 'google_ads' END",
                "display_name": "CASE WHEN g % 2 = 0 THEN 'Bench store ' ELSE 'Bench ads ' END "
                "|| g",
                "account_label": "'bench-' || g",
                "currency": "'USD'",
                "managed_by": "'agency'",
                "credentials_encrypted": "''",  # never read: the bench does not sync
                "synced_through": "current_date",
                "last_synced_at": "now()",
                "last_attempt_at": "now()",
            },
            "generate_series(1, :nc) AS g",
            p,
        ),
    )
    conn.execute(
        text(
            "CREATE TEMP TABLE bench_conn AS SELECT id, platform, "
            "(row_number() OVER (PARTITION BY platform ORDER BY id)) - 1 AS k "
            "FROM platform_connection WHERE account_label LIKE 'bench-%'"
        )
    )

    def metric_rows(platform: str, metric: str, salt: int) -> Callable[[], int]:
        return lambda: insert_select(
            conn,
            MetricDaily.__table__,  # type: ignore[attr-defined]
            {
                "company_id": ":acme",
                "connection_id": "c.id",
                "metric": f"'{metric}'",
                "day": "current_date - d",
                "value": _metric_value(metric, salt),
            },
            "bench_conn AS c CROSS JOIN generate_series(0, :days - 1) AS d "
            f"WHERE c.platform = '{platform}'",
            p,
        )

    for platform, metrics in (("shopify", STORE_METRICS), ("google_ads", AD_METRICS)):
        for salt, metric in enumerate(metrics):
            step(f"acme metrics {metric}", metric_rows(platform, metric, salt))
    step(
        "acme campaigns",
        lambda: insert_select(
            conn,
            CampaignDaily.__table__,  # type: ignore[attr-defined]
            {
                "company_id": ":acme",
                "connection_id": "c.id",
                "platform": "'google_ads'",
                "campaign_ref": "'bench-' || g",
                "campaign_name": "'Bench campaign ' || g",
                "day": "current_date - d",
                "spend": "1000 + ((g * 31 + d * 17) % 4000)",
                "impressions": "500 + ((g * 37 + d * 13) % 1500)",
                "clicks": "10 + ((g * 41 + d * 7) % 60)",
                "conversions": "(g * 43 + d * 5) % 6",
                "revenue": "2000 + ((g * 47 + d * 11) % 9000)",
            },
            "generate_series(0, :ncamp - 1) AS g "
            "JOIN bench_conn AS c ON c.platform = 'google_ads' "
            "AND c.k = g % GREATEST(1, :nc / 2) "
            "CROSS JOIN generate_series(0, :days - 1) AS d",
            {**p, "ncamp": n["acme_campaigns"]},
        ),
    )

    def rollup() -> int:  # what a sync's refresh_rollup does, for the whole company at once
        conn.execute(text("DELETE FROM metric_company_daily WHERE company_id = :acme"), p)
        result = conn.execute(
            text(
                "INSERT INTO metric_company_daily (company_id, day, metric, value) "
                "SELECT company_id, day, metric, sum(value) FROM metric_daily "
                "WHERE company_id = :acme GROUP BY company_id, day, metric"
            ),
            p,
        )
        return int(result.rowcount or 0)

    step("acme daily rollup", rollup)


def generated_before(url: str) -> bool:
    """A bench database holding a generated data set (``--reuse`` can measure it again)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if database_state(conn) != "bench":
                return False
            return bool(
                conn.execute(
                    text("SELECT count(*) FROM project WHERE name LIKE 'Bench board %'")
                ).scalar_one()
            )
    except Exception:  # no database, no tables: nothing to reuse
        return False
    finally:
        engine.dispose()


def acme_board_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT id FROM project WHERE name LIKE 'Bench board %' ORDER BY id")
            ).scalars()
        )


def count_generated(engine: Engine) -> dict[str, int]:
    """What :func:`generate` added (rows of the bench companies, and acme's bench rows)."""
    queries = {
        "companies": f"SELECT count(*) FROM company WHERE slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "projects": "SELECT count(*) FROM project p JOIN company c ON c.id = p.company_id "
        f"WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "tasks": "SELECT count(*) FROM task t JOIN company c ON c.id = t.company_id "
        f"WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "files": "SELECT count(*) FROM portal_file f JOIN company c ON c.id = f.company_id "
        f"WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "deliverables": "SELECT count(*) FROM deliverable d JOIN company c "
        f"ON c.id = d.company_id WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "activity": "SELECT count(*) FROM activitylog a JOIN company c ON c.id = a.company_id "
        f"WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "invoices": "SELECT count(*) FROM invoice i JOIN company c ON c.id = i.company_id "
        f"WHERE c.slug LIKE '{BENCH_SLUG_PREFIX}%'",
        "acme_boards": "SELECT count(*) FROM project WHERE name LIKE 'Bench board %'",
        "acme_tasks": "SELECT count(*) FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE p.name LIKE 'Bench board %'",
        "acme_files": "SELECT count(*) FROM portal_file WHERE name LIKE 'Acme file %'",
        "acme_notes": "SELECT count(*) FROM note n JOIN project p ON p.id = n.resource_id "
        "AND n.resource_type = 'project' WHERE p.name LIKE 'Bench board %'",
        "acme_activity": "SELECT count(*) FROM activitylog a JOIN company c "
        "ON c.id = a.company_id WHERE c.slug = 'acme' AND a.description LIKE 'Pat Manager did%'",
        "acme_invoices": "SELECT count(*) FROM invoice i JOIN company c "
        f"ON c.id = i.company_id WHERE c.slug = 'acme' AND i.title LIKE '{ACME_INVOICE}%'",
        "acme_connections": "SELECT count(*) FROM platform_connection "
        "WHERE account_label LIKE 'bench-%'",
        "acme_metric_rows": "SELECT count(*) FROM metric_daily m JOIN platform_connection c "
        "ON c.id = m.connection_id WHERE c.account_label LIKE 'bench-%'",
        "acme_campaigns": "SELECT count(DISTINCT campaign_ref) FROM campaign_daily "
        "WHERE campaign_ref LIKE 'bench-%'",
    }
    with engine.connect() as conn:
        return {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in queries.items()}
