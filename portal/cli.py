"""The ``stoa`` command (also ``flask --app wsgi``)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from portal.db import commit, get_db


def _settings():  # noqa: ANN202
    return current_app.config["STOA_SETTINGS"]


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(api_key_group)
    app.cli.add_command(service_token_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(storage_group)
    app.cli.add_command(webhooks_group)
    app.cli.add_command(digests_command)
    app.cli.add_command(invoices_group)
    app.cli.add_command(network_group)
    app.cli.add_command(bench_command)


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from portal.migrations import upgrade
    from services.accounts.users import update_builtin_roles

    upgrade(_settings().database_url, revision)
    click.echo(f"Database at {revision}.")
    if revision != "head":
        return
    session = get_db().session_factory()
    try:
        added = update_builtin_roles(session)
        commit(session)
    finally:
        session.close()
    for role, nodes in added.items():
        click.echo(f"Built-in role {role!r} gained: {', '.join(nodes)}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from portal.migrations import downgrade

    downgrade(_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@click.command("demo", help="Load the demo data (idempotent).")
@with_appcontext
def demo_command() -> None:
    from services.demo import load_demo

    session = get_db().session_factory()
    try:
        created = load_demo(session)
        commit(session)
    finally:
        session.close()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing added.")


@click.command("create-admin", help="Create (or promote) a staff admin.")
@click.argument("email")
@click.option("--name", default="")
@click.password_option(prompt="Password", help="Prompted when not given.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    from services.accounts.users import create_staff_admin

    session = get_db().session_factory()
    try:
        user = create_staff_admin(session, email=email, name=name, password=password)
        commit(session)
    except Exception as exc:  # surfaced as a CLI error, not a traceback
        session.rollback()
        raise click.ClickException(getattr(exc, "message", str(exc))) from exc
    finally:
        session.close()
    click.echo(f"Staff admin {user.email} is ready.")


@click.group("api-key", help="API keys for integrations.")
def api_key_group() -> None:
    pass


@api_key_group.command("create")
@click.option("--company", "company_slug", default=None, help="Company slug; omit for agency-wide.")
@click.option("--name", required=True)
@click.option("--scopes", default="", help="Comma-separated scopes (default: all).")
@with_appcontext
def api_key_create(company_slug: str | None, name: str, scopes: str) -> None:
    from sqlmodel import select

    from portal.models import Company
    from services.accounts.tokens import create_api_key

    session = get_db().session_factory()
    try:
        company_id = None
        if company_slug:
            company = session.exec(select(Company).where(Company.slug == company_slug)).first()
            if company is None:
                raise click.ClickException(f"No company with slug {company_slug!r}.")
            company_id = company.id
        scope_list = [s.strip() for s in scopes.split(",") if s.strip()] or None
        try:
            key, secret = create_api_key(
                session, name=name, company_id=company_id, scopes=scope_list
            )
        except Exception as exc:
            raise click.ClickException(getattr(exc, "message", str(exc))) from exc
        commit(session)
    finally:
        session.close()
    scope_text = ",".join(key.scopes)
    owner = f"company {company_slug}" if company_slug else "agency-wide"
    click.echo(f"API key {key.prefix}… created ({owner}; scopes: {scope_text}).")
    click.echo("Store it now; it is not shown again:")
    click.echo(secret)


@click.group("service-token", help="Portal worker service tokens.")
def service_token_group() -> None:
    pass


@service_token_group.command("create")
@click.option("--name", required=True)
@with_appcontext
def service_token_create(name: str) -> None:
    from services.accounts.tokens import create_service_token

    session = get_db().session_factory()
    try:
        token, secret = create_service_token(session, name=name)
        commit(session)
    finally:
        session.close()
    click.echo(f"Service token {token.prefix}… created. Store it now; it is not shown again:")
    click.echo(secret)


@click.command("worker", help="Run the background job worker (RQ on REDIS_URL) and the sweep.")
@click.option("--check", is_flag=True, help="Health check: exit 0 if a worker is alive, else 1.")
@with_appcontext
def worker_command(check: bool) -> None:
    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: jobs already run in-process after commit."
        )
    from portal import worker

    if check:
        problems = worker.health(current_app._get_current_object(), settings.redis_url)  # type: ignore[attr-defined]
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            sys.exit(1)
        click.echo("Worker healthy.")
        return
    worker.run(current_app._get_current_object(), settings.redis_url)  # type: ignore[attr-defined]


@click.group("webhooks", help="Outbound webhooks.")
def webhooks_group() -> None:
    pass


@webhooks_group.command("retry-overdue")
@click.option("--grace", default=120, show_default=True, help="Seconds past due before retrying.")
@with_appcontext
def webhooks_retry_overdue(grace: int) -> None:
    """Resume deliveries whose retry was lost (in-process jobs and a restart); cron-able."""
    from portal.jobs import dispatch
    from services.events.webhooks import overdue_deliveries

    session = get_db().session_factory()
    try:
        ids = overdue_deliveries(session, grace_seconds=grace)
    finally:
        session.close()
    for delivery_id in ids:
        dispatch("deliver_webhook", delivery_id)
    click.echo(f"{len(ids)} overdue deliver{'y' if len(ids) == 1 else 'ies'} retried.")


@click.command("digests", help="Mail the notification digests that are due (for cron).")
@with_appcontext
def digests_command() -> None:
    from services.events.digests import send_due_digests

    session = get_db().session_factory()
    try:
        sent = send_due_digests(session)
        commit(session)
    finally:
        session.close()
    click.echo(f"{sent} digest(s) mailed.")


@click.group("invoices", help="Billing jobs.")
def invoices_group() -> None:
    pass


@invoices_group.command("notify-overdue")
@with_appcontext
def invoices_notify_overdue() -> None:
    """Tell clients about invoices that became overdue (once each; run daily from cron)."""
    from services.billing.overdue import notify_overdue

    session = get_db().session_factory()
    try:
        count = notify_overdue(session)
        commit(session)
    finally:
        session.close()
    click.echo(f"{count} overdue invoice(s) announced.")


@click.group("network", help="The network controller.")
def network_group() -> None:
    pass


@network_group.command("sync")
@with_appcontext
def network_sync() -> None:
    """Read every site from NETWORK_CONTROLLER_URL into its snapshot now (for cron)."""
    from services.network.sync import controller_from_settings, sync_controller

    client = controller_from_settings()
    if client is None:
        raise click.ClickException("NETWORK_CONTROLLER_URL is not set.")
    session = get_db().session_factory()
    try:
        result = sync_controller(session=session, client=client)
        commit(session)
    finally:
        session.close()
    if result.error:
        raise click.ClickException(f"The sync failed: {result.error}")
    click.echo(f"{len(result.synced)} site(s) synced, {len(result.failed)} failed.")
    for name, message in result.failed.items():
        click.echo(f"  {name}: {message}", err=True)


@click.group("storage", help="Blob storage maintenance.")
def storage_group() -> None:
    pass


@storage_group.command("cleanup")
@click.option("--older-than", default=86400, show_default=True, help="Seconds.")
@with_appcontext
def storage_cleanup(older_than: int) -> None:
    """Finish missed promotions, drop abandoned uploads and stale temporary objects."""
    from services.files import cleanup_uploads

    session = get_db().session_factory()
    try:
        stats = cleanup_uploads(session, older_than_seconds=older_than)
        commit(session)
    finally:
        session.close()
    click.echo(
        f"Promoted {stats['promoted']}, abandoned uploads removed {stats['abandoned']}, "
        f"temporary objects removed {stats['temp_removed']}."
    )


@storage_group.command("thumbnails")
@with_appcontext
def storage_thumbnails() -> None:
    """Make the missing thumbnails of images and PDFs (files uploaded before thumbnails)."""
    from services.files.thumbnails import backfill

    session = get_db().session_factory()
    try:
        made = backfill(session)
        commit(session)
    finally:
        session.close()
    click.echo(f"Thumbnails made: {made}.")


@click.command("bench", help="Generate the SPEC §8 data set and measure pages against hello.")
@click.option("--scale", default=1.0, show_default=True, help="Data set size (0.01 for CI).")
@click.option(
    "--database-url",
    default=None,
    help="PostgreSQL database the bench owns (default: database stoa_bench on DATABASE_URL's "
    "server). Refused if it holds data the bench did not create.",
)
@click.option("--seconds", default=5.0, show_default=True, help="Length of one round.")
@click.option("--rounds", default=2, show_default=True, help="Rounds per target (alternating).")
@click.option("--only", multiple=True, help="Measure only these targets (repeatable).")
@click.option("--check", is_flag=True, help="Exit non-zero when a SPEC §8 bar is missed.")
@click.option("--reuse", is_flag=True, help="Measure the data set a previous run generated.")
@click.option("--keep", is_flag=True, help="Keep the servers' logs (their directory is printed).")
@click.option(
    "--scale-out",
    is_flag=True,
    help="Also serve the app as one process on one core, then two on two cores sharing the "
    "database, and report both req/s and two over one (page cache off).",
)
@with_appcontext
def bench_command(
    scale: float,
    database_url: str | None,
    seconds: float,
    rounds: int,
    only: tuple[str, ...],
    check: bool,
    reuse: bool,
    keep: bool,
    scale_out: bool,
) -> None:
    from portal.bench.data import BenchRefused, bench_database_url
    from portal.bench.runner import Options, main

    try:
        url = bench_database_url(_settings().database_url, database_url)
        code = main(
            Options(
                database_url=url,
                scale=scale,
                seconds=seconds,
                rounds=rounds,
                check=check,
                only=only,
                reuse=reuse,
                keep=keep,
                scale_out=scale_out,
            )
        )
    except BenchRefused as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(code)


def _create_app() -> Flask:
    from portal import create_app

    return create_app()


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=True, add_version_option=False)
    sys.exit(cli.main(prog_name="stoa"))
