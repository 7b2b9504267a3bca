"""The optional model behind Ask: an OpenAI-compatible ``POST {url}/v1/chat/completions``.

Configured by ``ASK_LLM_URL``, ``ASK_LLM_KEY`` (sent as a bearer token) and ``ASK_LLM_MODEL``
(``ASK_LLM_TIMEOUT`` seconds, 10 by default). Off unless both the URL and the model are set.

The model only *words* an answer: it is sent the question and the numbers the deterministic
answerer already computed for the asking company (nothing else, never another company's
data), with a system prompt to answer from those numbers only. Whatever goes wrong — the
provider unreachable, slow, failing or answering something unusable — is a
:class:`ModelError` and the caller keeps the deterministic answer. The transport is the shared
:class:`portal.connectors.HttpConnector` (one call, no retries: a retry would double the wait);
the key lives only in the session's headers, never in a message, log line or ``repr``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.config import Settings
from portal.connectors import HttpConnector, UpstreamError, UpstreamRejected, UpstreamUnavailable

MAX_ANSWER = 1200  # characters; a longer reply is not an answer to a one-line question
MAX_TOKENS = 300

SYSTEM_PROMPT = (
    "You answer a client's question about their marketing and sales results. "
    "Answer ONLY from the numbers listed under 'Numbers'; they are the only facts you have. "
    "Do not invent, estimate or recalculate other numbers, and do not use outside knowledge. "
    "Quote numbers exactly as written. If the numbers do not answer the question, say so "
    "plainly. Reply in one to three short sentences of plain text, without markdown."
)


class ModelError(UpstreamError):
    """The model gave no usable answer (``message`` says why, for a log line)."""


class ModelUnavailable(UpstreamUnavailable, ModelError):
    """Unreachable, too slow or failing."""


class ModelRejected(UpstreamRejected, ModelError):
    """Refused the request or answered something unreadable."""


@dataclass(frozen=True)
class ModelConfig:
    url: str
    model: str
    key: str
    timeout: float

    def __repr__(self) -> str:  # never the key
        return f"<ModelConfig {self.url} {self.model}>"


def model_config(settings: Settings) -> ModelConfig | None:
    """The configured model, or None when Ask uses the deterministic answer only."""
    if not (settings.ask_llm_url and settings.ask_llm_model):
        return None
    return ModelConfig(
        url=settings.ask_llm_url,
        model=settings.ask_llm_model,
        key=settings.ask_llm_key,
        timeout=settings.ask_llm_timeout,
    )


def user_prompt(question: str, facts: Sequence[tuple[str, str]]) -> str:
    lines = "\n".join(f"- {label}: {value}" for label, value in facts)
    return f"Question: {question}\n\nNumbers:\n{lines}"


class ChatModel(HttpConnector):
    """One OpenAI-compatible chat model."""

    label = "The assistant"
    unavailable_error = ModelUnavailable
    rejected_error = ModelRejected

    def __init__(self, config: ModelConfig) -> None:
        headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
        super().__init__(
            config.url,
            headers=headers,
            timeout=(min(3.05, config.timeout), config.timeout),
            retries=0,
        )
        self.model = config.model

    def __repr__(self) -> str:
        return f"<ChatModel {self.base_url} {self.model}>"

    def complete(self, question: str, facts: Sequence[tuple[str, str]]) -> str:
        """The model's answer to ``question`` from ``facts`` (label, value) — or a ModelError."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_prompt(question, facts)},
            ],
            "temperature": 0,
            "max_tokens": MAX_TOKENS,
        }
        data = self.json(self.request("POST", "/v1/chat/completions", json=body))
        return _content(data)


def _content(data: Any) -> str:
    try:
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ModelRejected("The assistant answered without a message.") from None
    if not isinstance(content, str) or not content.strip():
        raise ModelRejected("The assistant answered with an empty message.")
    if choice.get("finish_reason") not in (None, "stop"):
        raise ModelRejected("The assistant's answer was cut off.")
    text = " ".join(content.split())
    if len(text) > MAX_ANSWER:
        raise ModelRejected("The assistant's answer was too long.")
    return text
