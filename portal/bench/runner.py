"""``stoa bench``: build the data set, serve it with the production gunicorn command next to a
bare hello app, measure, report (last line: one JSON object)."""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from portal.bench import data
from portal.bench.load import Round, connection_address, run_round
from portal.bench.report import (
    Kind,
    Result,
    ScaleOut,
    misses,
    scale_out_json,
    scale_out_table,
    table,
)
from portal.web.args import is_digits

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 16
API_KEYS = CONNECTIONS  # one per connection: a key's own rate limit is not what we measure
# the production command (Makefile `run`, Dockerfile, deploy/): 2 workers x 4 threads
GUNICORN_ARGS = (
    "--workers",
    "2",
    "--threads",
    "4",
    "--access-logfile",
    "-",
    "--logger-class",
    "portal.accesslog.RedactingLogger",
)
# --scale-out: each app replica one process of one worker (same threads), pinned to one core
REPLICA_ARGS = ("--workers", "1", *GUNICORN_ARGS[2:])
THREADS = int(GUNICORN_ARGS[GUNICORN_ARGS.index("--threads") + 1])
# the targets --scale-out measures unless --only names others: a page and a partial, each
# rendered per request (their cost is the app's CPU, not the database's)
SCALE_OUT_TARGETS = ("dashboard", "kanban partial")
CLIENT_EMAIL = "owner@acme.test"
STAFF_EMAIL = "admin@northwind.test"
DEMO_PASSWORD = "stoa-demo"
SKIP_STATEMENTS = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")
# the Results targets: a whole year against the one before (the largest period), and the
# campaigns table sorted by a computed column, ascending
YEAR = "period_type=year"
SORT = "sort_by=roas&sort_dir=asc"
# the Invoices list as a status chip and the pager swap it: the paid ones, their second page
PAID_PAGE = "status=paid&page=2"
META_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class Target:
    name: str
    kind: Kind
    path: str
    who: str  # "client", "staff", "worker" or "key"
    htmx: bool = False


@dataclass
class Ids:
    acme_company: int
    acme_retail_company: int
    acme_portal: int
    client_user: int
    demo_project: int
    deliverable: int
    board: int = 0


@dataclass
class Credentials:
    worker_token: str
    api_keys: list[str] = field(default_factory=list)


def targets(ids: Ids, board: int) -> list[Target]:
    p = "/p/acme"
    return [
        Target("dashboard", "page", f"{p}/dashboard", "client"),
        Target("kanban", "page", f"{p}/tasks?project={board}", "client"),
        Target("files", "page", f"{p}/files", "client"),
        Target("notes", "page", f"{p}/notes", "client"),
        Target("activity", "page", f"{p}/activity", "client"),
        Target("approvals", "page", "/admin/approvals", "staff"),
        Target("dashboard partial", "partial", f"{p}/dashboard", "client", htmx=True),
        Target("kanban partial", "partial", f"{p}/tasks?project={board}", "client", htmx=True),
        Target("notes partial", "partial", f"{p}/notes", "client", htmx=True),
        Target("activity partial", "partial", f"{p}/activity", "client", htmx=True),
        Target("bell badge", "partial", "/notifications/badge", "client", htmx=True),
        Target(
            "deliverable detail",
            "partial",
            f"{p}/deliverables/{ids.deliverable}",
            "client",
            htmx=True,
        ),
        Target("api portal tasks", "api", f"/api/v1/portals/{ids.acme_portal}/tasks", "key"),
        Target("api worker dashboard", "api", "/api/portal/dashboard", "worker"),
        # Results (issue 14): acme's 2,000 connections x 5 years of daily metrics
        Target("results", "page", f"{p}/results", "client"),
        Target("results period partial", "partial", f"{p}/results?{YEAR}", "client", htmx=True),
        Target("results campaigns sort", "partial", f"{p}/results?{SORT}", "client", htmx=True),
        Target("api results", "api", f"/api/portal/results?{YEAR}", "worker"),
        Target("api results campaigns", "api", f"/api/portal/results/campaigns?{SORT}", "worker"),
        # Invoices: acme's group (acme's 2,000 and acme-retail's) among the 100,000
        Target("invoices", "page", f"{p}/invoices", "client"),
        Target("invoices partial", "partial", f"{p}/invoices?{PAID_PAGE}", "client", htmx=True),
    ]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


_PORTS = iter(
    range(int(os.environ["STOA_BENCH_PORT_BASE"]), int(os.environ["STOA_BENCH_PORT_BASE"]) + 20)
    if os.environ.get("STOA_BENCH_PORT_BASE")
    else ()
)


def free_port() -> int:
    """An OS-chosen free port, or the next of STOA_BENCH_PORT_BASE's twenty when it is set."""
    given = next(_PORTS, None)
    if given is not None:
        return given
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Setting up -----------------------------------------------------------------------------------


def load_base(app: Any, *, demo: bool = True) -> Credentials:
    """The demo (users, roles, memberships, acme) and the credentials the API targets use."""
    from portal.db import commit, get_db
    from services.accounts.tokens import create_api_key, create_service_token
    from services.demo import load_demo

    with app.app_context():
        session = get_db().session_factory()
        try:
            if demo:
                load_demo(session)
            _, worker = create_service_token(session, name="bench worker")
            acme = session.execute(text("SELECT id FROM company WHERE slug = 'acme'")).scalar_one()
            keys = [
                create_api_key(session, name=f"bench {i}", company_id=acme)[1]
                for i in range(API_KEYS)
            ]
            commit(session)
        finally:
            session.close()
    return Credentials(worker_token=worker, api_keys=keys)


def resolve_ids(engine: Engine) -> Ids:
    with engine.connect() as conn:

        def one(sql: str, **params: Any) -> int:
            return int(conn.execute(text(sql), params).scalar_one())

        acme = one("SELECT id FROM company WHERE slug = 'acme'")
        return Ids(
            acme_company=acme,
            acme_retail_company=one("SELECT id FROM company WHERE slug = 'acme-retail'"),
            acme_portal=one("SELECT id FROM portal WHERE company_id = :c", c=acme),
            client_user=one(f"SELECT id FROM \"user\" WHERE email = '{CLIENT_EMAIL}'"),
            demo_project=one(
                "SELECT min(id) FROM project WHERE company_id = :c AND status = 'active'", c=acme
            ),
            deliverable=one(
                "SELECT min(id) FROM deliverable WHERE company_id = :c "
                "AND visible_version IS NOT NULL",
                c=acme,
            ),
        )


# In-process: statements per request, sizes --------------------------------------------------


class InProcess:
    """The app in this process on the bench database: count each request's SQL statements."""

    def __init__(self, app: Any, creds: Credentials, ids: Ids) -> None:
        self.app = app
        self.creds = creds
        self.ids = ids
        self.clients = {
            "client": self._signed_in(CLIENT_EMAIL),
            "staff": self._signed_in(STAFF_EMAIL),
        }
        self.clients["worker"] = self.clients["key"] = app.test_client()

    def _signed_in(self, email: str) -> Any:
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = META_CSRF.search(page)
        resp = client.post(
            "/login",
            data={
                "email": email,
                "password": DEMO_PASSWORD,
                "csrf_token": token.group(1) if token else "",
            },
        )
        if resp.status_code not in (302, 303):
            raise RuntimeError(f"in-process sign-in of {email} failed: {resp.status_code}")
        return client

    def headers(self, target: Target) -> dict[str, str]:
        return request_headers(target, self.creds, self.ids, key_index=0)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        engine = self.app.extensions["stoa_db"].engine
        me = threading.get_ident()
        seen: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if threading.get_ident() == me and not statement.lstrip().upper().startswith(
                SKIP_STATEMENTS
            ):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    def get(self, target: Target) -> Any:
        return self.clients[target.who].get(target.path, headers=self.headers(target))

    def statements(self, target: Target) -> tuple[int, bytes]:
        """(statements of one warm request, its body)."""
        self.get(target)  # warm-up: first-request work (caches) is not what we measure
        with self.counting() as seen:
            resp = self.get(target)
        if resp.status_code != 200:
            raise RuntimeError(f"{target.name} {target.path}: HTTP {resp.status_code}")
        return len(seen), resp.get_data()

    def first_load_gzip(self, path: str) -> tuple[int, list[str]]:
        """Gzipped bytes of the JS and CSS a full page load of ``path`` fetches."""
        html = self.clients["client"].get(path).get_data(as_text=True)
        assets = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
            r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"',
            html,
        )
        urls: list[str] = []
        for item in assets:
            for url in item if isinstance(item, tuple) else (item,):
                if url and url.startswith("/") and url not in urls:
                    urls.append(url)
        total = 0
        for url in urls:
            body = self.clients["client"].get(url).get_data()
            total += len(gzip.compress(body, 6))
        return total, urls


def request_headers(target: Target, creds: Credentials, ids: Ids, key_index: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    if target.htmx:
        headers["HX-Request"] = "true"
    if target.who == "key":
        headers["Authorization"] = f"Bearer {creds.api_keys[key_index % len(creds.api_keys)]}"
    if target.who == "worker":
        headers.update(
            {
                "Authorization": f"Bearer {creds.worker_token}",
                "X-Portal-Company-Id": str(ids.acme_company),
                "X-Portal-User-Role": "admin",
                "X-Portal-User-Id": str(ids.client_user),
                "X-Portal-Group-Company-Ids": f"{ids.acme_company},{ids.acme_retail_company}",
            }
        )
    return headers


# Servers --------------------------------------------------------------------------------------


class Server:
    def __init__(
        self,
        module: str,
        port: int,
        env: dict[str, str],
        log: Path,
        *,
        args: tuple[str, ...] = GUNICORN_ARGS,
        core: int | None = None,
    ) -> None:
        """gunicorn serving ``module``; with ``core``, it and its workers run on that core only."""
        self.port = port
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                *args,
                module,
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=None if core is None else _pinned_to(core),
        )
        deadline = time.monotonic() + 300  # a busy machine boots slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {module} exited:\n{_tail(log)}")
            try:
                if _get(port, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {module} did not become healthy:\n{_tail(log)}")

    def stop(self) -> None:
        if self.log.closed:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def _pinned_to(core: int) -> Callable[[], None]:
    def pin() -> None:  # in the child, before gunicorn starts: its workers inherit it
        os.sched_setaffinity(0, {core})

    return pin


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET", body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        payload = resp.read()
        cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        where = resp.getheader("Location") or ""
        return resp.status, {"set-cookie": "\n".join(cookies), "location": where}, payload
    finally:
        conn.close()


def _cookie_jar(set_cookie: str, jar: dict[str, str]) -> None:
    for line in set_cookie.splitlines():
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def sign_in_http(port: int, email: str, address: str = "10.77.255.254") -> str:
    """Sign in through the real login form from ``address`` (behind the trusted proxy) and
    open the landing page, as a browser does; return the Cookie header to send."""
    jar: dict[str, str] = {}
    status, h, page = _get(port, "/login", {"X-Forwarded-For": address})
    _cookie_jar(h["set-cookie"], jar)
    token = META_CSRF.search(page.decode())
    form = urllib.parse.urlencode(
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""}
    )
    status, h, _ = _get(
        port,
        "/login",
        {
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": address,
        },
        method="POST",
        body=form,
    )
    if status not in (302, 303):
        raise RuntimeError(f"sign-in of {email} failed: HTTP {status}")
    _cookie_jar(h["set-cookie"], jar)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    # The first page rendered gives the session its CSRF secret: done here, as a browser's
    # session is after its first page, rather than in each round's first requests. "/"
    # redirects to the person's landing page.
    location = "/"
    for _ in range(3):
        status, h, _ = _get(port, location, {"Cookie": cookie, "X-Forwarded-For": address})
        _cookie_jar(h["set-cookie"], jar)
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        if status not in (301, 302, 303) or not h.get("location", "").startswith("/"):
            break
        location = h["location"]
    return cookie


# The run --------------------------------------------------------------------------------------


@dataclass
class Options:
    database_url: str
    scale: float = 1.0
    seconds: float = 5.0
    rounds: int = 2
    check: bool = False
    only: tuple[str, ...] = ()
    keep: bool = False
    reuse: bool = False  # measure a data set a previous run generated (no small-data counts)
    scale_out: bool = False  # also one app process on one core against two on two


def measure(
    options: Options,
    *,
    log: Callable[[str], None] = say,
) -> dict[str, Any]:
    """Everything but the exit code: returns the JSON object the last line prints."""
    from cryptography.fernet import Fernet

    from portal import create_app
    from portal.migrations import upgrade

    url = options.database_url
    started = time.monotonic()
    plain, log = log, _stamped(log, started)

    reuse = options.reuse and data.generated_before(url)
    if not reuse:
        data.ensure_database(url)
        data.claim_database(url)
    work = Path(tempfile.mkdtemp(prefix="stoa-bench-"))
    port, hello_port = free_port(), free_port()
    secret, keys = secrets.token_hex(32), Fernet.generate_key().decode()
    settings = {
        "DATABASE_URL": url,
        "STOA_INSTANCE_PATH": str(work / "instance"),
        "SECRET_KEY": secret,
        "STOA_ENCRYPTION_KEYS": keys,
        "STOA_ENV": "production",
        "STOA_BASE_URL": f"http://127.0.0.1:{port}",
        "TRUSTED_PROXIES": "1",  # as behind deploy/'s proxy: each load connection is a client
    }
    engine = create_engine(url)
    servers: list[Server] = []
    try:
        if not reuse:
            log(f"Database {engine.url.database}: migrations and demo data…")
            upgrade(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "INSTANCE_PATH": settings["STOA_INSTANCE_PATH"],
                "SECRET_KEY": secret,
                "STOA_ENCRYPTION_KEYS": keys,
                "STOA_ENV": "production",
                "BASE_URL": settings["STOA_BASE_URL"],
                "INSECURE_COOKIES": True,  # the in-process client speaks plain http
                "RATELIMIT_NAMESPACE": "bench",
                # statements per request count a render, never an answer from the page cache
                "PAGE_CACHE_SECONDS": 0,
            }
        )
        creds = load_base(app, demo=not reuse)
        ids = resolve_ids(engine)
        inproc = InProcess(app, creds, ids)
        chosen = [
            t for t in targets(ids, ids.demo_project) if not options.only or t.name in options.only
        ]
        small: dict[str, int] = {}
        if reuse:
            log(f"Reusing the data set in {engine.url.database}")
            generated = data.Generated(counts=data.count_generated(engine))
            generated.acme_board_ids = data.acme_board_ids(engine)
        else:
            small = {t.name: inproc.statements(t)[0] for t in chosen}
            log(f"Generating the data set at scale {options.scale}…")
            generated = data.generate(engine, options.scale, log=log)
        ids.board = generated.acme_board_ids[0]
        chosen = [t for t in targets(ids, ids.board) if not options.only or t.name in options.only]
        results: list[Result] = []
        for t in chosen:
            count, body = inproc.statements(t)
            results.append(
                Result(
                    name=t.name,
                    kind=t.kind,
                    path=t.path,
                    statements_small=small.get(t.name),
                    statements_large=count,
                    gzip_bytes=len(gzip.compress(body, 6)),
                )
            )
        first_load, assets = inproc.first_load_gzip("/p/acme/dashboard")
        log(f"First load: {first_load / 1024:.1f} KB gzipped ({len(assets)} files)")

        env = {**os.environ, **settings, "PYTHONUNBUFFERED": "1"}
        log("Starting gunicorn: the app and hello…")
        servers.append(Server("wsgi:app", port, env, work / "app.log"))
        servers.append(Server("portal.bench.hello:app", hello_port, env, work / "hello.log"))
        log("Signing in over HTTP…")
        # each connection is a browser of its own: its own sign-in, from its own address
        cookies = {
            who: [sign_in_http(port, email, connection_address(i)) for i in range(CONNECTIONS)]
            for who, email in (("client", CLIENT_EMAIL), ("staff", STAFF_EMAIL))
        }
        log(
            f"Measuring {len(chosen)} targets: {CONNECTIONS} connections, "
            f"{options.rounds} x {options.seconds:g} s rounds alternating with hello…"
        )
        for t, r in zip(chosen, results, strict=True):
            _measure_target(t, r, options, port, hello_port, cookies, creds, ids)
            log(
                f"  {t.name}: {r.ratio:.3f}x ({r.rps:.1f} / {r.hello_rps:.1f} req/s), "
                f"p95 {r.p95_ms:.0f} ms, half-load p95 {r.half_load_p95_ms:.0f} ms, "
                f"{r.cached_pct:.0f}% from the page cache"
                + (f"; rendered every time {r.rendered_ratio:.3f}x" if r.rendered_ratio else "")
            )
        scaled: list[ScaleOut] = []
        cores = two_cores() if options.scale_out else None
        load_before = os.getloadavg()[0]
        if options.scale_out:
            for server in servers:  # the replicas get the machine to themselves
                server.stop()
            if cores is None:
                log("Scale-out skipped: it needs two cores")
            else:
                picked = scale_out_targets(chosen, options.only)
                log(
                    f"Scale-out, {len(picked)} targets: one app process (1 worker x "
                    f"{THREADS} threads) on core {cores[0]}, then two on cores {cores[0]} and "
                    f"{cores[1]}, one database; PAGE_CACHE_SECONDS=0 (every request renders), "
                    f"then {picked[0].name} with the page cache on…"
                )
                scaled = run_scale_out(
                    picked, cores, options, env, work, cookies, creds, ids, servers, log
                )
        load = (load_before, os.getloadavg()[0])
    finally:
        for server in servers:
            server.stop()
        engine.dispose()
        if options.keep:
            log(f"Server logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    missed = misses(results, first_load, scaled)
    plain("")
    plain(table(results))
    plain(f"first load JS+CSS: {first_load / 1024:.1f} KB gzipped ({', '.join(assets)})")
    if scaled and cores is not None:
        plain("")
        plain(scale_out_table(scaled, cores, load))
    for line in missed:
        plain(f"MISSED {line}")
    return {
        "stoa_bench": 1,
        "scale": options.scale,
        "database": engine.url.database,
        "connections": CONNECTIONS,
        "seconds_per_round": options.seconds,
        "rounds": options.rounds,
        "generated": generated.counts,
        "generate_seconds": round(sum(generated.seconds.values()), 1),
        "hello_rps": round(sum(r.hello_rps for r in results) / max(1, len(results)), 1),
        "first_load_gzip_bytes": first_load,
        "targets": {r.name: _rounded(r.as_json()) for r in results},
        "scale_out": (
            scale_out_json(scaled, cores, threads=THREADS, connections=CONNECTIONS, load=load)
            if options.scale_out
            else None
        ),
        "misses": missed,
        "passed": not missed,
        "total_seconds": round(time.monotonic() - started, 1),
    }


def _stamped(log: Callable[[str], None], started: float) -> Callable[[str], None]:
    def stamped(line: str) -> None:
        log(f"[{time.monotonic() - started:6.1f}s] {line}" if line else line)

    return stamped


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


def _load_headers(
    t: Target, cookies: dict[str, list[str]], creds: Credentials, ids: Ids
) -> tuple[dict[str, str], list[dict[str, str]] | None]:
    """The headers every connection sends for ``t``, and each connection's own (its browser
    session's cookie, or its API key)."""
    headers = request_headers(t, creds, ids, key_index=0)
    if t.who in cookies:
        return headers, [{"Cookie": cookie} for cookie in cookies[t.who]]
    if t.who == "key":  # one key per connection: run_round sets the key per thread
        headers.pop("Authorization")
    return headers, _key_headers(creds) if t.who == "key" else None


def _measure_target(
    t: Target,
    r: Result,
    options: Options,
    port: int,
    hello_port: int,
    cookies: dict[str, list[str]],
    creds: Credentials,
    ids: Ids,
) -> None:
    headers, per_connection = _load_headers(t, cookies, creds, ids)
    target_latencies: list[float] = []
    target_requests = hello_requests = cached = 0
    target_time = hello_time = 0.0
    errors = 0
    seconds = options.seconds
    # warm-up: every worker thread has served this page (templates compiled, caches filled)
    run_round(
        "127.0.0.1",
        port,
        t.path,
        headers=headers,
        per_connection=per_connection,
        connections=CONNECTIONS,
        seconds=min(1.0, seconds / 2),
    )
    for _ in range(options.rounds):
        hello = run_round("127.0.0.1", hello_port, "/", connections=CONNECTIONS, seconds=seconds)
        hello_requests += hello.requests
        hello_time += hello.seconds
        got = run_round(
            "127.0.0.1",
            port,
            t.path,
            headers=headers,
            per_connection=per_connection,
            connections=CONNECTIONS,
            seconds=seconds,
        )
        _failed_statuses(r, got)
        target_latencies.extend(got.latencies)
        target_requests += got.requests
        cached += got.cached
        target_time += got.seconds
        errors += got.errors
    r.rps = target_requests / target_time if target_time else 0.0
    r.hello_rps = hello_requests / hello_time if hello_time else 0.0
    r.ratio = r.rps / r.hello_rps if r.hello_rps else 0.0
    r.cached_pct = 100.0 * cached / target_requests if target_requests else 0.0
    summary = Round(seconds=target_time, latencies=target_latencies)
    r.p50_ms, r.p95_ms, r.p99_ms = (summary.percentile(p) for p in (50, 95, 99))
    half = run_round(
        "127.0.0.1",
        port,
        t.path,
        headers=headers,
        per_connection=per_connection,
        connections=CONNECTIONS,
        seconds=seconds,
        rate=max(1.0, r.rps / 2),
    )
    _failed_statuses(r, half)
    r.half_load_p95_ms = half.percentile(95)
    r.errors = errors + half.errors
    if cached:
        # what a render costs when nothing is cached (each first view after a write): a hard
        # reload asks for a fresh answer every time; reported, not barred
        rendered = run_round(
            "127.0.0.1",
            port,
            t.path,
            headers={**headers, "Cache-Control": "no-cache"},
            per_connection=per_connection,
            connections=CONNECTIONS,
            seconds=seconds,
        )
        _failed_statuses(r, rendered)
        r.errors += rendered.errors
        r.rendered_rps = rendered.rps
        r.rendered_ratio = rendered.rps / r.hello_rps if r.hello_rps else 0.0


def _failed_statuses(r: Result | ScaleOut, got: Round) -> None:
    for status, count in got.statuses.items():
        if status != 200:
            r.error_statuses[status] = r.error_statuses.get(status, 0) + count
    lost = got.errors - sum(c for s, c in got.statuses.items() if s != 200)
    if lost > 0:
        r.error_statuses[0] = r.error_statuses.get(0, 0) + lost


# Scale-out: one app process on one core, then two on two, one database -------------------------


def two_cores() -> tuple[int, int] | None:
    """The first two cores this process may run on (None on a one-core machine)."""
    cores = sorted(os.sched_getaffinity(0))
    return (cores[0], cores[1]) if len(cores) >= 2 else None


def scale_out_targets(chosen: list[Target], only: tuple[str, ...]) -> list[Target]:
    """What --scale-out measures: the --only targets when given, else SCALE_OUT_TARGETS."""
    return list(chosen) if only else [t for t in chosen if t.name in SCALE_OUT_TARGETS]


def run_scale_out(
    picked: list[Target],
    cores: tuple[int, int],
    options: Options,
    env: dict[str, str],
    work: Path,
    cookies: dict[str, list[str]],
    creds: Credentials,
    ids: Ids,
    servers: list[Server],
    log: Callable[[str], None],
) -> list[ScaleOut]:
    """Two replicas (one core each, the same database and instance folder) measured for each
    picked target with the page cache off, then the first target again with it on."""
    from portal.web.pagecache import DEFAULT_SECONDS

    rows: list[ScaleOut] = []
    for cached, these in ((False, picked), (True, picked[:1])):
        replica_env = {**env, "PAGE_CACHE_SECONDS": str(DEFAULT_SECONDS if cached else 0)}
        pair: list[Server] = []
        try:
            for i, core in enumerate(cores):
                pair.append(
                    Server(
                        "wsgi:app",
                        free_port(),
                        replica_env,
                        work / f"replica-{i + 1}{'-cached' if cached else ''}.log",
                        args=REPLICA_ARGS,
                        core=core,
                    )
                )
                servers.append(pair[-1])
            ports = (pair[0].port, pair[1].port)
            for t in these:
                headers, per_connection = _load_headers(t, cookies, creds, ids)
                row = measure_scale_out(
                    t,
                    ports,
                    options,
                    headers,
                    per_connection,
                    page_cache=cached,
                    cpu_seconds=partial(group_cpu_seconds, *(s.proc.pid for s in pair)),
                )
                rows.append(row)
                log(
                    f"  {row.label}: one {row.one_rps:.1f} req/s, two {row.two_rps:.1f} req/s "
                    f"= {row.ratio:.2f}x (split {'/'.join(map(str, row.per_replica))}; "
                    f"cores used {row.one_cores:.2f} -> {row.two_cores:.2f})"
                )
        finally:
            for server in pair:
                server.stop()
    return rows


def measure_scale_out(
    t: Target,
    ports: tuple[int, int],
    options: Options,
    headers: dict[str, str],
    per_connection: list[dict[str, str]] | None,
    *,
    page_cache: bool,
    cpu_seconds: Callable[[], float] = lambda: 0.0,
) -> ScaleOut:
    """Rounds alternate: every connection on the first replica, then the connections split
    between both (as the proxy in front of two replicas would). ``cpu_seconds`` reads the CPU
    time both replicas have used so far: each round's share gives the cores they got."""
    row = ScaleOut(name=t.name, path=t.path, page_cache=page_cache)

    def go(spread: tuple[int, ...], seconds: float) -> Round:
        return run_round(
            "127.0.0.1",
            spread[0],
            t.path,
            headers=headers,
            per_connection=per_connection,
            ports=spread,
            connections=CONNECTIONS,
            seconds=seconds,
        )

    go(ports, min(1.0, options.seconds / 2))  # warm-up: both replicas have served the target
    one = Round(seconds=0.0)
    two = Round(seconds=0.0)
    cpu = {id(one): 0.0, id(two): 0.0}
    for _ in range(options.rounds):
        for spread, total in (((ports[0],), one), (ports, two)):
            before = cpu_seconds()
            got = go(spread, options.seconds)
            cpu[id(total)] += cpu_seconds() - before
            _failed_statuses(row, got)
            row.errors += got.errors
            total.seconds += got.seconds
            total.latencies.extend(got.latencies)
            for port, count in got.by_port.items():
                total.by_port[port] = total.by_port.get(port, 0) + count
    row.one_rps, row.two_rps = one.rps, two.rps
    row.one_p95_ms, row.two_p95_ms = one.percentile(95), two.percentile(95)
    row.per_replica = [two.by_port.get(port, 0) for port in ports]
    row.one_cores = cpu[id(one)] / one.seconds if one.seconds else 0.0
    row.two_cores = cpu[id(two)] / two.seconds if two.seconds else 0.0
    return row


def group_cpu_seconds(*groups: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of the process
    ``groups`` (each a gunicorn started in a session of its own: its master and workers)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not is_digits(entry.name):  # a process's folder
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0]
        if int(fields[2]) in groups:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _key_headers(creds: Credentials) -> list[dict[str, str]]:
    return [{"Authorization": f"Bearer {key}"} for key in creds.api_keys]


def main(options: Options) -> int:
    result = measure(options, log=say)
    say(json.dumps(result, separators=(",", ":")))
    return 1 if options.check and not result["passed"] else 0
