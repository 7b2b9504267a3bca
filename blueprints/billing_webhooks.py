"""Stripe's webhook (``POST /webhooks/stripe``): the only way an online payment is recorded.

No session, no CSRF token: the request proves itself with Stripe's signature, checked by the
service (a bad one is a 400 and changes nothing).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from portal.db import get_session
from portal.extensions import csrf
from services.billing import checkout

bp = Blueprint("billing_webhooks", __name__)
csrf.exempt(bp)


@bp.post("/webhooks/stripe")
def stripe_webhook() -> Response:
    payment = checkout.handle_webhook(
        get_session(),
        payload=request.get_data(cache=False),
        signature=request.headers.get("Stripe-Signature", ""),
    )
    return jsonify({"received": True, "recorded": payment is not None})
