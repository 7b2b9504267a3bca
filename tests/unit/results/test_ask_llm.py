"""Ask with an optional model: the model words the answer from the asking company's numbers
only, with the same citations; a failing, slow or nonsensical model falls back to the direct
answer with a note; without configuration Ask is exactly the deterministic answerer."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest

from portal.config import ConfigError, load_settings
from services.results.ask import FALLBACK_NOTE, ask, deterministic_answer
from services.results.llm import SYSTEM_PROMPT, ChatModel, model_config
from services.results.metrics import format_value, period_for, results_for
from tests.factories import actor_of
from tests.factories.results import enable_results, make_connection

TODAY = date(2026, 4, 20)
QUESTION = "How did revenue change this year?"


@pytest.fixture
def acme(db, tenants):
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=30, end=TODAY)
    make_connection(db, tenants.acme, days=30, end=TODAY)
    return tenants


def ask_as(db, tenants, question: str = QUESTION):
    return ask(
        session=db,
        actor=actor_of(db, tenants.acme_viewer),
        company_id=tenants.acme.id,
        company_ids=[tenants.acme.id],
        question=question,
        today=TODAY,
    )


def direct(db, tenants, question: str = QUESTION):
    from services.results import list_connections

    return deterministic_answer(
        db,
        company_id=tenants.acme.id,
        company_ids=[tenants.acme.id],
        connections=list_connections(
            db, actor=actor_of(db, tenants.acme_viewer), company_id=tenants.acme.id
        ),
        question=question,
        today=TODAY,
    )


def test_the_model_words_the_answer_from_the_cited_numbers(db, acme, ask_llm) -> None:
    reply = ask_as(db, acme)
    expected = direct(db, acme)
    assert reply.written_by == "fake-gpt" and reply.note is None
    assert reply.citations == expected.citations and reply.citations
    revenue = reply.citations[0]
    assert reply.text == f"From the numbers: {revenue.label}: {revenue.value}."
    [sent] = ask_llm.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["Authorization"] == f"Bearer {ask_llm.key}"
    assert sent.body["model"] == "fake-gpt"
    system, user = sent.body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert "only" in SYSTEM_PROMPT.lower()
    assert user["content"].startswith(f"Question: {QUESTION}")
    for c in expected.citations:
        assert f"- {c.label}: {c.value}" in user["content"]


@pytest.mark.parametrize("status", [500, 503, 401, 429])
def test_a_failing_model_falls_back_to_the_direct_answer(db, acme, ask_llm, status, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ask_llm.fail_next(status=status)
    reply = ask_as(db, acme)
    assert reply.text == direct(db, acme).text
    assert reply.written_by is None and reply.note == FALLBACK_NOTE
    assert len(ask_llm.requests) == 1  # one call, no retry doubling the wait
    assert ask_llm.key not in caplog.text and "model gave no answer" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        "<html>gateway</html>",
        '{"choices": []}',
        '{"choices": [{"message": {"content": "   "}, "finish_reason": "stop"}]}',
        '{"choices": [{"message": {"content": "Revenue is"}, "finish_reason": "length"}]}',
        '{"error": "something"}',
        '{"choices": [{"message": {"content": "' + "blah " * 400 + '"}}]}',
    ],
)
def test_a_nonsensical_answer_falls_back(db, acme, ask_llm, body) -> None:
    ask_llm.garbage_next(body)
    reply = ask_as(db, acme)
    assert reply.text == direct(db, acme).text and reply.note == FALLBACK_NOTE


def test_a_slow_model_is_abandoned_at_the_timeout(db, acme, ask_llm) -> None:
    ask_llm.hang = True
    started = time.monotonic()
    reply = ask_as(db, acme)
    assert reply.text == direct(db, acme).text and reply.note == FALLBACK_NOTE
    # the configured timeout is 0.5 s; the model would hang for 30 s
    assert time.monotonic() - started < 10


def test_an_unreachable_model_falls_back(db, acme, ask_llm) -> None:
    ask_llm.stop()
    reply = ask_as(db, acme)
    assert reply.text == direct(db, acme).text and reply.note == FALLBACK_NOTE


def test_without_configuration_ask_is_the_deterministic_answer(db, acme, chat_model) -> None:
    reply = ask_as(db, acme)
    assert reply == direct(db, acme)
    assert reply.written_by is None and reply.note is None
    assert reply.text.startswith("Revenue for 2026 (to 20 Apr 2026) is $")
    assert chat_model.requests == []


def test_nothing_to_cite_means_no_model_call(db, tenants, ask_llm) -> None:
    enable_results(db, tenants.acme)  # no connections: no numbers
    reply = ask_as(db, tenants)
    assert reply.text.startswith("There are no connected platforms")
    assert reply.written_by is None and ask_llm.requests == []


def test_the_prompt_holds_only_the_asking_companys_numbers(db, acme, ask_llm) -> None:
    # Globex has a whole year of the same platforms: its totals differ from Acme's 30 days
    enable_results(db, acme.globex)
    make_connection(db, acme.globex, "shopify", days=110, end=TODAY)
    make_connection(db, acme.globex, days=110, end=TODAY)
    period = period_for("year", TODAY)
    theirs = results_for(
        db,
        company_id=acme.globex.id,
        company_ids=[acme.globex.id],
        period=period,
        connections=[],
    )
    ours = results_for(
        db, company_id=acme.acme.id, company_ids=[acme.acme.id], period=period, connections=[]
    )
    for question in (QUESTION, "What were the totals this year?", "Best campaign by ROAS?"):
        ask_as(db, acme, question)
    prompts = "\n".join(r.prompt for r in ask_llm.requests)
    assert len(ask_llm.requests) == 3
    for key in ("revenue", "orders", "ad_spend", "conversions"):
        mine, other = ours.metric(key), theirs.metric(key)
        assert mine is not None and other is not None and mine.value != other.value
        assert format_value(mine.metric, mine.value, "USD") in prompts
        assert format_value(other.metric, other.value, "USD") not in prompts
    assert acme.globex.name not in prompts and acme.globex.slug not in prompts


def test_settings_read_the_model_and_never_show_the_key(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ASK_LLM_URL", "https://llm.example")
    monkeypatch.setenv("ASK_LLM_KEY", "sk-very-secret")
    monkeypatch.setenv("ASK_LLM_MODEL", "gpt-test")
    monkeypatch.setenv("ASK_LLM_TIMEOUT", "4")
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert (settings.ask_llm_url, settings.ask_llm_model, settings.ask_llm_timeout) == (
        "https://llm.example",
        "gpt-test",
        4.0,
    )
    assert settings.ask_llm_key == "sk-very-secret" and "sk-very-secret" not in repr(settings)
    config = model_config(settings)
    assert config is not None and "sk-very-secret" not in repr(config)
    assert "sk-very-secret" not in repr(ChatModel(config))
    monkeypatch.setenv("ASK_LLM_TIMEOUT", "soon")
    with pytest.raises(ConfigError):
        load_settings({"INSTANCE_PATH": str(tmp_path)})
    for name in ("ASK_LLM_URL", "ASK_LLM_KEY", "ASK_LLM_MODEL", "ASK_LLM_TIMEOUT"):
        monkeypatch.delenv(name)
    assert model_config(load_settings({"INSTANCE_PATH": str(tmp_path)})) is None
