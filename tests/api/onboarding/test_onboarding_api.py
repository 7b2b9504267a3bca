"""/api/portal questionnaire, QBRs and onboarding (reference 000 shapes)."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Notification
from portal.models.results import MetricTarget
from tests.api.conftest import assert_envelope, bearer
from tests.factories.onboarding import make_qbr, make_template, start

ANSWERS = {
    "financial_year_start": "April",
    "financial_year_end": "March",
    "key_trading_periods": "Christmas",
    "channel_online_pct": 60,
    "channel_instore_pct": 30,
    "channel_wholesale_pct": 10,
    "celebration_vision": "A million online",
    "growth_priorities_text": "Online first",
    "company_direction_text": "Two new stores",
}


def worker(token: str, company, role: str = "admin") -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role})


def _notified(db, user, type_: str) -> int:
    return len(
        db.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.type == type_)
        ).all()
    )


def test_questionnaire_round_trip_goals_set_targets_and_the_pm_hears_once(
    client, db, tenants, service_token
) -> None:
    h = worker(service_token, tenants.acme, role="collaborator")
    assert client.get("/api/portal/questionnaire", headers=h).get_json() == {"profile": None}
    body = {
        **ANSWERS,
        "goals": [
            {
                "metric": "Online revenue",
                "target": 300000,
                "unit": "USD",
                "period": "quarter",
                "metric_key": "revenue",
                "metric_label": "Online revenue",
            },
            {"metric": "ROAS", "target": "3.5", "period": "month", "metric_key": "roas"},
            {"metric": "Happy staff", "target": 10, "unit": "people", "period": "year"},
        ],
    }
    resp = client.post("/api/portal/questionnaire", headers=h, json=body)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"ok": True}
    profile = client.get("/api/portal/questionnaire", headers=h).get_json()["profile"]
    for key, value in ANSWERS.items():
        assert profile[key] == value
    assert profile["completed_at"]
    goals = profile["goals"]
    assert [g["metric"] for g in goals] == ["Online revenue", "ROAS", "Happy staff"]
    assert goals[0]["target"] == 300000 and goals[0]["period"] == "quarter"
    assert goals[2]["metric_key"] is None and goals[1]["metric_label"] == "Return on ad spend"
    assert all(isinstance(g["id"], str) for g in goals)
    targets = dict(
        db.exec(
            select(MetricTarget.metric, MetricTarget.monthly_value).where(
                MetricTarget.company_id == tenants.acme.id
            )
        ).all()
    )
    # a quarter's $300,000 is $100,000 a month, in cents; a ratio applies as it is (×100)
    assert targets == {"revenue": 100_000_00, "roas": 350}
    assert _notified(db, tenants.pm, "success_profile_completed") == 1
    again = client.post("/api/portal/questionnaire", headers=h, json={**ANSWERS, "goals": []})
    assert again.status_code == 200
    assert _notified(db, tenants.pm, "success_profile_completed") == 1  # first completion only
    assert client.get("/api/portal/questionnaire", headers=h).get_json()["profile"]["goals"] == []


def test_viewers_cannot_answer_and_bad_answers_are_422(client, tenants, service_token) -> None:
    viewer = worker(service_token, tenants.acme, role="viewer")
    assert_envelope(client.post("/api/portal/questionnaire", headers=viewer, json=ANSWERS), 403)
    h = worker(service_token, tenants.acme, role="admin")
    for bad in (
        {"channel_online_pct": 150},
        {"channel_online_pct": 60, "channel_instore_pct": 50},
        {"goals": [{"metric": "", "target": 1}]},
        {"goals": [{"metric": "Revenue", "target": -5}]},
        {"goals": [{"metric": "Revenue", "target": 5, "period": "decade"}]},
    ):
        assert_envelope(client.post("/api/portal/questionnaire", headers=h, json=bad), 422)
    assert client.get("/api/portal/questionnaire", headers=h).get_json() == {"profile": None}


def test_qbrs_are_the_presented_ones_without_internal_sections(
    client, db, tenants, service_token, count_queries
) -> None:
    make_qbr(db, tenants.acme, quarter="2026-Q2")
    make_qbr(db, tenants.acme, quarter="2026-Q3", presented=False)
    make_qbr(db, tenants.globex, quarter="2026-Q2")
    h = worker(service_token, tenants.acme, role="viewer")
    with count_queries() as q:
        body = client.get("/api/portal/qbrs", headers=h).get_json()
    assert [r["quarter"] for r in body["qbrs"]] == ["2026-Q2"]
    qbr = body["qbrs"][0]
    assert qbr["status"] == "presented" and qbr["presented_at"]
    assert [s["title"] for s in qbr["sections"]] == ["Results"]
    assert {s["portal_visibility"] for s in qbr["sections"]} == {"visible"}
    for i in range(5):
        make_qbr(db, tenants.acme, quarter=f"2025-Q{i % 4 + 1}")
    with count_queries() as more:
        assert len(client.get("/api/portal/qbrs", headers=h).get_json()["qbrs"]) == 6
    assert more.count == q.count


def test_onboarding_progress_in_reference_shape(client, db, tenants, service_token) -> None:
    h = worker(service_token, tenants.acme, role="viewer")
    before = client.get("/api/portal/onboarding", headers=h).get_json()
    assert before["template"] is None and before["stages"] == []
    assert before["completion_percentage"] == 0 and before["started_at"] is None
    template = make_template(db, [("Kick-off", ["Call", "Profile"]), ("Setup", ["Access"])])
    start(db, tenants.acme, template, done=2)
    body = client.get("/api/portal/onboarding", headers=h).get_json()
    assert set(body) == {
        "template",
        "stages",
        "total_milestones",
        "completed_milestones",
        "completion_percentage",
        "current_stage_type",
        "started_at",
        "completed_at",
    }
    assert body["template"]["name"] == "Launch plan" and body["template"]["id"] == str(template.id)
    assert (body["total_milestones"], body["completed_milestones"]) == (3, 2)
    assert body["completion_percentage"] == 66
    assert body["current_stage_type"] == "setup" and body["completed_at"] is None
    assert [s["completed"] for s in body["stages"]] == [True, False]
    assert [m["completed"] for m in body["stages"][0]["milestones"]] == [True, True]
    # another tenant sees its own (none), never Acme's
    other = client.get("/api/portal/onboarding", headers=worker(service_token, tenants.globex))
    assert other.get_json()["template"] is None
