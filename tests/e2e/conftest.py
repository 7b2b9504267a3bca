"""Browser tests: a real gunicorn serving a migrated, demo-loaded database, driven by Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import TMP, reset_database, scratch_database_url
from tests.fakes.stripe import FakeStripe
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """The local fake Stripe the live server's "Pay now" talks to (its webhook goes back to
    the live server, set once that is up)."""
    with FakeStripe() as fake:
        yield fake


@pytest.fixture(scope="session")
def live_server(fake_stripe: FakeStripe) -> Iterator[str]:
    url, drop = scratch_database_url("stoa_e2e")
    reset_database(url)
    instance = TMP / "e2e-instance"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "STOA_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "e2e-secret",
        "STOA_ENV": "development",
        "PYTHONUNBUFFERED": "1",
        # the browser test's webhook receiver listens on 127.0.0.1: opt in explicitly
        "STOA_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    # Jobs (emails, webhooks) run in-process here: a queue on a shared Redis would need a worker,
    # and another checkout's worker could take the jobs. The RQ path has its own unit test.
    env.pop("REDIS_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "portal", "demo"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    port = _free_port()
    env["STOA_BASE_URL"] = f"http://127.0.0.1:{port}"
    env["STRIPE_SECRET_KEY"] = fake_stripe.secret_key
    env["STRIPE_WEBHOOK_SECRET"] = fake_stripe.webhook_secret
    env["STRIPE_API_BASE"] = fake_stripe.url
    fake_stripe.webhook_url = f"http://127.0.0.1:{port}/webhooks/stripe"
    log_path = TMP / f"e2e-server-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--control-socket",
                str(TMP / f"gunicorn-{port}.ctl"),
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, proc, log_path)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            drop()


def _wait_until_up(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    def up_or_dead() -> str:
        if proc.poll() is not None:
            return "dead"
        try:
            return "up" if requests.get(f"{base}/healthz", timeout=5).status_code == 200 else ""
        except requests.RequestException:
            return ""

    try:
        if wait_until(up_or_dead, timeout=60, what="the test server") == "up":
            return
    except AssertionError:
        pass
    raise RuntimeError(f"the test server did not start:\n{log_path.read_text()[-4000:]}")


def _chromium_path() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium") or "",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright per test process: a second ``sync_playwright()`` beside it fails ("Sync
    API inside the asyncio loop"), so a test that needs a browser of its own launches it here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[object]:  # noqa: ANN001
    from playwright.sync_api import Error

    pw = playwright_driver
    path = _chromium_path()
    try:
        if path:
            b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        else:
            b = pw.chromium.launch(args=CHROMIUM_ARGS)  # Playwright's own browser, if installed
    except Error as exc:
        # Never skip silently in CI: a missing browser is a failed run there.
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium available for the browser tests: {exc}")
        pytest.skip(f"no Chromium available locally: {exc}")
    yield b
    b.close()


class PageErrors(list):
    """Console errors, page errors and CSP violations seen by a page."""


@pytest.fixture
def page_factory(browser, live_server):  # noqa: ANN001, ANN201
    contexts = []

    def make(width: int = 1280, height: int = 900):  # noqa: ANN202
        ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = PageErrors()
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def htmx_settled(page) -> None:  # noqa: ANN001
    """Wait until HTMX has finished its swaps. New content is in the DOM before htmx wires it up
    (its hx-* attributes are processed in the settle step, ~20 ms later), so a test that acts on
    freshly swapped controls at once can fire events nothing listens to yet; a person cannot."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def sign_in(page, email: str, password: str = "stoa-demo") -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
