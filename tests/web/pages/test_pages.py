from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Page
from portal.models.base import utcnow
from services.pages import render_body
from tests.conftest import assert_both_ways

XSS_CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">hi</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    "[md link](javascript:alert(1))",
    "![img](javascript:alert(1))",
    '<form action="https://evil.example"><input name=x></form>',
    "<object data=x></object><embed src=x>",
    '"><script>alert(1)</script>',
]
FORBIDDEN_TAGS = {"script", "iframe", "style", "svg", "math", "form", "input", "object", "embed"}


class _Inspector(HTMLParser):
    """Collects every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src"} and value:
                scheme = value.strip().lower().split(":", 1)[0]
                if ":" in value and scheme not in {"http", "https", "mailto"}:
                    self.problems.append(f"{tag}[{name}={value}]")


def inert(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


def test_page_bodies_load_no_remote_images() -> None:
    """Red-team #10: a remote image would tell its host who read the page (a tracking pixel)."""
    markdown = render_body("![plan](https://t.example/p.gif)", "markdown")
    assert "<img" not in markdown and 'href="https://t.example/p.gif"' in markdown
    html = render_body('<img src="https://t.example/p.gif" alt="plan">', "html")
    assert "t.example" not in html
    assert 'src="/files/3/download"' in render_body('<img src="/files/3/download">', "html")


def make_page(db, company, title="A page", *, project=None, published=True, body="Hello"):
    page = Page(
        company_id=company.id,
        project_id=project.id if project else None,
        title=title,
        slug=title.lower().replace(" ", "-"),
        body=body,
        body_html=render_body(body, "markdown"),
        published_at=utcnow() if published else None,
    )
    db.add(page)
    db.flush()
    return page


@pytest.mark.parametrize("body_format", ["markdown", "html"])
@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_page_bodies_are_sanitised(payload, body_format) -> None:
    html = render_body(f"Intro\n\n{payload}\n\n**bold** <b>b</b>", body_format)
    assert not inert(html), (payload, body_format, html)
    if body_format == "markdown":  # raw HTML in markdown is text, the markdown still renders
        assert "<strong>bold</strong>" in html


def test_markdown_and_html_keep_their_formatting() -> None:
    md = render_body(
        "## Title\n\n- one\n- [link](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "markdown",
    )
    assert "<h2>Title</h2>" in md and "<li>one</li>" in md and "<table>" in md
    assert 'href="https://example.com"' in md and 'rel="noopener noreferrer nofollow"' in md
    html = render_body('<h2>T</h2><p><a href="mailto:a@b.test">m</a></p>', "html")
    assert "<h2>T</h2>" in html and 'href="mailto:a@b.test"' in html


def test_pages_list_and_detail_render_both_ways(client, db, login, tenants) -> None:
    page = make_page(
        db, tenants.acme, "Handbook", project=tenants.acme_project, body="# Hi\n\nText"
    )
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, "/p/acme-test/pages")
    assert "Handbook" in part and "Acme Website" in part and "<title>Pages" in part
    full, part = assert_both_ways(client, f"/p/acme-test/pages/{page.id}")
    assert "<h1>Hi</h1>" in part and "<title>Handbook" in part


def test_pages_are_group_aware(client, db, login, tenants) -> None:
    parent_page = make_page(db, tenants.acme, "Parent handbook")
    child_page = make_page(db, tenants.retail, "Store playbook")
    globex_page = make_page(db, tenants.globex, "Globex FAQ")
    login(tenants.acme_admin)  # the parent sees its child's pages
    html = client.get("/p/acme-test/pages").get_data(as_text=True)
    assert "Parent handbook" in html and "Store playbook" in html and "Globex FAQ" not in html
    assert client.get(f"/p/acme-test/pages/{child_page.id}").status_code == 200
    login(tenants.retail_admin)  # the child never sees its parent's
    html = client.get("/p/acme-retail-test/pages").get_data(as_text=True)
    assert "Store playbook" in html and "Parent handbook" not in html
    assert client.get(f"/p/acme-retail-test/pages/{parent_page.id}").status_code == 404
    assert client.get(f"/p/acme-test/pages/{parent_page.id}").status_code == 404
    login(tenants.globex_admin)
    assert client.get(f"/p/globex-test/pages/{parent_page.id}").status_code == 404
    assert client.get(f"/p/globex-test/pages/{globex_page.id}").status_code == 200


def test_drafts_are_invisible_in_the_portal(client, db, login, tenants) -> None:
    draft = make_page(db, tenants.acme, "Secret draft", published=False)
    for who in ("acme_admin", "staff_admin"):
        login(getattr(tenants, who))
        assert "Secret draft" not in client.get("/p/acme-test/pages").get_data(as_text=True)
        assert client.get(f"/p/acme-test/pages/{draft.id}").status_code == 404


def test_pages_list_queries_do_not_grow(client, db, login, tenants, count_queries) -> None:
    login(tenants.acme_admin)
    counts = []
    for n in (3, 30):
        for i in range(n):
            make_page(
                db,
                tenants.acme if i % 2 else tenants.retail,
                f"P{n}-{i}",
                project=tenants.acme_project if i % 3 == 0 else None,
            )
        with count_queries() as q:
            assert client.get("/p/acme-test/pages").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts


def test_empty_pages_tab_says_what_happens(client, login, tenants) -> None:
    login(tenants.acme_collab)
    assert "No pages yet" in client.get("/p/acme-test/pages").get_data(as_text=True)


# Staff authoring -------------------------------------------------------------------------------


def _pages(db) -> int:
    return len(db.exec(select(Page)).all())


def _page_activity(db) -> int:
    return len(db.exec(select(ActivityLog).where(ActivityLog.object_type == "page")).all())


def test_clients_cannot_reach_page_authoring(client, db, login, tenants) -> None:
    page = make_page(db, tenants.acme)
    login(tenants.acme_admin)
    assert client.get("/admin/pages/").status_code == 404
    assert client.get(f"/admin/pages/{page.id}").status_code == 404
    assert client.post("/admin/pages/", data={"title": "x"}).status_code == 404
    assert client.post(f"/admin/pages/{page.id}/unpublish").status_code == 404
    assert client.post(f"/admin/pages/{page.id}", data={"title": "y"}).status_code == 404
    db.refresh(page)
    assert page.published_at is not None and page.title == "A page"
    assert _pages(db) == 1 and _page_activity(db) == 0


def test_staff_without_page_write_cannot_author(client, db, login, tenants, make_user) -> None:
    """Staff may read the list, but writing needs page.write — an invalid form included."""
    from services.accounts.users import ensure_role, grant_role

    page = make_page(db, tenants.acme)
    reader = make_user(staff="reader")
    grant_role(db, user=reader, role=ensure_role(db, name="Reader", permissions=["portal.all"]))
    login(reader)
    assert client.get("/admin/pages/").status_code == 200
    for data in ({"title": "Mine", "company_id": str(tenants.acme.id)}, {"title": ""}):
        assert client.post("/admin/pages/", data=data).status_code == 403
        assert client.post(f"/admin/pages/{page.id}", data=data).status_code == 403
    assert client.post(f"/admin/pages/{page.id}/unpublish").status_code == 403
    db.refresh(page)
    assert page.published_at is not None and page.title == "A page"
    assert _pages(db) == 1 and _page_activity(db) == 0


def test_staff_create_edit_publish_and_unpublish(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    assert client.get("/admin/pages/new").status_code == 200
    resp = client.post(
        "/admin/pages/",
        data={
            "title": "Launch guide",
            "summary": "How launch works",
            "body": "## Steps\n\n<script>alert(1)</script>\n\n1. Plan",
            "body_format": "markdown",
            "company_id": str(tenants.acme.id),
            "project_id": str(tenants.acme_project.id),
            "action": "save",
        },
    )
    assert resp.status_code == 303
    page = db.exec(select(Page).where(Page.title == "Launch guide")).one()
    assert page.published_at is None and "<script" not in page.body_html
    assert page.project_id == tenants.acme_project.id and page.author_id == tenants.staff_admin.id
    assert client.get(f"/admin/pages/{page.id}").status_code == 200
    assert "Launch guide" in client.get("/admin/pages/").get_data(as_text=True)

    assert client.post(f"/admin/pages/{page.id}/publish").status_code == 303
    db.refresh(page)
    assert page.published_at is not None
    login(tenants.acme_viewer)
    assert client.get(f"/p/acme-test/pages/{page.id}").status_code == 200

    login(tenants.staff_admin)
    resp = client.post(
        f"/admin/pages/{page.id}",
        data={
            "title": "Launch guide v2",
            "body": "<h2>New</h2><p onclick=x>text</p>",
            "body_format": "html",
            "company_id": str(tenants.acme.id),
            "project_id": "",
            "action": "save",
        },
    )
    assert resp.status_code == 303
    db.refresh(page)
    assert page.title == "Launch guide v2" and page.project_id is None
    assert page.body_html == "<h2>New</h2><p>text</p>"
    assert client.post(f"/admin/pages/{page.id}/unpublish").status_code == 303
    db.refresh(page)
    assert page.published_at is None
    actions = db.exec(
        select(ActivityLog.action).where(
            ActivityLog.object_type == "page", ActivityLog.object_id == page.id
        )
    ).all()
    assert {"page_created", "page_published", "page_unpublished"} <= set(actions)


def test_save_and_publish_in_one_step(client, db, login, tenants) -> None:
    login(tenants.pm)
    resp = client.post(
        "/admin/pages/",
        data={"title": "Now", "body": "x", "company_id": str(tenants.acme.id), "action": "publish"},
    )
    assert resp.status_code == 303
    assert db.exec(select(Page).where(Page.title == "Now")).one().published_at is not None


def test_invalid_page_is_a_422(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/pages/",
        data={
            "title": "",
            "company_id": str(tenants.acme.id),
            "project_id": str(tenants.globex_project.id),  # not Acme's
            "body_format": "pdf",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Give the page a title." in html and "Choose one of this company" in html
    assert "Choose markdown or HTML." in html
    assert _pages(db) == 0 and _page_activity(db) == 0


def test_invalid_edit_keeps_the_page(client, db, login, tenants) -> None:
    page = make_page(db, tenants.acme, "Kept", body="Original")
    login(tenants.staff_admin)
    resp = client.post(
        f"/admin/pages/{page.id}",
        data={"title": "", "body": "Changed", "company_id": str(tenants.acme.id)},
    )
    assert resp.status_code == 422 and "Give the page a title." in resp.get_data(as_text=True)
    db.refresh(page)
    assert (page.title, page.body) == ("Kept", "Original") and _page_activity(db) == 0
    missing = client.post(f"/admin/pages/{2**31 - 1}", data={"title": ""})
    assert missing.status_code == 404  # a page that isn't there is absent, not a form error


def test_page_body_is_kept_as_written(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    body = "    indented code\n\nText"
    resp = client.post(
        "/admin/pages/",
        data={"title": " Spaced ", "body": body, "company_id": str(tenants.acme.id)},
    )
    assert resp.status_code == 303
    page = db.exec(select(Page).where(Page.title == "Spaced")).one()
    assert page.body == body and "<pre><code>indented code" in page.body_html


def test_pm_authors_only_for_assigned_companies(client, db, login, tenants) -> None:
    globex_page = make_page(db, tenants.globex, "Globex only")
    login(tenants.pm)
    html = client.get("/admin/pages/").get_data(as_text=True)
    assert "Globex only" not in html
    assert client.get(f"/admin/pages/{globex_page.id}").status_code == 404
    assert client.post(f"/admin/pages/{globex_page.id}/unpublish").status_code == 404
    resp = client.post(
        "/admin/pages/",
        data={"title": "Sneaky", "body": "x", "company_id": str(tenants.globex.id)},
    )
    assert resp.status_code == 422 and "Choose a company." in resp.get_data(as_text=True)
    db.refresh(globex_page)
    assert globex_page.published_at is not None
    assert _pages(db) == 1 and _page_activity(db) == 0
    form = client.get("/admin/pages/new").get_data(as_text=True)
    assert "Globex Test" not in form and "Acme Test" in form


def test_page_lists_paginate(client, db, login, tenants) -> None:
    for i in range(26):
        make_page(db, tenants.acme, f"Numbered {i:02d}")
    login(tenants.acme_viewer)
    first = client.get("/p/acme-test/pages").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Numbered 25" in first and "Numbered 00" not in first
    last = client.get("/p/acme-test/pages?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in last and "Numbered 00" in last
    for odd in ("x", "0", "-2", "²"):
        resp = client.get(f"/p/acme-test/pages?page={odd}")
        assert resp.status_code == 200 and "Page 1 of 2" in resp.get_data(as_text=True), odd
    assert "Page 2 of 2" in client.get("/p/acme-test/pages?page=7").get_data(as_text=True)
    login(tenants.staff_admin)
    admin = client.get("/admin/pages/?q=numbered&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in admin and "q=numbered" in admin
    assert client.get("/admin/pages/?page=abc").status_code == 200
    assert client.get("/admin/pages/new?company_id=abc").status_code == 200


def test_admin_pages_list_queries_do_not_grow(client, db, login, tenants, count_queries) -> None:
    login(tenants.staff_admin)
    counts = []
    for n in (3, 30):
        for i in range(n):
            make_page(db, tenants.acme, f"A{n}-{i}", published=bool(i % 2))
        with count_queries() as q:
            assert client.get("/admin/pages/").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts
