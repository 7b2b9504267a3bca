"""The staff screens for companies, groups, portals, templates, logos and branded sign-in."""

from __future__ import annotations

import io

from sqlmodel import select

from portal.models import Company, Portal, PortalManager, PortalTemplate, Task, TaskList, ToolLink
from services.demo.files import demo_png


def _portal(db, company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def _template(db) -> PortalTemplate:
    template = PortalTemplate(
        name="Website",
        welcome_message="Welcome to your website project.",
        task_lists=[{"name": "Kickoff", "tasks": ["Sign the contract", "Book the call"]}],
        tools=[{"title": "Shared drive", "url": "https://drive.example.test/x"}],
    )
    db.add(template)
    db.flush()
    return template


# Companies and groups --------------------------------------------------------------------


def test_create_rename_and_group_a_company(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post("/admin/companies/", data={"name": "Initech", "parent_id": ""})
    assert resp.status_code == 303
    company = db.exec(select(Company).where(Company.name == "Initech")).one()
    resp = client.post(
        f"/admin/companies/{company.id}",
        data={"name": "Initech Group", "parent_id": str(tenants.globex.id)},
    )
    assert resp.status_code == 303
    db.refresh(company)
    assert company.name == "Initech Group" and company.parent_id == tenants.globex.id
    page = client.get(f"/admin/companies/{tenants.globex.id}").get_data(as_text=True)
    assert "Initech Group" in page


def test_a_company_cannot_become_its_own_ancestor(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    for parent in (tenants.acme, tenants.retail):  # itself, then its own child
        resp = client.post(
            f"/admin/companies/{tenants.acme.id}",
            data={"name": "Acme Test", "parent_id": str(parent.id)},
        )
        assert resp.status_code == 422
        assert "cannot be its own parent" in resp.get_data(as_text=True)
    db.refresh(tenants.acme)
    assert tenants.acme.parent_id is None


def test_company_list_searches_and_pages_in_bounded_queries(
    client, db, login, tenants, make_company, count_queries
) -> None:
    login(tenants.staff_admin)
    page = client.get("/admin/companies/?q=globex").get_data(as_text=True)
    assert "<strong>Globex Test</strong>" in page
    assert "<strong>Acme Retail Test</strong>" not in page
    counts = []
    for n in (3, 30):
        for _ in range(n):
            make_company()
        with count_queries() as q:
            assert client.get("/admin/companies/").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_assign_project_managers(client, db, login, tenants, make_user) -> None:
    login(tenants.staff_admin)
    pm = make_user(staff="pm")
    resp = client.post(
        f"/admin/companies/{tenants.globex.id}/managers", data={"manager_ids": [str(pm.id)]}
    )
    assert resp.status_code == 303
    rows = db.exec(select(PortalManager).where(PortalManager.company_id == tenants.globex.id))
    assert [r.user_id for r in rows] == [pm.id]
    login(pm)
    assert client.get(f"/admin/portals/{_portal(db, tenants.globex).id}").status_code == 200


def test_a_pm_sees_only_assigned_portals_and_cannot_regroup(client, db, login, tenants) -> None:
    login(tenants.pm)  # Acme's project manager
    globex = _portal(db, tenants.globex)
    assert client.get(f"/admin/portals/{globex.id}").status_code == 404
    assert client.post(f"/admin/portals/{globex.id}", data={"title": "x"}).status_code == 404
    assert client.get(f"/admin/companies/{tenants.globex.id}").status_code == 404
    listing = client.get("/admin/companies/").get_data(as_text=True)
    assert "<strong>Acme Test</strong>" in listing and "Globex Test" not in listing
    resp = client.post(f"/admin/companies/{tenants.acme.id}", data={"name": "Renamed"})
    assert resp.status_code == 403


# Portals ---------------------------------------------------------------------------------


def test_create_a_portal_from_a_template_seeds_it(client, db, login, tenants) -> None:
    template = _template(db)
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/portals/",
        data={"title": "Riverside Dental", "status": "active", "template_id": str(template.id)},
    )
    assert resp.status_code == 303
    portal = db.exec(select(Portal).where(Portal.title == "Riverside Dental")).one()
    assert portal.template_id == template.id and portal.template_applied_at is not None
    assert portal.welcome_message == "Welcome to your website project."
    lists = db.exec(select(TaskList).where(TaskList.company_id == portal.company_id)).all()
    assert [tl.name for tl in lists] == ["Kickoff"]
    tasks = db.exec(select(Task.title).where(Task.company_id == portal.company_id)).all()
    assert sorted(tasks) == ["Book the call", "Sign the contract"]
    links = db.exec(select(ToolLink.title).where(ToolLink.company_id == portal.company_id)).all()
    assert links == ["Shared drive"]


def test_create_the_portal_of_an_existing_company(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    client.post("/admin/companies/", data={"name": "Hooli"})
    company = db.exec(select(Company).where(Company.name == "Hooli")).one()
    resp = client.post(
        "/admin/portals/",
        data={"title": "Hooli portal", "company_id": str(company.id), "template_id": "0"},
    )
    assert resp.status_code == 303
    assert _portal(db, company).title == "Hooli portal"
    again = client.post("/admin/portals/", data={"title": "Twice", "company_id": str(company.id)})
    assert again.status_code == 422 and "already has a portal" in again.get_data(as_text=True)


def test_api_and_inbound_webhook_accept_a_template(client, db, tenants) -> None:
    from services.accounts.tokens import create_api_key

    template = _template(db)
    _, key = create_api_key(db, name="agency", company_id=None)
    headers = {"Authorization": f"Bearer {key}"}
    resp = client.post(
        "/api/v1/portals",
        json={"title": "Sunset Bakery", "template_id": template.id},
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["template_id"] == template.id
    unknown = client.post(
        "/api/v1/portals", json={"title": "Nope", "template_id": 987654}, headers=headers
    )
    assert unknown.status_code == 422 and "template_id" in unknown.get_json()["errors"]
    hook = client.post(
        "/api/v1/webhook",
        json={"action": "create_portal", "title": "Moonrise", "template_id": template.id},
        headers={"X-API-Key": key},
    )
    assert hook.status_code == 201, hook.get_json()
    moon = db.exec(select(Portal).where(Portal.title == "Moonrise")).one()
    assert moon.welcome_message == "Welcome to your website project."


def test_settings_switch_tabs_and_the_client_tab_bar_follows(client, db, login, tenants) -> None:
    portal = _portal(db, tenants.acme)
    login(tenants.staff_admin)
    form = {
        "title": "Acme Test",
        "slug": portal.slug,
        "status": "active",
        "accent_color": "#2d6a4f",
        "enabled_tabs": ["dashboard", "files", "tools"],
        "landing_tab": "files",
        "_boxes": ["dashboard_enabled", "allow_uploads"],
        "allow_uploads": "1",
        "max_upload_mb": "50",
        "allowed_file_types": ["images", "pdf"],
        "welcome_message": "Hello Acme",
    }
    assert client.post(f"/admin/portals/{portal.id}", data=form).status_code == 303
    db.refresh(portal)
    assert portal.enabled_tabs == ["dashboard", "files", "tools"]
    assert portal.max_upload_mb == 50 and portal.allowed_file_types == ["images", "pdf"]
    login(tenants.acme_admin)
    page = client.get(f"/p/{portal.slug}/files").get_data(as_text=True)
    assert 'data-tab="files"' in page and 'data-tab="tools"' in page
    assert 'data-tab="tasks"' not in page and 'data-tab="invoices"' not in page
    login(tenants.staff_admin)
    bad = client.post(f"/admin/portals/{portal.id}", data={**form, "landing_tab": "tasks"})
    assert bad.status_code == 422 and "landing tab must be one of" in bad.get_data(as_text=True)


def test_logo_upload_takes_images_only_and_serves_them(client, db, login, tenants) -> None:
    portal = _portal(db, tenants.acme)
    login(tenants.staff_admin)
    refused = client.post(
        f"/admin/portals/{portal.id}/logo",
        data={"logo": (io.BytesIO(b"%PDF-1.4 not a logo"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "The logo must be an image: PNG, JPEG, GIF or WebP." in refused.get_data(as_text=True)
    db.refresh(portal)
    assert portal.logo_url is None
    ok = client.post(
        f"/admin/portals/{portal.id}/logo",
        data={"logo": (io.BytesIO(demo_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    db.refresh(portal)
    assert portal.logo_url and portal.logo_url.startswith("/brand/logos/")


def test_branded_sign_in_shows_the_portal(client, db, tenants) -> None:
    portal = _portal(db, tenants.acme)
    portal.title, portal.accent_color, portal.logo_url = "Acme Branded", "#2d6a4f", None
    db.add(portal)
    db.flush()
    page = client.get(f"/p/{portal.slug}/login").get_data(as_text=True)
    assert "Sign in to Acme Branded" in page and "accent=2d6a4f" in page
    assert f'action="/p/{portal.slug}/login"' in page
    portal.status = "pending"
    db.add(portal)
    db.flush()
    assert client.get(f"/p/{portal.slug}/login").status_code == 404
    assert client.get("/p/no-such-portal/login").status_code == 404


def test_branded_sign_in_signs_in_and_leads_into_the_portal(client, db, tenants) -> None:
    from tests.factories import PASSWORD

    portal = _portal(db, tenants.acme)
    resp = client.post(
        f"/p/{portal.slug}/login",
        data={"email": tenants.acme_admin.email, "password": PASSWORD},
    )
    assert resp.status_code == 303 and resp.headers["Location"].startswith(f"/p/{portal.slug}/")
    wrong = client.get(f"/p/{_portal(db, tenants.globex).slug}/login")
    assert wrong.status_code == 404  # signed in: a portal one cannot see does not exist


def test_invitation_page_wears_the_portal_brand(client, db, tenants) -> None:
    from datetime import timedelta

    from portal.models import Invitation
    from portal.models.base import utcnow
    from services.accounts.tokens import new_link_token

    portal = _portal(db, tenants.acme)
    portal.title = "Acme Branded"
    db.add(portal)
    token, token_hash = new_link_token()
    db.add(
        Invitation(
            company_id=tenants.acme.id,
            email="new@acme.test",
            name="New",
            role="viewer",
            token_hash=token_hash,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.flush()
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "Welcome to Acme Branded" in page


def test_templates_page_creates_a_template(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/portals/templates",
        data={
            "name": "Retainer",
            "task_lists": "Monthly:\nReview the report\n",
            "tools": "Status | https://status.example.test",
            "welcome_message": "Hi",
        },
    )
    assert resp.status_code == 303
    t = db.exec(select(PortalTemplate).where(PortalTemplate.name == "Retainer")).one()
    assert t.task_lists == [{"name": "Monthly", "tasks": ["Review the report"]}]
    assert t.tools == [{"title": "Status", "url": "https://status.example.test"}]
    bad = client.post("/admin/portals/templates", data={"name": "X", "tools": "no url here"})
    assert bad.status_code == 422 and "Title | https://" in bad.get_data(as_text=True)
    login(tenants.pm)
    assert client.post("/admin/portals/templates", data={"name": "Y"}).status_code == 403
