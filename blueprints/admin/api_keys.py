"""Staff page for API keys: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.models.integration import ALL_SCOPES, ApiKeyCreate
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.htmx import hx_redirect, render_page
from services.accounts.tokens import MANAGE_KEYS, api_keys_page, issue_api_key, revoke_api_key

bp = staff_blueprint("api_keys", __name__, node=MANAGE_KEYS)

BLANK_FORM = {"name": "", "company_id": "", "scopes": list(ALL_SCOPES)}


def _page(status: int = 200, *, page: int = 1, **extra: Any) -> Response:
    context: dict[str, Any] = {"form": BLANK_FORM, "errors": {}, "new_secret": None, **extra}
    view = api_keys_page(get_session(), actor=current_actor(), page=page)
    return render_page("admin/api_keys.html", status=status, view=view, **context)


@bp.get("/")
def index() -> Response:
    return _page(page=page_arg(request.args))


@bp.post("/")
def create() -> Response:
    submitted = form_data(request.form, lists=("scopes",))
    try:
        data = validated(ApiKeyCreate, submitted)
        issued = issue_api_key(get_session(), actor=current_actor(), data=data)
    except Invalid as exc:
        form = {
            "name": submitted.get("name") or "",
            "company_id": (submitted.get("company_id") or "").strip(),
            "scopes": [s for s in submitted["scopes"] if s in ALL_SCOPES],
        }
        return _page(422, form=form, errors=exc.errors)
    # The secret exists only in this response: it is shown once and never stored in clear.
    return _page(201, new_secret=issued.secret, new_key=issued.key)


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int) -> Response:
    revoke_api_key(get_session(), actor=current_actor(), key_id=key_id)
    return hx_redirect(url_for("api_keys.index"))
