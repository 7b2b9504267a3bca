"""Staff page for API keys: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from flask import Response, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.web.htmx import hx_redirect, render_page
from services.accounts.people import visible_companies
from services.accounts.tokens import ALL_SCOPES, issue_api_key, list_api_keys, revoke_api_key

bp = staff_blueprint("api_keys", __name__)


def _page(status: int = 200, **extra: object) -> Response:
    session = get_session()
    actor = current_actor()
    keys, total = list_api_keys(session, actor=actor)
    companies = visible_companies(session, actor=actor)
    context = {
        "keys": keys,
        "total": total,
        "companies": companies,
        "all_scopes": ALL_SCOPES,
        "can_agency": actor.sees_all,
        "form": {"name": "", "company_id": "", "scopes": list(ALL_SCOPES)},
        "errors": {},
        "new_secret": None,
        **extra,
    }
    return render_page("admin/api_keys.html", status=status, **context)


@bp.get("/")
def index() -> Response:
    return _page()


@bp.post("/")
def create() -> Response:
    raw_company = request.form.get("company_id", "").strip()
    form = {
        "name": request.form.get("name", ""),
        "company_id": raw_company,
        "scopes": [s for s in request.form.getlist("scopes") if s in ALL_SCOPES],
    }
    try:
        key, secret = issue_api_key(
            get_session(),
            actor=current_actor(),
            name=form["name"],
            company_id=int(raw_company) if raw_company.isdigit() else None,
            scopes=form["scopes"],
        )
    except Invalid as exc:
        return _page(422, form=form, errors=exc.errors)
    # The secret exists only in this response: it is shown once and never stored in clear.
    return _page(201, new_secret=secret, new_key=key)


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int) -> Response:
    revoke_api_key(get_session(), actor=current_actor(), key_id=key_id)
    return hx_redirect(url_for("api_keys.index"))
