"""@mention suggestions: only people who can see the portal, tenant-scoped, bounded queries."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal.models import Notification
from tests.conftest import assert_both_ways

URL = "/p/acme-test/mentions"


def _options(html: str) -> list[tuple[str, str]]:
    """(token, visible name) of each option."""
    return re.findall(
        r'role="option"[^>]*data-token="([^"]+)"[^>]*>.*?class="mention-name">([^<]+)<', html
    )


@pytest.fixture
def people(tenants, make_user):
    tenants.dana = make_user(tenants.acme, "viewer", name="Dana Dawson", email="dana@acme.test")
    tenants.globex_dan = make_user(tenants.globex, "admin", name="Dan Globex")
    tenants.staff_dan = make_user(staff="pm", assign=[tenants.globex], name="Daniel Other")
    tenants.pm.name = "Darius PM"
    return tenants


def test_suggests_the_people_who_can_see_the_portal(client, login, people) -> None:
    login(people.acme_collab)
    full, part = assert_both_ways(client, f"{URL}?q=da")
    names = [name for _, name in _options(part)]
    # Dana (Acme) and the PM assigned to Acme; never Globex's Dan, nor staff not on Acme
    assert "Dana Dawson" in names and "Darius PM" in names
    assert "Dan Globex" not in names and "Daniel Other" not in names
    assert ("Dana.Dawson", "Dana Dawson") in _options(part)


def test_a_globex_user_never_sees_acme_people(client, login, people) -> None:
    login(people.globex_admin)
    names = [n for _, n in _options(client.get("/p/globex-test/mentions?q=da").get_data(True))]
    assert "Dan Globex" in names and "Dana Dawson" not in names and "Darius PM" not in names
    assert client.get(f"{URL}?q=da").status_code == 404  # a foreign portal does not exist


def test_internal_notes_suggest_staff_only(client, login, people) -> None:
    login(people.pm)
    names = [n for _, n in _options(client.get(f"{URL}?q=da&internal=1").get_data(True))]
    assert names == ["Darius PM"]
    login(people.acme_collab)  # a client cannot ask for the staff-only list
    names = [n for _, n in _options(client.get(f"{URL}?q=da&internal=1").get_data(True))]
    assert "Dana Dawson" in names


def test_bad_or_empty_queries_are_harmless(client, login, people) -> None:
    login(people.acme_viewer)
    for query in ("", "?q=", "?q=%ff", "?q=" + "x" * 5000, "?q=zzzz&for=<script>"):
        resp = client.get(URL + query, headers={"HX-Request": "true"})
        assert resp.status_code == 200 and "<script>" not in resp.get_data(as_text=True)
        assert _options(resp.get_data(as_text=True)) == []
    assert client.get(URL + "?q=%00").status_code == 400  # as everywhere: a NUL is refused


def test_an_ambiguous_name_is_inserted_as_the_email(client, login, people, make_user) -> None:
    make_user(people.acme, "viewer", name="Dana Dawson", email="dana2@acme.test")
    login(people.acme_collab)
    tokens = [t for t, _ in _options(client.get(f"{URL}?q=dawson").get_data(True))]
    assert sorted(tokens) == ["dana2@acme.test", "dana@acme.test"]


def test_the_inserted_token_notifies_that_person(client, login, people, db) -> None:
    login(people.acme_collab)
    ((token, _),) = _options(client.get(f"{URL}?q=dawson").get_data(True))
    resp = client.post(
        "/p/acme-test/notes",
        data={
            "resource_type": "project",
            "resource_id": people.acme_project.id,
            "body": f"Thanks @{token} for the copy",
        },  # fmt: skip
    )
    assert resp.status_code in (200, 303)
    got = db.exec(select(Notification).where(Notification.user_id == people.dana.id)).all()
    assert [n.type for n in got] == ["note_mention"]


def test_query_count_does_not_grow_with_the_people(
    client, login, people, make_user, count_queries
) -> None:
    login(people.acme_collab)
    client.get(f"{URL}?q=da")
    with count_queries() as few:
        assert client.get(f"{URL}?q=da").status_code == 200
    for i in range(20):
        make_user(people.acme, "viewer", name=f"Dave {i}")
        make_user(staff="pm", assign=[people.acme], name=f"Davina {i}")
    with count_queries() as many:
        assert client.get(f"{URL}?q=da").status_code == 200
    assert few.count == many.count <= 14, "\n".join(many.statements)
