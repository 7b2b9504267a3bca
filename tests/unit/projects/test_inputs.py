"""The plan and page input families: their rules and messages, written once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.errors import Invalid, NotFound
from portal.models import GoalStatus, Page, PageFormat
from portal.models.base import utcnow
from portal.models.page import MAX_BODY, PageCreate, PageUpdate
from portal.models.planning import DecisionCreate, GoalCreate, GoalStatusUpdate, SummaryCreate
from portal.tenancy import Actor, get_for_actor
from portal.validation import validated


def errors_of(model: type, data: dict) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as caught:
        validated(model, data)
    return caught.value.errors


def test_goal_defaults_and_rules() -> None:
    goal = validated(GoalCreate, {"title": "  Launch  ", "due_on": "2030-01-31"})
    assert goal.title == "Launch" and goal.status is GoalStatus.on_track
    assert goal.due_on == date(2030, 1, 31) and goal.target == ""
    assert validated(GoalCreate, {"title": "x", "due_on": ""}).due_on is None
    assert errors_of(GoalCreate, {}) == {"title": ["Name the goal."]}
    assert errors_of(
        GoalCreate, {"title": "t" * 201, "target": "x" * 301, "status": "", "due_on": "soon"}
    ) == {
        "title": ["Keep the goal under 200 characters."],
        "target": ["Keep the target under 300 characters."],
        "status": ["Choose on track, at risk or done."],
        "due_on": ["Use a date like 2026-03-31."],
    }
    assert validated(GoalStatusUpdate, {"status": "done"}).status is GoalStatus.done
    assert errors_of(GoalStatusUpdate, {"status": "x"}) == {
        "status": ["Choose on track, at risk or done."]
    }


def test_decision_rules() -> None:
    yesterday = date.today() - timedelta(days=1)
    decision = validated(
        DecisionCreate,
        {"title": "Go", "decided_by_id": "7", "decided_on": yesterday.isoformat()},
    )
    assert (decision.decided_by_id, decision.decided_on) == (7, yesterday)
    assert validated(DecisionCreate, {"title": "Go", "decided_by_id": ""}).decided_by_id is None
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert errors_of(
        DecisionCreate,
        {"title": "", "detail": "d" * 5001, "decided_by_id": "me", "decided_on": tomorrow},
    ) == {
        "title": ["Say what was decided."],
        "detail": ["The detail is too long (5,000 characters at most)."],
        "decided_by_id": ["Choose who decided."],
        "decided_on": ["A decision can't be dated in the future."],
    }
    assert "add the rest as detail" in errors_of(DecisionCreate, {"title": "t" * 201})["title"][0]
    assert errors_of(DecisionCreate, {"title": "x\x00"})  # NUL refused (PostgreSQL can't store it)


def test_summary_rules() -> None:
    assert validated(SummaryCreate, {"body": " Fine. "}).body == "Fine."
    assert errors_of(SummaryCreate, {"body": "   "}) == {
        "body": ["Write the summary, or use Regenerate."]
    }
    assert errors_of(SummaryCreate, {"body": "b" * 4001}) == {
        "body": ["Keep the summary under 4,000 characters."]
    }


@pytest.mark.parametrize("model", [PageCreate, PageUpdate])
def test_page_rules(model) -> None:
    page = validated(
        model, {"title": " Guide ", "body": "  code\n", "company_id": "3", "project_id": ""}
    )
    assert (page.title, page.body, page.company_id, page.project_id) == (
        "Guide",
        "  code\n",
        3,
        None,
    )
    assert page.body_format is PageFormat.markdown
    assert errors_of(model, {}) == {
        "title": ["Give the page a title."],
        "company_id": ["Choose a company."],
    }
    assert errors_of(
        model,
        {
            "title": "t" * 201,
            "summary": "s" * 301,
            "body": "b" * (MAX_BODY + 1),
            "body_format": "pdf",
            "company_id": "acme",
            "project_id": "x",
        },
    ) == {
        "title": ["Keep the title under 200 characters."],
        "summary": ["Keep the summary under 300 characters."],
        "body": ["The page is too long (100,000 characters at most)."],
        "body_format": ["Choose markdown or HTML."],
        "company_id": ["Choose a company."],
        "project_id": ["Choose one of this company's projects."],
    }


def test_drafts_are_staff_only_in_the_tenancy_core(db, tenants) -> None:
    draft = Page(company_id=tenants.acme.id, title="Draft", slug="draft")
    published = Page(company_id=tenants.acme.id, title="Out", slug="out", published_at=utcnow())
    db.add_all([draft, published])
    db.flush()
    client = Actor(
        kind="client", company_id=tenants.acme.id, company_ids=frozenset({tenants.acme.id})
    )
    staff = Actor(kind="staff", company_ids=None, nodes=frozenset({"*"}))
    assert get_for_actor(db, Page, published.id, client) is published
    with pytest.raises(NotFound):
        get_for_actor(db, Page, draft.id, client)
    assert get_for_actor(db, Page, draft.id, staff) is draft
