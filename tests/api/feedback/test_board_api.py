"""The board's structure and raw feedback through the API in reference 002's shapes: portal,
tabs, sections, widgets, feedback (+ summarize) and the product vision."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_envelope, bearer, portal_of
from tests.factories.feedback import make_entry, make_post, make_widget


@pytest.fixture
def keys(make_key, tenants):
    return {
        "acme": bearer(make_key(tenants.acme)),
        "globex": bearer(make_key(tenants.globex)),
        "agency": bearer(make_key()),
        "read_only": bearer(make_key(tenants.acme, scopes=["feedback:read"])),
    }


def test_portal_and_tabs(client, db, tenants, keys) -> None:
    portal = client.get("/api/v1/portal", headers=keys["acme"]).get_json()["data"]
    assert portal["id"] == portal_of(db, tenants.acme).id and portal["localization"] == "en"
    assert assert_envelope(client.get("/api/v1/portal", headers=keys["agency"]), 422)["errors"][
        "portal_id"
    ]
    tabs = client.get("/api/v1/tabs", headers=keys["read_only"]).get_json()["data"]
    assert [t["slug"] for t in tabs] == ["wishlist", "roadmap", "changelog"]
    assert tabs[1]["name"] == "Roadmap"
    assert client.get("/api/v1/tabs/roadmap", headers=keys["acme"]).get_json()["data"]["name"] == (
        "Roadmap"
    )
    assert_envelope(client.get("/api/v1/tabs/general", headers=keys["acme"]), 404)


def test_sections_nest_order_and_validate(client, db, tenants, keys) -> None:
    acme_portal = portal_of(db, tenants.acme).id
    make = lambda **body: client.post(  # noqa: E731
        "/api/v1/sections", json={"portal_id": acme_portal, **body}, headers=keys["agency"]
    )
    first = make(title="In progress", tab_id="roadmap").get_json()["data"]
    third = make(title="Later", tab_id="roadmap").get_json()["data"]
    second = make(title="Next", tab_id="roadmap", after_id=first["id"]).get_json()["data"]
    child = make(title="This week", tab_id="roadmap", parent_id=first["id"]).get_json()["data"]
    assert child["parent_id"] == first["id"]
    listed = client.get("/api/v1/sections?tab=roadmap", headers=keys["acme"]).get_json()["data"]
    top = [s["title"] for s in listed if s["parent_id"] is None]
    assert top == ["In progress", "Next", "Later"], top
    assert second["order"] == first["order"] + 1 and third["id"] != second["id"]
    children = client.get(f"/api/v1/sections/{first['id']}/children", headers=keys["acme"])
    assert [s["title"] for s in children.get_json()["data"]] == ["This week"]

    taken = make(title="Later", tab_id="roadmap")
    assert assert_envelope(taken, 422)["errors"]["title"] == ["The title has already been taken."]
    short = make(title="x", color="red")
    errors = assert_envelope(short, 422)["errors"]
    assert errors["title"] == ["The title must be at least 2 characters."] and errors["color"]
    cycle = client.put(
        f"/api/v1/sections/{first['id']}",
        json={"title": "In progress", "parent_id": child["id"]},
        headers=keys["agency"],
    )
    assert assert_envelope(cycle, 422)["errors"]["parent_id"]
    blank = client.put(
        f"/api/v1/sections/{first['id']}", json={"title": ""}, headers=keys["agency"]
    )
    assert assert_envelope(blank, 422)["errors"]["title"] == ["The title must be given."]

    hidden = client.put(
        f"/api/v1/sections/{third['id']}",
        json={"title": "Later", "is_hidden_for_users": True},
        headers=keys["agency"],
    )
    assert hidden.get_json()["data"]["is_hidden_for_users"] is True
    seen = client.get("/api/v1/sections", headers=keys["acme"]).get_json()["data"]
    assert "Later" not in [s["title"] for s in seen]  # hidden sections are the agency's
    client_made = client.post("/api/v1/sections", json={"title": "Ours"}, headers=keys["acme"])
    assert_envelope(client_made, 403)
    assert (
        client.delete(f"/api/v1/sections/{first['id']}", headers=keys["agency"]).status_code == 200
    )
    left = client.get("/api/v1/sections", headers=keys["agency"]).get_json()["data"]
    assert [s["title"] for s in left] == ["Next", "Later"]  # the child went with its parent


def test_widgets_are_read_by_the_board_organisers(client, db, tenants, keys) -> None:
    widget = make_widget(db, tenants.staff_admin, tenants.acme, "Shop", ["https://shop.example"])
    listed = client.get("/api/v1/widgets", headers=keys["acme"]).get_json()["data"]
    assert [w["id"] for w in listed] == [widget.key]
    one = client.get(f"/api/v1/widgets/{widget.key}", headers=keys["acme"]).get_json()["data"]
    assert one["name"] == "Shop" and one["type"] == "feedback"
    assert one["allowed_origins"] == ["https://shop.example"]
    assert one["embed_url"].endswith(f"/widget/{widget.key}")
    assert one["script_url"].endswith("/widget/embed.js")
    assert_envelope(client.get(f"/api/v1/widgets/{widget.key}", headers=keys["globex"]), 404)
    assert client.get("/api/v1/widgets", headers=keys["globex"]).get_json()["data"] == []


def test_feedback_entries_crud_and_validation(client, db, tenants, keys) -> None:
    made = client.post(
        "/api/v1/feedback",
        json={"type": "bug", "feedback": "The export is broken and slow."},
        headers=keys["acme"],
    )
    assert made.status_code == 200, made.get_json()
    entry = made.get_json()["data"]
    assert entry["type"] == "bug" and entry["source"] == "api" and entry["widget"] is None
    assert entry["sentiment"] == "negative"
    missing = client.post("/api/v1/feedback", json={"type": "idea"}, headers=keys["acme"])
    assert assert_envelope(missing, 422)["errors"]["feedback"]
    empty = client.post("/api/v1/feedback", json={"feedback": ""}, headers=keys["acme"])
    assert assert_envelope(empty, 422)["errors"]["feedback"] == ["The feedback field is required."]
    odd = client.post(
        "/api/v1/feedback", json={"feedback": "hi", "type": "rant"}, headers=keys["acme"]
    )
    assert assert_envelope(odd, 422)["errors"]["type"]

    updated = client.put(
        f"/api/v1/feedback/{entry['id']}",
        json={"feedback": "Export works great now, thanks!"},
        headers=keys["acme"],
    )
    assert updated.get_json()["data"]["sentiment"] == "positive"
    blank = client.put(
        f"/api/v1/feedback/{entry['id']}", json={"feedback": ""}, headers=keys["acme"]
    )
    assert assert_envelope(blank, 422)["errors"]["feedback"] == [
        "The feedback field must be given."
    ]
    assert_envelope(
        client.put(
            f"/api/v1/feedback/{entry['id']}", json={"feedback": "x"}, headers=keys["globex"]
        ),
        404,
    )
    assert_envelope(client.delete(f"/api/v1/feedback/{entry['id']}", headers=keys["globex"]), 404)
    assert_envelope(
        client.put(
            f"/api/v1/feedback/{entry['id']}", json={"feedback": "x"}, headers=keys["read_only"]
        ),
        403,
    )
    assert [
        e["id"] for e in client.get("/api/v1/feedback", headers=keys["acme"]).get_json()["data"]
    ] == [entry["id"]]
    assert client.get("/api/v1/feedback", headers=keys["globex"]).get_json()["data"] == []
    assert client.delete(f"/api/v1/feedback/{entry['id']}", headers=keys["acme"]).get_json() == {}
    assert client.get("/api/v1/feedback", headers=keys["acme"]).get_json()["data"] == []


def test_summarize_filters_and_is_deterministic(client, db, tenants, keys) -> None:
    shop = make_widget(db, tenants.staff_admin, tenants.acme, "Shop")
    make_entry(db, tenants.acme, shop, "Love the new dashboard, great and fast", "praise")
    make_entry(db, tenants.acme, shop, "Checkout button is confusing and hard to find", "bug")
    make_entry(db, tenants.acme, shop, "The pricing plan is too expensive", "idea")
    make_entry(
        db,
        tenants.globex,
        make_widget(db, tenants.staff_admin, tenants.globex),
        "Globex secret words",
    )

    everything = client.post("/api/v1/feedback/summarize", json={}, headers=keys["acme"])
    first = everything.get_json()["data"]
    assert first["total"] == 3 and first["engine"] == "offline"
    assert first["by_sentiment"] == {"negative": 2, "positive": 1}
    assert "globex" not in first["summary"].lower()
    again = client.post("/api/v1/feedback/summarize", json={}, headers=keys["acme"]).get_json()
    assert again["data"] == first

    usability = client.post(
        "/api/v1/feedback/summarize", json={"focus": "usability"}, headers=keys["acme"]
    )
    assert usability.get_json()["data"]["total"] == 1
    value = client.post(
        "/api/v1/feedback/summarize",
        json={"focus": "value", "widget": shop.key, "source": "widget", "keyword": "PRICING"},
        headers=keys["acme"],
    ).get_json()["data"]
    assert value["total"] == 1 and value["by_type"] == {"idea": 1}
    future = client.post(
        "/api/v1/feedback/summarize",
        json={"created_from": "2999-01-01T00:00:00"},
        headers=keys["acme"],
    ).get_json()["data"]
    assert future["total"] == 0 and future["summary"] == "No feedback matches these filters."
    bad = client.post(
        "/api/v1/feedback/summarize",
        json={"sentiment": "angry", "focus": "speed", "created_to": "yesterday"},
        headers=keys["acme"],
    )
    errors = assert_envelope(bad, 422)["errors"]
    assert {"sentiment", "focus", "created_to"} <= set(errors)


def test_product_vision_crud_and_generate(client, db, tenants, keys) -> None:
    acme_portal = portal_of(db, tenants.acme).id
    assert client.get("/api/v1/product-vision", headers=keys["acme"]).get_json() == {"data": None}
    make_post(db, tenants.acme_collab, tenants.acme, "Dark mode")
    make_post(db, tenants.pm, tenants.acme, "Agency-only draft", is_published=False)
    drafted = client.post(
        "/api/v1/product-vision/generate", json={"portal_id": acme_portal}, headers=keys["agency"]
    )
    assert drafted.status_code == 200, drafted.get_json()
    vision = drafted.get_json()["data"]
    assert "Dark mode" in vision["needs"] and vision["vision"]
    assert "Agency-only draft" not in vision["needs"]  # the client reads the vision
    saved = client.post(
        "/api/v1/product-vision",
        json={"portal_id": acme_portal, "vision": "One place for Acme's work", "needs": "Speed"},
        headers=keys["agency"],
    ).get_json()["data"]
    assert saved["id"] == vision["id"] and saved["needs"] == "Speed" and saved["product"] == ""
    assert client.get("/api/v1/product-vision", headers=keys["acme"]).get_json()["data"][
        "vision"
    ] == ("One place for Acme's work")
    assert client.get("/api/v1/product-vision", headers=keys["globex"]).get_json() == {"data": None}
    refused = client.post("/api/v1/product-vision", json={"vision": "Ours"}, headers=keys["acme"])
    assert_envelope(refused, 403)
    invalid = client.post(
        "/api/v1/product-vision",
        json={"portal_id": acme_portal, "vision": ""},
        headers=keys["agency"],
    )
    assert assert_envelope(invalid, 422)["errors"]["vision"] == ["The vision field is required."]
    gone = client.delete(f"/api/v1/product-vision?portal_id={acme_portal}", headers=keys["agency"])
    assert gone.status_code == 200 and gone.get_json() == {}
    again = client.delete(f"/api/v1/product-vision?portal_id={acme_portal}", headers=keys["agency"])
    assert_envelope(again, 404)
