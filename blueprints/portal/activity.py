"""Activity feed of a portal (not a tab: linked from the notes page and the dashboard)."""

from __future__ import annotations

import math

from flask import Response, request

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.models.activity import Action
from portal.principal import current_actor
from portal.web.htmx import render_page
from services.events.activity import activity_people, list_activity

FILTER_ACTIONS = {a.value: a.label for a in Action if a.filterable}
LABELS = {a.value: a.label for a in Action}

bp = portal_blueprint("activity", __name__)
PER_PAGE = 25


@bp.get("/activity")
def index() -> Response:
    ctx = portal_ctx()
    session = get_session()
    actor = current_actor()
    action = request.args.get("action", "")
    action = action if action in FILTER_ACTIONS else ""
    person_raw = request.args.get("person", "")
    person = int(person_raw) if person_raw.isdigit() else None
    page_raw = request.args.get("page", "1")
    page = max(1, int(page_raw)) if page_raw.isdigit() else 1
    rows, total = list_activity(
        session,
        actor=actor,
        company_ids=ctx.group_company_ids,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        action=action or None,
        actor_id=person,
    )
    return render_page(
        "activity/index.html",
        ctx=ctx,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PER_PAGE)),
        action=action,
        person=person,
        actions=FILTER_ACTIONS,
        labels=LABELS,
        people=activity_people(session, actor=actor, company_ids=ctx.group_company_ids),
        active_tab="activity",
        page_title="Activity",
    )
