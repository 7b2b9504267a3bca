"""A small Stripe for tests and the demo: Checkout Sessions, a hosted page, signed webhooks.

Real HTTP (werkzeug), like tests/fakes/network_controller.py. Stoa talks to it with the real
``stripe`` library (``STRIPE_API_BASE`` pointed here):

- ``POST /v1/checkout/sessions`` (form-encoded, ``Authorization: Bearer <secret key>``) answers
  a ``checkout.session`` whose ``url`` is the fake hosted page on this server;
- ``GET /pay/<session id>`` is the hosted page: the amount, a "Pay" button and a cancel link;
- ``POST /pay/<session id>`` completes the session, posts a ``checkout.session.completed``
  event signed like Stripe's (``Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")``)
  to ``webhook_url`` and redirects the browser to the session's ``success_url``.

Tests may also ``send_event`` (or ``replay``) by hand. Run it alone for the demo:
``python -m tests.fakes.stripe --port 8765 --webhook-url http://127.0.0.1:5000/webhooks/stripe``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
from typing import Any

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SECRET_KEY = "sk_test_fake_stoa"
WEBHOOK_SECRET = "whsec_fake_stoa"
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                "vnd", "vuv", "xaf", "xof", "xpf"}  # fmt: skip
# Stripe's special case: ISK stays two-decimal in the API (100 = 1 króna), whole krónur only
WHOLE_HUNDREDS = {"isk"}
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _nested(form: dict[str, str]) -> dict[str, Any]:
    """``line_items[0][price_data][unit_amount]=5`` -> nested dicts (lists keep dict form)."""
    out: dict[str, Any] = {}
    for key, value in form.items():
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=int)]
    return list(value or [])


class FakeStripe:
    def __init__(
        self,
        *,
        secret_key: str = SECRET_KEY,
        webhook_secret: str = WEBHOOK_SECRET,
        webhook_url: str = "",
        port: int = 0,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.sessions: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.deliveries: list[int] = []  # the webhook's answers, in order
        self.requests: list[str] = []
        self.server = make_server("127.0.0.1", port, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._stopped = threading.Event()

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FakeStripe:
        return self.__enter__()

    def stop(self) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.server.shutdown()
            self.server.server_close()

    # Stripe's side of a payment --------------------------------------------------------------

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        sid = f"cs_test_{secrets.token_hex(12)}"
        items = _items(params.get("line_items"))
        currency = ""
        total = 0
        for item in items:
            price = item.get("price_data") or {}
            currency = str(price.get("currency", currency))
            unit = int(price.get("unit_amount", 0))
            if currency in THREE_DECIMAL and unit % 10:
                # Stripe: a three-decimal currency's amount must end in 0 (rounded to a ten)
                raise ValueError(f"Invalid {currency} amount: it must be divisible by 10.")
            if currency in WHOLE_HUNDREDS and unit % 100:
                raise ValueError(f"Invalid {currency} amount: it must be divisible by 100.")
            total += unit * int(item.get("quantity", 1))
        success = str(params.get("success_url", "")).replace("{CHECKOUT_SESSION_ID}", sid)
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "amount_total": total,
            "amount_subtotal": total,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "success_url": success,
            "cancel_url": params.get("cancel_url", ""),
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "created": int(time.time()),
            "livemode": False,
            "url": f"{self.url}/pay/{sid}",
            "_names": [
                str((i.get("price_data") or {}).get("product_data", {}).get("name", ""))
                for i in items
            ],  # fmt: skip
        }
        self.sessions[sid] = session
        return session

    def complete(self, sid: str) -> dict[str, Any]:
        """Pay the session and send its signed ``checkout.session.completed`` event."""
        session = self.sessions[sid]
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent=session["payment_intent"] or f"pi_{secrets.token_hex(12)}",
        )
        public = {k: v for k, v in session.items() if not k.startswith("_")}
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": "checkout.session.completed",
            "data": {"object": public},
        }
        self.events.append(event)
        if self.webhook_url:
            self.send_event(event)
        return event

    def signed(self, event: dict[str, Any], secret: str | None = None) -> tuple[bytes, str]:
        """The body and ``Stripe-Signature`` header Stripe would send for ``event``."""
        payload = json.dumps(event).encode()
        return payload, sign_payload(payload, secret or self.webhook_secret)

    def send_event(
        self, event: dict[str, Any], *, secret: str | None = None, url: str | None = None
    ) -> requests.Response:
        """POST ``event`` to the webhook signed with ``secret`` (the configured one)."""
        payload, header = self.signed(event, secret)
        resp = requests.post(
            url or self.webhook_url,
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            timeout=10,
        )
        self.deliveries.append(resp.status_code)
        return resp

    def replay(self, event: dict[str, Any]) -> requests.Response:
        """Deliver the same event again (Stripe retries; an attacker replays)."""
        return self.send_event(event)

    # HTTP ------------------------------------------------------------------------------------

    def _json(self, data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> Response:
        return self._json({"error": {"type": kind, "message": message}}, status)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.path}")
        return self._route(request)(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/v1/"):
            if request.headers.get("Authorization") != f"Bearer {self.secret_key}":
                return self._error(401, "Invalid API Key provided.", "authentication_error")
            if path == "/v1/checkout/sessions" and request.method == "POST":
                try:
                    session = self.create_session(_nested(request.form.to_dict()))
                except ValueError as exc:
                    return self._error(400, str(exc))
                return self._json({k: v for k, v in session.items() if not k.startswith("_")})
            match = re.fullmatch(r"/v1/checkout/sessions/(cs_test_\w+)", path)
            if match and match.group(1) in self.sessions:
                session = self.sessions[match.group(1)]
                return self._json({k: v for k, v in session.items() if not k.startswith("_")})
            return self._error(404, f"Unrecognized request URL ({request.method}: {path}).")
        match = re.fullmatch(r"/pay/(cs_test_\w+)", path)
        if match and match.group(1) in self.sessions:
            sid = match.group(1)
            if request.method == "POST":
                if self.sessions[sid]["status"] == "open":
                    self.complete(sid)
                return Response(status=303, headers={"Location": self.sessions[sid]["success_url"]})
            return Response(self._page(self.sessions[sid]), mimetype="text/html")
        return Response("not found", status=404, mimetype="text/plain")

    def _page(self, session: dict[str, Any]) -> str:
        currency = str(session["currency"])
        digits = 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2
        amount = f"{session['amount_total'] / 10**digits:,.{digits}f} {currency.upper()}"
        names = ", ".join(html.escape(n) for n in session["_names"] if n)
        if session["status"] != "open":
            action = "<p>This session is already paid.</p>"
        else:
            action = (
                "<p>Card 4242 4242 4242 4242 (test)</p>"
                f'<form method="post" action="/pay/{session["id"]}">'
                '<button type="submit" id="pay">Pay</button></form>'
            )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Fake Stripe Checkout</title><link rel="icon" href="data:,">
<style>body{{font-family:system-ui,sans-serif;background:#f6f9fc;margin:0;padding:2rem 1rem}}
main{{max-width:26rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem;
box-shadow:0 2px 12px rgba(0,0,0,.08)}}h1{{font-size:1rem;color:#635bff;margin:0 0 1rem}}
.amount{{font-size:2rem;font-weight:700;margin:.25rem 0 1rem}}button{{width:100%;padding:.8rem;
border:0;border-radius:8px;background:#635bff;color:#fff;font-size:1rem;cursor:pointer}}
p{{color:#425466}}a{{color:#635bff}}</style></head>
<body><main><h1>Fake Stripe · test mode</h1><p>{names}</p>
<p class="amount" id="amount">{amount}</p>
{action}
<p><a href="{html.escape(str(session["cancel_url"]))}" id="cancel">Cancel and go back</a></p>
</main></body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Stripe for Stoa's demo")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:5000/webhooks/stripe")
    args = parser.parse_args()
    fake = FakeStripe(port=args.port, webhook_url=args.webhook_url)
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
