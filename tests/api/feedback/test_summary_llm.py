"""The feedback summary worded by the optional chat model (the one Results Ask uses), by
configuration: off by default; any failure keeps the deterministic summary with a quiet note;
a tenant's feedback never reaches another tenant's prompt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import bearer
from tests.factories.feedback import make_entry, make_widget
from tests.fakes.chat_model import FakeChatModel, point_llm_at

URL = "/api/v1/feedback/summarize"


@pytest.fixture
def chat_model() -> Iterator[FakeChatModel]:
    with FakeChatModel(reply="Clients love the dashboard but find checkout confusing.") as fake:
        yield fake


def _configure(app, monkeypatch, chat_model, *, summary_on: bool) -> None:
    point_llm_at(app, monkeypatch, chat_model, feedback_llm_summary=summary_on)


@pytest.fixture
def board(db, tenants, make_key):
    shop = make_widget(db, tenants.staff_admin, tenants.acme, "Shop")
    make_entry(db, tenants.acme, shop, "Love the new dashboard, great and fast", "praise")
    make_entry(db, tenants.acme, shop, "Checkout button is confusing and hard to find", "bug")
    globex = make_widget(db, tenants.staff_admin, tenants.globex, "Globex shop")
    make_entry(db, tenants.globex, globex, "Globex wants the zeppelin export", "idea")
    return {"acme": bearer(make_key(tenants.acme)), "globex": bearer(make_key(tenants.globex))}


def test_off_by_default_even_with_a_model_configured(app, client, monkeypatch, chat_model, board):
    _configure(app, monkeypatch, chat_model, summary_on=False)
    data = client.post(URL, json={}, headers=board["acme"]).get_json()["data"]
    assert data["engine"] == "offline" and data["note"] is None
    assert chat_model.requests == []


def test_the_model_words_the_summary_from_this_tenants_feedback_only(
    app, client, monkeypatch, chat_model, board
):
    _configure(app, monkeypatch, chat_model, summary_on=True)
    data = client.post(URL, json={}, headers=board["acme"]).get_json()["data"]
    assert data["summary"] == "Clients love the dashboard but find checkout confusing."
    assert data["engine"] == "fake-gpt" and data["note"] is None
    assert data["total"] == 2 and data["by_type"] == {"praise": 1, "bug": 1}
    [sent] = chat_model.requests
    assert "Checkout button is confusing" in sent.prompt
    assert "zeppelin" not in sent.prompt.lower() and "globex" not in sent.prompt.lower()
    assert sent.headers["Authorization"] == f"Bearer {chat_model.key}"

    globex = client.post(URL, json={}, headers=board["globex"]).get_json()["data"]
    assert globex["total"] == 1
    assert "zeppelin" in chat_model.requests[1].prompt
    assert "checkout" not in chat_model.requests[1].prompt.lower()
    assert "dashboard" not in chat_model.requests[1].prompt.lower()


def _offline(client, board) -> dict:
    return client.post(URL, json={}, headers=board["acme"]).get_json()["data"]


@pytest.mark.parametrize("failure", ["down", "error", "garbage", "empty", "slow"])
def test_any_failure_keeps_the_deterministic_summary_with_a_note(
    app, client, monkeypatch, chat_model, board, caplog, failure
):
    expected = _offline(client, board)  # the switch is off: the deterministic summary
    _configure(app, monkeypatch, chat_model, summary_on=True)
    if failure == "down":
        chat_model.stop()
    elif failure == "error":
        chat_model.fail_next(status=503)
    elif failure == "garbage":
        chat_model.garbage_next("<html>not json</html>")
    elif failure == "empty":
        chat_model.garbage_next('{"choices": [{"message": {"content": "  "}}]}')
    else:
        chat_model.hang = True
    resp = client.post(URL, json={}, headers=board["acme"])
    assert resp.status_code == 200
    data = resp.get_json()["data"]
    assert data["summary"] == expected["summary"] and data["engine"] == "offline"
    assert data["note"] and "assistant" in data["note"].lower()
    assert chat_model.key not in caplog.text and chat_model.key not in resp.get_data(as_text=True)


def test_nothing_to_summarise_asks_no_model(app, client, monkeypatch, chat_model, board):
    _configure(app, monkeypatch, chat_model, summary_on=True)
    resp = client.post(URL, json={"keyword": "nothing-says-this"}, headers=board["acme"])
    data = resp.get_json()["data"]
    assert data["total"] == 0 and data["engine"] == "offline" and data["note"] is None
    assert chat_model.requests == []
