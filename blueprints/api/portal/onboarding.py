"""/api/portal: the success questionnaire, QBRs and onboarding progress (reference 000)."""

from __future__ import annotations

from typing import Any

from blueprints.api import WORKER_SECURITY, api_blueprint
from blueprints.api.auth import require_client
from blueprints.api.portal.onboarding_schemas import (
    OnboardingOut,
    QbrsOut,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnaireSavedOut,
    onboarding_out,
    profile_out,
    qbr_out,
)
from portal.db import get_session
from services.onboarding import onboarding_for
from services.onboarding.profile import profile_of, submit_profile
from services.onboarding.qbrs import qbrs_for

bp = api_blueprint(
    "api_worker_onboarding",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: client success",
    description="The success profile questionnaire and goals, presented quarterly reviews and "
    "onboarding progress (reference 000).",
    security=WORKER_SECURITY,
)


def _company_id() -> tuple[Any, int]:
    actor = require_client()
    assert actor.company_id is not None
    return actor, actor.company_id


@bp.get("/questionnaire", summary="Get questionnaire", responses={200: QuestionnaireOut})
def worker_questionnaire() -> dict[str, Any]:
    """The client's success profile questionnaire responses and goals (null before the first)."""
    actor, company_id = _company_id()
    profile, goals = profile_of(get_session(), actor=actor, company_id=company_id)
    return profile_out(profile, goals)


@bp.post("/questionnaire", summary="Submit questionnaire", responses={200: QuestionnaireSavedOut})
def worker_submit_questionnaire(body: QuestionnaireIn) -> dict[str, Any]:
    """Submits or updates the success profile; ``goals`` (when sent) replace the client's goals
    and those naming a Results metric set its target. The assigned managers are notified on
    the first completion. Role required: collaborator or admin."""
    actor, company_id = _company_id()
    submit_profile(session=get_session(), actor=actor, company_id=company_id, data=body)
    return {"ok": True}


@bp.get("/qbrs", summary="List QBRs", responses={200: QbrsOut})
def worker_qbrs() -> dict[str, Any]:
    """Presented quarterly reviews, newest first; internal sections are left out."""
    actor, company_id = _company_id()
    return {
        "qbrs": [qbr_out(v) for v in qbrs_for(get_session(), actor=actor, company_id=company_id)]
    }


@bp.get("/onboarding", summary="Get onboarding progress", responses={200: OnboardingOut})
def worker_onboarding() -> dict[str, Any]:
    """The client's onboarding template, stages, milestones and progress (empty before it
    starts)."""
    actor, company_id = _company_id()
    return onboarding_out(onboarding_for(get_session(), actor=actor, company_id=company_id))
