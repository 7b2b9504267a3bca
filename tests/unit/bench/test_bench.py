"""``stoa bench``: the data generator (on the test PostgreSQL) and the bars' verdict."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from portal.bench import data, runner
from portal.bench.report import Result, misses
from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import Company, User
from tests.conftest import TEST_DATABASE_URL, scratch_database_url

postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="the bench generates on PostgreSQL"
)


@pytest.fixture
def scratch():
    url, drop = scratch_database_url("bench")
    try:
        yield url
    finally:
        drop()


def _minimal_tenant(url: str) -> None:
    """What the generator builds on (the demo gives these): acme, a PM and a client user."""
    engine = make_engine(url)
    with Session(engine) as session:
        acme = Company(name="Acme Corp", slug="acme")
        session.add(acme)
        session.flush()
        session.add(User(email="pm@northwind.test", name="Pat", is_staff=True))
        session.add(
            User(email="dev@acme.test", name="Dev", company_id=acme.id, client_role="admin")
        )
        session.commit()
    engine.dispose()


@postgres_only
def test_generates_the_scaled_data_set(scratch) -> None:
    data.claim_database(scratch)
    upgrade(scratch)
    _minimal_tenant(scratch)
    engine = make_engine(scratch)
    try:
        generated = data.generate(engine, 0.002, log=lambda line: None)
        counts = data.count_generated(engine)
        expected = data.scaled(0.002)
        assert counts == {k: expected[k] for k in counts}
        assert counts["companies"] == 2 and counts["tasks"] == 400 and counts["activity"] == 4000
        assert counts["acme_tasks"] == len(generated.acme_board_ids) * data.BOARD_SIZE
        with engine.connect() as conn:  # every generated company has its portal
            portals = conn.execute(
                text(
                    "SELECT count(*) FROM portal p JOIN company c ON c.id = p.company_id "
                    "WHERE c.slug LIKE 'bench-%'"
                )
            ).scalar_one()
        assert portals == counts["companies"]
        # acme's Results: five years a connection, and the daily totals the page sums
        assert counts["acme_connections"] == 4  # 2,000 x 0.002: two stores, two ad accounts
        assert counts["acme_metric_rows"] == data.METRIC_DAYS * (2 * 2 + 2 * 5)
        with engine.connect() as conn:
            rows, total = conn.execute(
                text("SELECT count(*), sum(value) FROM metric_company_daily")
            ).one()
            raw = conn.execute(text("SELECT sum(value) FROM metric_daily")).scalar_one()
            days = conn.execute(text("SELECT count(DISTINCT day) FROM metric_daily")).scalar_one()
        assert days == data.METRIC_DAYS and rows == data.METRIC_DAYS * 7 and total == raw
        # invoices: 100,000 x 0.002 over the bench companies, acme's made large (at least 10)
        assert counts["invoices"] == 200 and counts["acme_invoices"] == 10
        with engine.connect() as conn:
            statuses: dict[str, int] = dict(
                conn.execute(text("SELECT status, count(*) FROM invoice GROUP BY status")).all()
            )
            numbers, sequences, first, last = conn.execute(
                text(
                    "SELECT count(DISTINCT number), count(DISTINCT sequence), "
                    "min(issue_date), max(issue_date) FROM invoice"
                )
            ).one()
            unbalanced = conn.execute(  # each invoice's totals are its lines', its payments'
                text(
                    "SELECT count(*) FROM invoice i WHERE i.total_minor <> "
                    "(SELECT sum(l.total_minor) FROM invoice_line l WHERE l.invoice_id = i.id) "
                    "OR i.paid_minor <> (SELECT coalesce(sum(p.amount_minor), 0) "
                    "FROM invoice_payment p WHERE p.invoice_id = i.id) "
                    "OR i.due_date < i.issue_date"
                )
            ).scalar_one()
            last_number = conn.execute(
                text("SELECT last_number FROM invoice_counter WHERE key = 'agency'")
            ).scalar_one()
        assert set(statuses) == {"draft", "sent", "partial", "paid", "void"}
        assert numbers == sequences == 210 == last_number and unbalanced == 0
        assert (last - first).days > 4 * 365  # issued over five years
    finally:
        engine.dispose()
    # a database the bench filled is the bench's: --reuse measures it again, claiming starts over
    assert data.generated_before(scratch)
    data.claim_database(scratch)
    assert not data.generated_before(scratch)
    engine = make_engine(scratch)
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            ).scalar_one()
            == 1
        )
    engine.dispose()


@postgres_only
def test_refuses_a_database_with_real_data(scratch) -> None:
    upgrade(scratch)  # migrated, empty: the bench may take it
    engine = make_engine(scratch)
    with engine.connect() as conn:
        assert data.database_state(conn) == "empty"
    engine.dispose()
    _minimal_tenant(scratch)  # companies and people the bench did not create
    with pytest.raises(data.BenchRefused, match="did not create"):
        data.claim_database(scratch)
    engine = make_engine(scratch)
    with engine.connect() as conn:  # and left it alone
        assert conn.execute(text("SELECT count(*) FROM company")).scalar_one() == 1
    engine.dispose()


def test_refuses_sqlite_clearly() -> None:
    with pytest.raises(data.BenchRefused, match="needs PostgreSQL"):
        data.bench_database_url("sqlite:///instance/stoa.db", None)
    url = data.bench_database_url("postgresql+psycopg://u:pw@db:5432/stoa", None)
    assert url == "postgresql+psycopg://u:pw@db:5432/stoa_bench"


def _good(name: str, kind: str) -> Result:
    return Result(
        name=name, kind=kind, path="/", rps=500, hello_rps=1000, ratio=0.5, p95_ms=20,
        half_load_p95_ms=10, statements_small=5, statements_large=5, gzip_bytes=2000,
    )  # fmt: skip


def test_bars_met_and_missed() -> None:
    good = [_good("dashboard", "page"), _good("kanban partial", "partial"), _good("api", "api")]
    assert misses(good, first_load_gzip=40_000) == []

    slow = _good("dashboard", "page")
    slow.ratio, slow.half_load_p95_ms = 0.05, 150
    grows = _good("notes partial", "partial")
    grows.statements_small, grows.statements_large, grows.gzip_bytes = 7, 13, 11_000
    found = misses([slow, grows], first_load_gzip=70_000)
    assert "dashboard: 0.050x hello < 0.1x" in found
    assert any("p95 150 ms" in line for line in found)
    assert "notes partial: SQL statements grow with data (7 -> 13)" in found
    assert "notes partial: 13 SQL statements > 12" in found
    assert any("10 KB" in line for line in found) and any("first load" in line for line in found)


def test_check_exits_non_zero_only_when_a_bar_is_missed(monkeypatch, capsys) -> None:
    verdict = {"passed": False, "misses": ["dashboard: slow"]}
    monkeypatch.setattr(runner, "measure", lambda options, log: dict(verdict))
    options = runner.Options(database_url="postgresql+psycopg://x/stoa_bench", check=True)
    assert runner.main(options) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("{")
    assert runner.main(runner.Options(database_url=options.database_url)) == 0  # no --check
    verdict["passed"], verdict["misses"] = True, []
    assert runner.main(options) == 0
