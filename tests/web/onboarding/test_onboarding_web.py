"""The Onboarding tab: progress, the success profile and the presented reviews for clients;
staff start onboarding, tick milestones and write and present reviews — HTMX both ways."""

from __future__ import annotations

from sqlmodel import select

from portal.models import ActivityLog, Notification
from portal.models.onboarding import ClientOnboarding, SuccessProfile
from tests.factories.onboarding import make_qbr, make_template, start

HX = {"HX-Request": "true"}


def url(t, path: str = "") -> str:
    return f"/p/{t.acme.slug}/onboarding{path}"


def test_a_client_sees_progress_profile_and_presented_reviews(
    client, db, login, tenants, count_queries
) -> None:
    start(db, tenants.acme, make_template(db), done=3)
    make_qbr(db, tenants.acme, quarter="2026-Q2")
    make_qbr(db, tenants.acme, quarter="2026-Q3", presented=False)
    login(tenants.acme_viewer)
    client.get(url(tenants))
    with count_queries() as few:
        resp = client.get(url(tenants))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Vary"].count("HX-Request")
    assert "75% done" in html and "3 of 4 milestones" in html and "now: <strong>Setup" in html
    assert "2026-Q2 review" in html and "Results text" in html
    assert "Health text" not in html and "2026-Q3 review" not in html  # internal, draft
    assert "Save the profile" not in html and "Mark done" not in html  # a viewer changes nothing
    assert f'href="/p/{tenants.acme.slug}/onboarding"' in html  # in the tab bar
    fragment = client.get(url(tenants), headers=HX).get_data(as_text=True)
    assert "75% done" in fragment and "<html" not in fragment
    for i in range(6):
        make_qbr(db, tenants.acme, quarter=f"2025-Q{i % 4 + 1}")
    with count_queries() as many:
        assert client.get(url(tenants)).status_code == 200
    assert few.count == many.count <= 12, many.statements


def test_the_profile_form_saves_for_collaborators_only(client, db, login, tenants) -> None:
    login(tenants.acme_viewer)
    assert (
        client.post(url(tenants, "/profile"), data={"financial_year_start": "May"}).status_code
        == 403
    )
    login(tenants.acme_collab)
    page = client.get(url(tenants)).get_data(as_text=True)
    assert "Answer the questionnaire" in page
    bad = client.post(url(tenants, "/profile"), data={"channel_online_pct": "120"}, headers=HX)
    assert bad.status_code == 422 and "Save the profile" in bad.get_data(as_text=True)
    ok = client.post(
        url(tenants, "/profile"),
        data={
            "financial_year_start": "April",
            "growth_priorities_text": "Online first",
            "goal_0_metric": "Online revenue",
            "goal_0_metric_key": "revenue",
            "goal_0_target": "50000",
            "goal_0_period": "month",
        },
        headers=HX,
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith("/onboarding")
    profile = db.exec(
        select(SuccessProfile).where(SuccessProfile.company_id == tenants.acme.id)
    ).one()
    assert profile.financial_year_start == "April" and profile.completed_at is not None
    html = client.get(url(tenants)).get_data(as_text=True)
    assert "Online first" in html and "50,000" in html and "the Results target" in html
    notes = db.exec(
        select(Notification).where(Notification.type == "success_profile_completed")
    ).all()
    assert [n.user_id for n in notes] == [tenants.pm.id]


def test_staff_run_the_onboarding_and_the_dashboard_follows_it(client, db, login, tenants) -> None:
    template = make_template(db, [("Kick-off", ["Call"]), ("Setup", ["Access"])])
    login(tenants.pm)
    page = client.get(url(tenants)).get_data(as_text=True)
    assert "Start onboarding" in page and "Launch plan" in page
    resp = client.post(url(tenants, "/start"), data={"template_id": template.id})
    assert resp.status_code == 303
    assert client.post(url(tenants, "/start"), data={"template_id": template.id}).status_code == 409
    run = db.exec(
        select(ClientOnboarding).where(ClientOnboarding.company_id == tenants.acme.id)
    ).one()
    login(tenants.acme_admin)
    dash = client.get(f"/p/{tenants.acme.slug}/dashboard").get_data(as_text=True)
    assert "Onboarding: 0% done" in dash and "now: <strong>Kick-off" in dash
    # a client cannot tick milestones
    view = client.get("/api/portal/onboarding").get_json()
    first, last = (s["milestones"][0]["id"] for s in view["stages"])
    assert client.post(url(tenants, f"/milestones/{first}"), data={"done": "1"}).status_code == 403
    login(tenants.pm)
    assert client.post(url(tenants, f"/milestones/{first}"), data={"done": "1"}).status_code == 303
    db.refresh(run)
    assert (run.completed_milestones, run.current_stage_type) == (1, "setup")
    assert (
        client.post(url(tenants, f"/milestones/{last}"), data={"done": "1"}, headers=HX).status_code
        == 204
    )
    db.refresh(run)
    assert run.completed_at is not None and run.completion_percentage == 100
    actions = db.exec(
        select(ActivityLog.action).where(ActivityLog.company_id == tenants.acme.id)
    ).all()
    assert {"onboarding_started", "onboarding_milestone_completed", "onboarding_completed"} <= set(
        actions
    )
    heard = db.exec(
        select(Notification.title).where(
            Notification.user_id == tenants.acme_admin.id,
            Notification.type == "onboarding_progress",
        )
    ).all()
    assert any("Onboarding complete" in t for t in heard)
    login(tenants.acme_admin)
    assert "Onboarding:" not in client.get(f"/p/{tenants.acme.slug}/dashboard").get_data(
        as_text=True
    )
    # a milestone of another template is not this run's
    other = make_template(db, [("Other", ["Elsewhere"])], name="Other plan")
    login(tenants.pm)
    from portal.models.onboarding import OnboardingMilestone

    foreign = db.exec(
        select(OnboardingMilestone.id).where(OnboardingMilestone.template_id == other.id)
    ).one()
    assert (
        client.post(url(tenants, f"/milestones/{foreign}"), data={"done": "1"}).status_code == 404
    )


def test_staff_write_and_present_a_review(client, db, login, tenants) -> None:
    login(tenants.pm)
    resp = client.post(url(tenants, "/qbrs"), data={"title": "Q3 review", "quarter": "2026-Q3"})
    assert resp.status_code == 303
    assert (
        client.post(url(tenants, "/qbrs"), data={"title": "x", "quarter": "Q3"}).status_code == 422
    )
    page = client.get(url(tenants)).get_data(as_text=True)
    assert "Q3 review" in page and "Draft" in page
    from portal.models.onboarding import Qbr

    qbr = db.exec(select(Qbr).where(Qbr.company_id == tenants.acme.id)).one()
    for title, vis in (("Wins", "visible"), ("Renewal risk", "internal")):
        data = {"title": title, "body": f"{title} body", "portal_visibility": vis}
        assert client.post(url(tenants, f"/qbrs/{qbr.id}/sections"), data=data).status_code == 303
    login(tenants.acme_admin)
    assert "Q3 review" not in client.get(url(tenants)).get_data(as_text=True)  # still a draft
    assert client.post(url(tenants, f"/qbrs/{qbr.id}/present")).status_code == 403
    login(tenants.pm)
    assert client.post(url(tenants, f"/qbrs/{qbr.id}/present")).status_code == 303
    assert client.post(url(tenants, f"/qbrs/{qbr.id}/present")).status_code == 409
    login(tenants.acme_admin)
    html = client.get(url(tenants)).get_data(as_text=True)
    assert "Q3 review" in html and "Wins body" in html and "Renewal risk" not in html
    assert db.exec(
        select(Notification).where(
            Notification.user_id == tenants.acme_admin.id, Notification.type == "qbr_presented"
        )
    ).first()
    # another tenant's portal: 404
    login(tenants.globex_admin)
    assert client.get(url(tenants)).status_code == 404


def test_staff_write_templates_on_the_admin_page(client, db, login, tenants, count_queries) -> None:
    login(tenants.acme_admin)
    assert client.get("/admin/onboarding/").status_code == 404  # no staff area for clients
    login(tenants.pm)
    form = {
        "name": "Shop launch",
        "stages": "Kick-off: Call; Profile answered\n\nGo live: Campaigns live",
    }
    resp = client.post("/admin/onboarding/", data=form)
    assert resp.status_code == 303
    bad = client.post("/admin/onboarding/", data={"name": "Empty", "stages": "Stage without:"})
    assert bad.status_code == 422 and "Create template" in bad.get_data(as_text=True)
    with count_queries() as few:
        html = client.get("/admin/onboarding/").get_data(as_text=True)
    assert "Shop launch" in html and "(go_live)" in html and "Call; Profile answered" in html
    for i in range(4):
        make_template(db, name=f"Plan {i}")
    with count_queries() as many:
        assert client.get("/admin/onboarding/").status_code == 200
    assert few.count == many.count <= 12
    page = client.get(url(tenants)).get_data(as_text=True)
    assert "Shop launch" in page  # offered when starting a client's onboarding
