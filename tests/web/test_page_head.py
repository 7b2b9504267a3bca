"""The page head, written once: the <title> (whole page and HTMX fragment alike), the stylesheets,
and page scripts that load only on their page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import assert_both_ways

CSS_DIR = Path(__file__).resolve().parents[2] / "static" / "css"
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
PAGE_SCRIPTS = (
    "Sortable.min.js",
    "js/kanban.js",
    "js/uploads.js",
    "js/task_drawer.js",
    "js/mentions.js",
)


def _titles(html: str) -> list[str]:
    return [t.strip() for t in TITLE.findall(html)]


def _scripts(html: str) -> set[str]:
    return {name for name in PAGE_SCRIPTS if name in html}


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/p/acme-test/dashboard", "Dashboard · Acme Test"),
        ("/p/acme-test/tasks", "Tasks · Acme Test"),
        ("/p/acme-test/tasks/requests", "Requests · Acme Test"),
        ("/p/acme-test/files", "Files · Acme Test"),
        ("/p/acme-test/deliverables", "Deliverables · Acme Test"),
        ("/p/acme-test/notes", "Notes · Acme Test"),
        ("/p/acme-test/team", "Team · Acme Test"),
    ],
)
def test_the_title_is_the_same_whole_and_as_a_fragment(client, login, tenants, path, title) -> None:
    login(tenants.acme_admin)
    full, part = assert_both_ways(client, path)
    assert _titles(full) == [title]
    assert _titles(part) == [title]  # htmx sets document.title from the fragment's <title>


def test_a_task_opened_in_place_titles_the_page_after_the_task(
    client, login, tenants, make_task
) -> None:
    task = make_task(tenants.acme_project, title="Ship the logo")
    login(tenants.acme_admin)
    full, drawer = assert_both_ways(client, f"/p/acme-test/tasks/{task.id}")
    assert _titles(full) == ["Ship the logo · Acme Test"]
    assert _titles(drawer) == ["Ship the logo · Acme Test"]
    assert 'id="task-drawer"' in drawer


def test_staff_pages_are_titled_after_the_agency(client, login, tenants) -> None:
    login(tenants.staff_admin)
    full, part = assert_both_ways(client, "/admin/webhooks")
    (title,) = _titles(full)
    assert title.startswith("Webhooks · ") and _titles(part) == [title]
    (portals,) = _titles(client.get("/admin/").get_data(as_text=True))
    assert portals == title.replace("Webhooks", "Portals")


def test_page_scripts_load_only_on_their_page(client, login, tenants) -> None:
    login(tenants.acme_admin)
    expected = {
        "/p/acme-test/dashboard": set(),
        "/p/acme-test/team": set(),
        "/p/acme-test/tasks/requests": set(),
        "/p/acme-test/tasks": {
            "Sortable.min.js",
            "js/kanban.js",
            "js/uploads.js",  # the drawer's dropzone
            "js/task_drawer.js",
            "js/mentions.js",  # @mentions in the drawer's comment box
        },
        "/p/acme-test/files": {"js/uploads.js"},
    }
    for path, scripts in expected.items():
        full, part = assert_both_ways(client, path)
        assert _scripts(full) == scripts, path
        # a tab swap brings the page's scripts along, inert, for app.js to load once
        assert _scripts(part) == scripts, path
        assert part.count("data-page-script") == len(scripts), path
        head = full.split("</head>", 1)[0]
        assert _scripts(head) == scripts, path  # a whole page loads them in <head>, deferred


def test_one_stylesheet_holds_every_sheet_in_cascade_order(client, login, tenants) -> None:
    """A page links one stylesheet (every sheet, tokens first) and then the agency's theme."""
    from portal.web.assets import STYLESHEETS

    login(tenants.acme_admin)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    linked = re.findall(r'<link rel="stylesheet" href="([^"]+)"', head)
    assert len(linked) == 2, linked
    bundle, theme = linked
    assert re.fullmatch(r"/assets/stoa\.css\?v=[0-9a-f]{12}", bundle)
    assert theme.startswith("/theme.css")
    assert "/static/css/" not in html
    assert STYLESHEETS[:3] == ("tokens", "base", "components")
    assert sorted(STYLESHEETS) == sorted(p.stem for p in CSS_DIR.glob("*.css"))
    body = client.get(bundle).get_data(as_text=True)
    starts = [body.index(f"/* css/{name}.css */") for name in STYLESHEETS]
    assert starts == sorted(starts)
    for name in STYLESHEETS:  # each file whole, in order
        assert (CSS_DIR / f"{name}.css").read_text().strip() in body
