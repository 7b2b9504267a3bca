"""A small OpenAI-compatible chat model for tests, over real HTTP.

``POST /v1/chat/completions`` answers ``reply`` (by default a sentence quoting the first number
of the prompt) as the model named in the request. It records every request (``requests``:
path, headers, JSON body) so a test reads what was sent — the prompt, the bearer key. A test
can make it fail (``fail_next``), answer garbage (``garbage_next``) or hang (``hang``: the
answer waits until the server stops, so the client's timeout is what ends the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.server import FakeServer


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's content, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


class FakeChatModel(FakeServer):
    def __init__(self, *, key: str = "sk-test-fake-key", reply: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.reply = reply
        self.hang = False  # answer only when the fake stops (``stop`` releases it)
        self.garbage: list[str] = []
        self.requests: list[Recorded] = []

    def garbage_next(self, body: str) -> None:
        """The next answer is ``body`` as-is (not JSON, or JSON without a message)."""
        self.garbage.append(body)

    # HTTP -------------------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_json(silent=True) or {}
        self.requests.append(Recorded(request.path, dict(request.headers), body))
        if self.hang:
            self._stopped.wait(30)
        resp = self._route(request, body)
        return resp(environ, start_response)

    def _route(self, request: Request, body: dict[str, Any]) -> Response:
        if self.failures:
            return Response("model overloaded", status=self.failures.pop(0))
        if self.garbage:
            return Response(self.garbage.pop(0), mimetype="application/json")
        if request.path != "/v1/chat/completions" or request.method != "POST":
            return self.json_response({"error": {"message": "Not found"}}, 404)
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return self.json_response({"error": {"message": "Incorrect API key provided"}}, 401)
        messages = body.get("messages") or []
        prompt = str(messages[-1].get("content", "")) if messages else ""
        content = self.reply if self.reply is not None else _default_reply(prompt)
        return self.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 12},
            }
        )


def _default_reply(prompt: str) -> str:
    """'From the numbers: <first number line>.' — a model that quotes what it was given."""
    for line in prompt.splitlines():
        if line.startswith("- "):
            return f"From the numbers: {line[2:]}."
    return "The numbers do not say."


def point_llm_at(app: Any, monkeypatch: Any, fake: FakeChatModel, **settings: Any) -> None:
    """Point the app's LLM settings (``ASK_LLM_*``) at ``fake``, with a short timeout; any further
    settings (e.g. ``feedback_llm_summary=True``) ride along. Undone with the test."""
    from dataclasses import replace

    runtime = app.extensions["stoa_runtime"]
    monkeypatch.setattr(
        runtime,
        "settings",
        replace(
            runtime.settings,
            ask_llm_url=fake.url,
            ask_llm_key=fake.key,
            ask_llm_model="fake-gpt",
            ask_llm_timeout=0.5,
            **settings,
        ),
    )
