"""Staff edit and delete quarterly reviews (title, summary; sections' title, text, visibility
and order) on the Onboarding tab, and onboarding templates (stages and milestones) on
/admin/onboarding — with validation messages, confirmations, tenancy and permissions."""

from __future__ import annotations

from sqlmodel import select

from portal.models.onboarding import (
    ClientOnboarding,
    OnboardingMilestone,
    OnboardingStage,
    OnboardingTemplate,
    Qbr,
    QbrSection,
)
from tests.factories.onboarding import make_qbr, make_template, start

HX = {"HX-Request": "true"}


def url(t, path: str = "") -> str:
    return f"/p/{t.acme.slug}/onboarding{path}"


def sections_of(db, qbr: Qbr) -> list[QbrSection]:
    db.expire_all()
    return list(
        db.exec(
            select(QbrSection)
            .where(QbrSection.qbr_id == qbr.id)
            .order_by(QbrSection.position, QbrSection.id)
        ).all()
    )


def test_staff_edit_a_review_and_its_sections(client, db, login, tenants) -> None:
    qbr = make_qbr(db, tenants.acme, sections=(("Results", "visible"), ("Health", "internal")))
    results, health = sections_of(db, qbr)
    login(tenants.pm)
    page = client.get(url(tenants)).get_data(as_text=True)
    assert "Edit review" in page and "Delete review" in page and "Move down" in page
    assert 'hx-confirm="Delete the section Results?"' in page
    # the review itself: a bad quarter is a 422 with its message beside the open form
    bad = client.post(
        url(tenants, f"/qbrs/{qbr.id}/edit"),
        data={"title": "Q3 in review", "quarter": "third"},
        headers=HX,
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Quarter:" in html and 'value="third"' in html
    assert "<html" not in html
    ok = client.post(
        url(tenants, f"/qbrs/{qbr.id}/edit"),
        data={"title": "Q3 in review", "quarter": "2026-Q3", "summary": "A strong quarter"},
        headers=HX,
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith("/onboarding")
    # a section: retitle, rewrite, and make the internal one visible; then reorder
    assert (
        client.post(
            url(tenants, f"/qbrs/{qbr.id}/sections/{health.id}/edit"),
            data={"title": "Account health", "body": "All green", "portal_visibility": "internal"},
        ).status_code
        == 303
    )
    empty = client.post(
        url(tenants, f"/qbrs/{qbr.id}/sections/{results.id}/edit"),
        data={"title": "", "portal_visibility": "visible"},
        headers=HX,
    )
    assert empty.status_code == 422 and "Title:" in empty.get_data(as_text=True)
    bad_vis = client.post(
        url(tenants, f"/qbrs/{qbr.id}/sections/{results.id}/edit"),
        data={"title": "Results", "portal_visibility": "public"},
    )
    assert bad_vis.status_code == 422
    move = client.post(
        url(tenants, f"/qbrs/{qbr.id}/sections/{health.id}/move"), data={"direction": "up"}
    )
    assert move.status_code == 303
    assert [s.title for s in sections_of(db, qbr)] == ["Account health", "Results"]
    assert (
        client.post(
            url(tenants, f"/qbrs/{qbr.id}/sections/{health.id}/move"),
            data={"direction": "sideways"},
        ).status_code
        == 422
    )
    # the client sees the corrections, never the internal section
    login(tenants.acme_admin)
    html = client.get(url(tenants)).get_data(as_text=True)
    assert "Q3 in review" in html and "A strong quarter" in html and "Results text" in html
    assert "Account health" not in html and "All green" not in html
    assert "Edit review" not in html and "Delete review" not in html
    # staff switch the section to visible: now the client sees it, first
    login(tenants.pm)
    client.post(
        url(tenants, f"/qbrs/{qbr.id}/sections/{health.id}/edit"),
        data={"title": "Account health", "body": "All green", "portal_visibility": "visible"},
    )
    login(tenants.acme_admin)
    html = client.get(url(tenants)).get_data(as_text=True)
    assert html.index("All green") < html.index("Results text")


def test_staff_delete_sections_and_reviews(client, db, login, tenants) -> None:
    qbr = make_qbr(db, tenants.acme)
    qbr_id = qbr.id
    results, health = sections_of(db, qbr)
    login(tenants.pm)
    resp = client.post(url(tenants, f"/qbrs/{qbr.id}/sections/{health.id}/delete"), headers=HX)
    assert resp.status_code == 204
    assert [s.title for s in sections_of(db, qbr)] == ["Results"]
    assert client.post(url(tenants, f"/qbrs/{qbr_id}/delete")).status_code == 303
    db.expire_all()
    assert db.get(Qbr, qbr_id) is None
    assert not db.exec(select(QbrSection).where(QbrSection.qbr_id == qbr_id)).first()
    login(tenants.acme_admin)
    assert "2026-Q3 review" not in client.get(url(tenants)).get_data(as_text=True)
    # gone: a second delete is a 404
    login(tenants.pm)
    assert client.post(url(tenants, f"/qbrs/{qbr_id}/delete")).status_code == 404


def test_clients_and_foreign_staff_cannot_edit_reviews(client, db, login, tenants, make_user):
    qbr = make_qbr(db, tenants.acme)
    section = sections_of(db, qbr)[0]
    edit = {"title": "Hacked", "quarter": "2026-Q3"}
    section_edit = {"title": "Hacked", "portal_visibility": "visible"}
    paths = [
        (f"/qbrs/{qbr.id}/edit", edit),
        (f"/qbrs/{qbr.id}/delete", {}),
        (f"/qbrs/{qbr.id}/sections/{section.id}/edit", section_edit),
        (f"/qbrs/{qbr.id}/sections/{section.id}/delete", {}),
        (f"/qbrs/{qbr.id}/sections/{section.id}/move", {"direction": "down"}),
    ]
    login(tenants.acme_admin)  # a client admin: forbidden
    for path, data in paths:
        assert client.post(url(tenants, path), data=data).status_code == 403, path
    globex_pm = make_user(staff="pm", assign=[tenants.globex])
    login(globex_pm)  # a PM of another client: Acme's portal and review do not exist
    for path, data in paths:
        assert client.post(url(tenants, path), data=data).status_code == 404, path
    # Acme's review through Globex's portal (the PM's own): still a 404
    globex_qbr = make_qbr(db, tenants.globex)
    login(tenants.pm)
    globex_url = f"/p/{tenants.globex.slug}/onboarding/qbrs/{qbr.id}/edit"
    assert client.post(globex_url, data=edit).status_code == 404
    # a section of another review under this review's id: 404
    other = sections_of(db, globex_qbr)[0]
    assert (
        client.post(
            url(tenants, f"/qbrs/{qbr.id}/sections/{other.id}/edit"), data=section_edit
        ).status_code
        == 404
    )
    db.expire_all()
    assert db.get(Qbr, qbr.id).title == "2026-Q3 review"
    assert {s.title for s in sections_of(db, qbr)} == {"Results", "Health"}


def _template_rows(db, template: OnboardingTemplate) -> list[tuple[str, list[str]]]:
    db.expire_all()
    stages = db.exec(
        select(OnboardingStage)
        .where(OnboardingStage.template_id == template.id)
        .order_by(OnboardingStage.position)
    ).all()
    out = []
    for s in stages:
        ms = db.exec(
            select(OnboardingMilestone.title)
            .where(OnboardingMilestone.stage_id == s.id)
            .order_by(OnboardingMilestone.position)
        ).all()
        out.append((s.name, list(ms)))
    return out


def test_staff_edit_a_template_and_running_onboardings_follow(client, db, login, tenants):
    template = make_template(db)  # Kick-off: Call, Profile · Setup: Access, Tracking
    run = start(db, tenants.acme, template, done=3)  # Call, Profile, Access
    login(tenants.pm)
    page = client.get("/admin/onboarding/").get_data(as_text=True)
    assert "Save template" in page and "Kick-off: Call; Profile\nSetup: Access; Tracking" in page
    bad = client.post(
        f"/admin/onboarding/{template.id}/edit",
        data={"name": "", "stages": "Kick-off: Call"},
        headers=HX,
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "name:" in html and "Save template" in html
    form = {
        "name": "Launch plan v2",
        "description": "Shorter",
        "stages": "Kick-off: Call\nSetup: Access; Tracking; Pixel\nGo live: Campaigns live",
    }
    ok = client.post(f"/admin/onboarding/{template.id}/edit", data=form, headers=HX)
    assert ok.status_code == 204
    assert _template_rows(db, template) == [
        ("Kick-off", ["Call"]),
        ("Setup", ["Access", "Tracking", "Pixel"]),
        ("Go live", ["Campaigns live"]),
    ]
    # "Profile" (ticked) left the template: the run counts 2 of 5 now
    db.refresh(run)
    assert (run.completed_milestones, run.total_milestones) == (2, 5)
    assert run.current_stage_name == "Setup"
    login(tenants.acme_admin)
    html = client.get(url(tenants)).get_data(as_text=True)
    assert "40% done" in html and "2 of 5 milestones" in html and "Campaigns live" in html


def test_a_template_in_use_cannot_be_deleted_an_unused_one_can(client, db, login, tenants):
    used = make_template(db, name="In use")
    start(db, tenants.acme, used)
    unused = make_template(db, name="Spare plan")
    unused_id = unused.id
    login(tenants.pm)
    page = client.get("/admin/onboarding/").get_data(as_text=True)
    assert 'hx-confirm="Delete the template Spare plan? This cannot be undone."' in page
    refused = client.post(f"/admin/onboarding/{used.id}/delete", headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "is in use by Acme" in html and "cannot be deleted" in html
    db.expire_all()
    assert db.get(OnboardingTemplate, used.id) is not None
    assert db.exec(select(ClientOnboarding).where(ClientOnboarding.template_id == used.id)).one()
    assert client.post(f"/admin/onboarding/{unused_id}/delete", headers=HX).status_code == 204
    db.expire_all()
    assert db.get(OnboardingTemplate, unused_id) is None
    assert not db.exec(
        select(OnboardingMilestone).where(OnboardingMilestone.template_id == unused_id)
    ).first()
    assert client.post(f"/admin/onboarding/{unused_id}/delete").status_code == 404


def test_only_onboarding_managers_edit_templates(client, db, login, tenants, make_user):
    template = make_template(db)
    form = {"name": "Hacked", "stages": "A: b"}
    login(tenants.acme_admin)  # clients have no staff area
    assert client.post(f"/admin/onboarding/{template.id}/edit", data=form).status_code == 404
    assert client.post(f"/admin/onboarding/{template.id}/delete").status_code == 404
    # a PM of another client manages the agency's templates too (they are not a tenant's)
    globex_pm = make_user(staff="pm", assign=[tenants.globex])
    login(globex_pm)
    assert client.post(f"/admin/onboarding/{template.id}/edit", data=form).status_code == 303
    db.expire_all()
    assert db.get(OnboardingTemplate, template.id).name == "Hacked"
