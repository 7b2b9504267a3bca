"""The board's categories page: staff add, rename, recolour and delete; bad input is a 422 with
the field's message; clients who do not organise the board do not get in."""

from __future__ import annotations

from sqlmodel import select

from portal.models import FeedbackCategory
from tests.conftest import assert_both_ways
from tests.factories.feedback import make_category, make_post

URL = "/p/acme-test/feedback/categories"


def _names(db, company) -> dict[str, str]:
    db.expire_all()
    rows = db.exec(select(FeedbackCategory).where(FeedbackCategory.company_id == company.id))
    return {c.name: c.color for c in rows}


def test_staff_see_the_categories_page_both_ways(client, login, db, tenants) -> None:
    make_category(db, tenants.pm, tenants.acme, "Reporting", "#7AA2F7")
    login(tenants.pm)
    full, _ = assert_both_ways(client, URL)
    assert "Reporting" in full and "#7AA2F7" in full and "Add category" in full
    board = client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert f'href="{URL}"' in board


def test_staff_add_rename_recolour_and_delete(client, login, db, tenants) -> None:
    login(tenants.pm)
    resp = client.post(URL, data={"name": "Billing", "color": "#ff5733"})
    assert resp.status_code == 303
    assert _names(db, tenants.acme) == {"Billing": "#FF5733"}
    category = db.exec(select(FeedbackCategory).where(FeedbackCategory.name == "Billing")).one()
    resp = client.post(f"{URL}/{category.id}", data={"name": "Invoices", "color": "#00AA00"})
    assert resp.status_code == 303
    assert _names(db, tenants.acme) == {"Invoices": "#00AA00"}
    page = client.get(URL).get_data(as_text=True)
    assert "Invoices" in page and "Billing" not in page
    assert client.post(f"{URL}/{category.id}/delete").status_code == 303
    assert _names(db, tenants.acme) == {}


def test_deleting_a_category_keeps_its_ideas(client, login, db, tenants) -> None:
    category = make_category(db, tenants.pm, tenants.acme, "Reporting")
    make_post(db, tenants.acme_collab, tenants.acme, "PDF export", category_ids=[category.id])
    login(tenants.pm)
    assert client.post(f"{URL}/{category.id}/delete").status_code == 303
    board = client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert "PDF export" in board and "Reporting" not in board


def test_bad_input_is_a_422_with_the_fields_message(client, login, db, tenants) -> None:
    existing = make_category(db, tenants.pm, tenants.acme, "Reporting", "#7AA2F7")
    login(tenants.pm)
    resp = client.post(URL, data={"name": "R", "color": "red"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "The name must be at least 2 characters." in html
    assert "The color format is invalid." in html
    assert 'value="R"' in html  # what was typed is kept
    resp = client.post(URL, data={"name": "x" * 61, "color": "#FFF"})
    assert resp.status_code == 422
    assert "The name may not be greater than 60 characters." in resp.get_data(as_text=True)
    resp = client.post(URL, data={"name": "reporting", "color": "#123456"})
    assert resp.status_code == 422
    assert "The name has already been taken." in resp.get_data(as_text=True)
    other = make_category(db, tenants.pm, tenants.acme, "Design")
    resp = client.post(f"{URL}/{other.id}", data={"name": "REPORTING", "color": "#12345G"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'id="fb-cat-color-{other.id}-err"' in html
    assert "The color format is invalid." in html
    assert _names(db, tenants.acme) == {"Reporting": "#7AA2F7", "Design": "#ABDEE6"}
    assert existing.id is not None


def test_people_who_do_not_organise_the_board_are_refused(client, login, db, tenants) -> None:
    category = make_category(db, tenants.pm, tenants.acme, "Reporting")
    login(tenants.acme_collab)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"name": "Mine", "color": "#123456"}).status_code == 403
    assert client.post(f"{URL}/{category.id}/delete").status_code == 403
    board = client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert f'href="{URL}"' not in board
    login(tenants.acme_viewer)
    assert client.post(f"{URL}/{category.id}/delete").status_code == 403
    assert _names(db, tenants.acme) == {"Reporting": "#ABDEE6"}
