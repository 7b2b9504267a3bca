"""What Ask sends the shared chat model (:mod:`services.llm`): the question and the numbers.

The model only *words* an answer: it is sent the question and the numbers the deterministic
answerer already computed for the asking company (nothing else, never another company's
data), with a system prompt to answer from those numbers only. Any :class:`ModelError` leaves
the caller with the deterministic answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.llm import ChatModel as _ChatModel
from services.llm import (
    ModelConfig,
    ModelError,
    ModelRejected,
    ModelUnavailable,
    model_config,
)

__all__ = [
    "SYSTEM_PROMPT",
    "ChatModel",
    "ModelConfig",
    "ModelError",
    "ModelRejected",
    "ModelUnavailable",
    "model_config",
    "user_prompt",
]

MAX_ANSWER = 1200  # characters; a longer reply is not an answer to a one-line question
MAX_TOKENS = 300

SYSTEM_PROMPT = (
    "You answer a client's question about their marketing and sales results. "
    "Answer ONLY from the numbers listed under 'Numbers'; they are the only facts you have. "
    "Do not invent, estimate or recalculate other numbers, and do not use outside knowledge. "
    "Quote numbers exactly as written. If the numbers do not answer the question, say so "
    "plainly. Reply in one to three short sentences of plain text, without markdown."
)


def user_prompt(question: str, facts: Sequence[tuple[str, str]]) -> str:
    lines = "\n".join(f"- {label}: {value}" for label, value in facts)
    return f"Question: {question}\n\nNumbers:\n{lines}"


class ChatModel(_ChatModel):
    """The shared chat model, asked Ask's question."""

    def complete(self, question: str, facts: Sequence[tuple[str, str]]) -> str:
        """The model's answer to ``question`` from ``facts`` (label, value) — or a ModelError."""
        return self.chat(
            SYSTEM_PROMPT,
            user_prompt(question, facts),
            max_tokens=MAX_TOKENS,
            max_chars=MAX_ANSWER,
        )
