"""The accessibility audit: axe-core over every page a role can reach, at 1280 and 375 px.

The page list comes from the app's URL map, not from a hand-kept list: every GET route of the
portal (``/p/<slug>/...``), the staff area (``/admin/...``) and the account pages. A route
without arguments (besides ``slug``) is visited directly; a route with ids (a project, a
deliverable, an invoice...) is visited through the first link to it found on the pages the role
has already seen, so a detail page is audited wherever the role can click through to it. A route
that answers anything but a full HTML page (a download, a CSV, a fragment, a redirect elsewhere,
a 403/404) is not a page of that role and is passed over.

axe-core (tests/e2e/vendor/axe-core/axe.min.js, pinned in package.json, copied by
`make vendor`) is a test asset: it goes into each page as an init script through the DevTools
protocol, which the page's CSP does not govern, so the app's CSP stays as strict as it is.
Every critical or serious violation fails the test, listed with its rule, target, page, role
and width.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.e2e.conftest import sign_in

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 375)
FAILING_IMPACTS = ("critical", "serious")

# GET routes that are not pages of their own: assets, feeds, redirects, sign-in hand-offs,
# fragments polled by a page (the bell's badge; its panel is audited opened, from the bell).
NOT_PAGES = {
    "static",
    "theme.theme_css",
    "brand.logo",
    "health.healthz",
    "health.readyz",
    "auth.index",
    "auth.sso_login",
    "auth.sso_callback",
    "auth.magic_consume",
    "auth.invite_accept",
    "notifications.badge",
    "notifications.panel",
    "notifications.follow",
    "feedback_widget.script",
    "feedback_widget.frame",
    "file_requests.public_upload",
    "files.upload_status",
    "files.file_list",
    "feedback.similar",
}

# What axe reports of a violation: enough to find it in the template.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['critical', 'serious'].includes(v.impact))
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
      count: v.nodes.length,
    }));
}"""


@dataclass
class Route:
    rule: str
    endpoint: str
    arguments: frozenset[str]


@dataclass
class Audit:
    role: str
    found: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def record(self, where: str, width: int, violations: list[dict]) -> None:
        for v in violations:
            targets = "; ".join(v["targets"])
            self.found.append(
                f"{v['impact']:8} {v['id']} ({v['count']} nodes) on {where} as {self.role} "
                f"at {width}px: {v['help']} -> {targets}"
            )

    def report(self) -> str:
        return f"{len(self.found)} critical/serious axe violations as {self.role}:\n" + "\n".join(
            self.found
        )


_ROUTES: list[Route] | None = None
_URLS: MapAdapter | None = None


def page_routes() -> list[Route]:
    """Every GET page route of the portal, the staff area and the account, from the URL map."""
    global _ROUTES, _URLS
    if _ROUTES is None:
        from portal import create_app

        app = create_app(
            {
                "DATABASE_URL": "sqlite://",
                "SECRET_KEY": "axe-url-map",
                "INSTANCE_PATH": tempfile.mkdtemp(prefix="axe-"),
                "STOA_ENV": "test",
            }
        )
        routes = []
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_PAGES:
                continue
            if not rule.rule.startswith(("/p/", "/admin", "/account", "/notifications")):
                continue
            routes.append(
                Route(rule=rule.rule, endpoint=rule.endpoint, arguments=frozenset(rule.arguments))
            )
        _ROUTES = sorted(routes, key=lambda r: r.rule)
        _URLS = app.url_map.bind("localhost")
    return _ROUTES


def route_of(href: str) -> str | None:
    """The endpoint the app serves ``href`` with (the URL map's own matching), if any."""
    assert _URLS is not None
    try:
        endpoint, _ = _URLS.match(href, method="GET")
    except HTTPException:  # not found, wrong method, a redirect to the canonical URL
        return None
    return str(endpoint)


def start_paths(routes: list[Route], slug: str | None, staff: bool) -> list[str]:
    """The routes a role can open straight away: those needing no id."""
    paths = []
    for r in routes:
        if r.arguments - {"slug"}:
            continue
        if r.rule.startswith("/p/"):
            if slug is None:
                continue
            paths.append(r.rule.replace("<slug>", slug))
        elif r.rule.startswith("/admin"):
            if staff:
                paths.append(r.rule)
        else:
            paths.append(r.rule)
    return paths


def _is_page(response) -> bool:  # noqa: ANN001
    if response is None or response.status != 200:
        return False
    if not response.headers.get("content-type", "").startswith("text/html"):
        return False
    return response.text().lstrip()[:15].lower() == "<!doctype html>"


def settle(page) -> None:  # noqa: ANN001
    """Wait until the page's own HTMX loads (hx-trigger="load" fragments) are in."""
    page.wait_for_function(
        "() => document.readyState === 'complete' && !document.querySelector('.htmx-request')"
    )


def run_axe(page) -> list[dict]:  # noqa: ANN001
    return page.evaluate(RUN_AXE)


def audit_both_widths(page, audit: Audit, where: str) -> None:  # noqa: ANN001
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        audit.record(where, width, run_axe(page))
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def new_audited_page(browser, live_server: str):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, base_url=live_server)
    ctx.add_init_script(path=str(AXE_JS))
    return ctx, ctx.new_page()


def crawl(page, audit: Audit, routes: list[Route], paths: list[str], slug: str | None) -> None:  # noqa: ANN001
    """Visit ``paths``, then a first link to every route with ids that the pages lead to."""
    queue = list(paths)
    seen_paths: set[str] = set()
    done: set[str] = set()
    id_endpoints = {r.endpoint for r in routes if r.arguments - {"slug"}}
    while queue:
        path = queue.pop(0)
        if path in seen_paths:
            continue
        seen_paths.add(path)
        try:
            response = page.goto(path)
        except PlaywrightError:  # a download (a file, a PDF): not a page
            continue
        if not _is_page(response) or urlsplit(page.url).path != urlsplit(path).path:
            continue
        settle(page)
        audit.visited.append(path)
        audit_both_widths(page, audit, path)
        hrefs = page.eval_on_selector_all(
            "a[href]", "els => els.map(a => new URL(a.href).pathname)"
        )
        for href in hrefs:
            endpoint = route_of(href)
            if endpoint not in id_endpoints or endpoint in done:
                continue
            if href.startswith("/p/") and (slug is None or not href.startswith(f"/p/{slug}/")):
                continue  # another portal's page: the role's own portal is the one audited
            done.add(endpoint)
            queue.append(href)


def audit_opened_states(page, audit: Audit, slug: str) -> None:  # noqa: ANN001
    """The states a click opens over a page: the bell's panel, the user menu, the task drawer."""
    page.goto(f"/p/{slug}/dashboard")
    settle(page)
    page.click("button.bell")
    page.wait_for_selector("#bell-panel:visible")
    settle(page)
    audit_both_widths(page, audit, f"/p/{slug}/dashboard (bell panel open)")
    page.keyboard.press("Escape")
    page.click("summary.menu-trigger")
    audit_both_widths(page, audit, f"/p/{slug}/dashboard (user menu open)")
    page.goto(f"/p/{slug}/tasks")
    settle(page)
    if page.locator(".task-card-title").count():
        page.locator(".task-card-title").first.click()
        page.wait_for_selector("#task-drawer")
        settle(page)
        audit_both_widths(page, audit, f"/p/{slug}/tasks (task drawer open)")
        audit.visited.append("task drawer")


def audit_role(
    browser,  # noqa: ANN001
    live_server: str,
    email: str,
    role: str,
    *,
    slug: str | None,
    staff: bool = False,
) -> Audit:
    """Sign in as ``email``, audit every page the role reaches and the opened states."""
    audit = Audit(role=role)
    ctx, page = new_audited_page(browser, live_server)
    sign_in(page, email)
    routes = page_routes()
    crawl(page, audit, routes, start_paths(routes, slug, staff), slug)
    if slug is not None:
        audit_opened_states(page, audit, slug)
    ctx.close()
    return audit


def audit_signed_out(browser, live_server: str) -> Audit:  # noqa: ANN001
    """The pages before signing in: the sign-in pages and the not-found page."""
    audit = Audit(role="signed out")
    ctx, page = new_audited_page(browser, live_server)
    for path in ("/login", "/magic", "/p/acme/login"):
        if _is_page(page.goto(path)):
            settle(page)
            audit.visited.append(path)
            audit_both_widths(page, audit, path)
    page.goto("/no-such-page")
    settle(page)
    audit.visited.append("404")
    audit_both_widths(page, audit, "/no-such-page (404)")
    ctx.close()
    return audit
