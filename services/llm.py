"""The optional chat model: an OpenAI-compatible ``POST {url}/v1/chat/completions``.

One client for every feature that may have a model word something (Results Ask, the feedback
summary). Configured by ``ASK_LLM_URL``, ``ASK_LLM_KEY`` (sent as a bearer token) and
``ASK_LLM_MODEL`` (``ASK_LLM_TIMEOUT`` seconds, 10 by default). Off unless both the URL and the
model are set; each feature also has its own switch and always has a deterministic answer.

Whatever goes wrong — the provider unreachable, slow, failing or answering something unusable
— is a :class:`ModelError`, and the caller keeps its deterministic answer. The transport is the
shared :class:`portal.connectors.HttpConnector` (one call, no retries: a retry would double the
wait); the key lives only in the session's headers, never in a message, log line or ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.config import Settings
from portal.connectors import HttpConnector, UpstreamError, UpstreamRejected, UpstreamUnavailable


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
    """The configured model, or None when only deterministic answers are given."""
    if not (settings.ask_llm_url and settings.ask_llm_model):
        return None
    return ModelConfig(
        url=settings.ask_llm_url,
        model=settings.ask_llm_model,
        key=settings.ask_llm_key,
        timeout=settings.ask_llm_timeout,
    )


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

    def chat(self, system: str, user: str, *, max_tokens: int, max_chars: int) -> str:
        """The model's one reply to ``user`` under ``system`` (whitespace collapsed, at most
        ``max_chars`` characters) — or a ModelError."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        data = self.json(self.request("POST", "/v1/chat/completions", json=body))
        return _content(data, max_chars)


def _content(data: Any, max_chars: int) -> str:
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
    if len(text) > max_chars:
        raise ModelRejected("The assistant's answer was too long.")
    return text
