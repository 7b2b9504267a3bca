"""The probe's world: the Tenants plus one object of every kind that routes take an id of."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import (
    Announcement,
    DeliverableVersion,
    Note,
    Notification,
    Page,
    Portal,
    ProjectGoal,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.models.base import utcnow
from tests.factories.deliverables import approved_with_receipt
from tests.web.files_world import add_acme_files


@pytest.fixture
def world(db, tenants):
    tenants.acme_portal_id = db.exec(
        select(Portal.id).where(Portal.company_id == tenants.acme.id)
    ).one()
    note = Note(
        company_id=tenants.acme.id,
        resource_type="project",
        resource_id=tenants.acme_project.id,
        author_id=tenants.acme_admin.id,
        body="Acme's own note",
    )
    notification = Notification(
        user_id=tenants.acme_admin.id,
        company_id=tenants.acme.id,
        type="note_mention",
        title="Acme-only notification",
        url="/p/acme-test/notes",
    )
    announcement = Announcement(company_id=tenants.acme.id, title="Acme-only news", body="")
    db.add_all([note, notification, announcement])
    db.flush()
    from portal.models.network import NetworkWlan
    from tests.factories.network import make_site

    tenants.acme_site = make_site(db, tenants.acme, name="Acme-only site")
    tenants.acme_wlan_id = db.exec(
        select(NetworkWlan.id).where(NetworkWlan.site_id == tenants.acme_site.id)
    ).first()
    from portal import crypto
    from portal.models.network import NetworkOperation

    tenants.acme_operation = NetworkOperation(
        kind="wlanGroup.create",
        site_id=tenants.acme_site.id,
        company_id=tenants.acme.id,
        payload_encrypted=crypto.encrypt('{"name": "Acme-only group"}'),
    )
    db.add(tenants.acme_operation)
    db.flush()
    from tests.factories.results import enable_results, make_connection

    enable_results(db, tenants.acme)  # the Results tab exists for Acme's own people
    tenants.acme_connection = make_connection(db, tenants.acme, display_name="Acme-only ads")
    from portal.models.onboarding import OnboardingMilestone
    from tests.factories.onboarding import make_qbr, make_template, start

    template = make_template(db, name="Acme-only plan")
    start(db, tenants.acme, template)
    tenants.acme_milestone_id = db.exec(
        select(OnboardingMilestone.id).where(OnboardingMilestone.template_id == template.id)
    ).first()
    tenants.acme_qbr = make_qbr(db, tenants.acme)
    tenants.acme_note = note
    tenants.acme_notification = notification
    tenants.acme_announcement = announcement
    return tenants


def add_acme_vault(db, tenants) -> None:
    """A credential of Acme with a sub-credential (the vault's probe objects)."""
    from sqlmodel import select as sql_select

    from portal.models.vault import Credential
    from tests.factories.vault import make_credential, make_type

    router = make_type(db, tenants.staff_admin, name="Probe router")
    tenants.acme_credential = make_credential(
        db,
        tenants.staff_admin,
        tenants.acme,
        router,
        subCredentials={"tunnels": [{"name": "T", "fields": [{"fieldId": "peer", "value": "p"}]}]},
    )
    tenants.acme_sub_credential = db.exec(
        sql_select(Credential).where(Credential.parent_id == tenants.acme_credential.id)
    ).one()


@pytest.fixture
def probe_world(db, world, make_user):
    """The notes/notifications world of tests/web/conftest.py, plus webhooks and deliverables."""
    tenants = world
    tenants.acme_webhook = WebhookSubscription(
        url="https://hooks.example.test/acme",
        company_id=tenants.acme.id,
        secret_encrypted="x",
        active=False,  # never sends: the probe's requests must not start deliveries
    )
    db.add(tenants.acme_webhook)
    db.flush()
    tenants.acme_delivery = WebhookDelivery(
        subscription_id=tenants.acme_webhook.id, event="client_invited", payload="{}"
    )
    db.add(tenants.acme_delivery)
    db.flush()
    tenants.acme_deliverable, tenants.acme_receipt = approved_with_receipt(
        db, tenants.staff_admin, tenants.acme_collab, tenants.acme
    )
    tenants.acme_version_id = db.exec(
        select(DeliverableVersion.id).where(
            DeliverableVersion.deliverable_id == tenants.acme_deliverable.id
        )
    ).one()
    from services.accounts.tokens import create_api_key

    tenants.acme_api_key_id = create_api_key(db, name="acme", company_id=tenants.acme.id)[0].id
    # a person the fuzzer may edit, block and delete (``/api/v1/users/{id}`` really deletes):
    # the people it signs in as must outlive its requests
    tenants.acme_disposable = make_user(tenants.acme, "viewer")
    from portal.models.task import TaskCreate
    from services.tasks import create_task
    from tests.factories import actor_of

    tenants.acme_task_id = create_task(
        db,
        actor=actor_of(db, tenants.staff_admin),
        data=TaskCreate(project_id=tenants.acme_project.id, title="Acme only"),
    ).id
    add_acme_files(db, tenants)
    from portal.models import Guide, GuideAssignment, ToolLink

    tenants.acme_tool = ToolLink(
        company_id=tenants.acme.id, title="Acme-only link", url="https://acme.example.test/"
    )
    db.add(tenants.acme_tool)
    tenants.acme_guide = Guide(title="Acme-only guide", body="Shown to Acme only")
    db.add(tenants.acme_guide)
    db.flush()
    db.add(GuideAssignment(guide_id=tenants.acme_guide.id, company_id=tenants.acme.id))
    db.flush()
    tenants.globex_viewer = make_user(tenants.globex, "viewer")
    tenants.globex_collab = make_user(tenants.globex, "collaborator")
    tenants.globex_pm = make_user(staff="pm", assign=[tenants.globex])  # not Acme's PM
    from portal.models import Role
    from services.accounts.users import PM_ROLE

    # roles are the agency's, not a tenant's: the probe uses the PM role (a PM must not gain it)
    tenants.pm_role = db.exec(select(Role).where(Role.name == PM_ROLE)).one()
    from tests.factories.billing import make_budget, make_contract, make_invoice, sign_as

    tenants.acme_invoice = make_invoice(db, tenants.staff_admin, tenants.acme)
    tenants.acme_budget = make_budget(db, tenants.staff_admin, tenants.acme)
    tenants.acme_contract = make_contract(
        db, tenants.staff_admin, tenants.acme, [tenants.acme_admin, tenants.acme_viewer]
    )
    tenants.acme_signature = sign_as(db, tenants.acme_admin, tenants.acme_contract)
    from tests.factories.catalog import make_opportunity

    tenants.acme_opportunity = make_opportunity(db, tenants.acme, "Acme-only opportunity")
    from portal.models.proposal import ProposalAccept
    from portal.tenancy import actor_for_user
    from services.billing import proposals
    from tests.factories.billing import make_proposal

    tenants.acme_proposal = make_proposal(
        db, tenants.staff_admin, tenants.acme, name="Acme-only proposal"
    )
    proposals.accept_proposal(
        db,
        actor=actor_for_user(db, tenants.acme_admin),
        proposal_id=tenants.acme_proposal.id,
        data=ProposalAccept(version=1, typed_name=tenants.acme_admin.name, consent=True),
    )
    from portal.models.feedback import PostUpdate, TagCreate
    from services.feedback import posts, taxonomy
    from tests.factories.feedback import board_actor, make_category, make_comment, make_post

    tenants.acme_post = make_post(db, tenants.acme_collab, tenants.acme, "Acme-only idea")
    tenants.acme_comment = make_comment(
        db, tenants.acme_collab, tenants.acme, tenants.acme_post, "Acme-only comment"
    )
    tenants.acme_category = make_category(db, tenants.staff_admin, tenants.acme, "Acme-only")
    staff = board_actor(db, tenants.staff_admin, tenants.acme)
    tenants.acme_tag = taxonomy.create_tag(
        session=db, actor=staff, company_id=tenants.acme.id, data=TagCreate(tag="acme-only")
    )
    posts.update_post(
        session=db, actor=staff, key=tenants.acme_post.key, data=PostUpdate(tags=["acme-only"])
    )
    from portal.models.feedback import GroupCreate
    from services.feedback import groups

    tenants.acme_group = groups.create_group(
        session=db, actor=staff, company_id=tenants.acme.id, data=GroupCreate(name="Acme-only")
    )
    from tests.factories.feedback import make_entry, make_section, make_vision, make_widget

    tenants.acme_widget = make_widget(db, tenants.staff_admin, tenants.acme, "Acme-only widget")
    tenants.acme_entry = make_entry(db, tenants.acme, tenants.acme_widget, "Acme-only feedback")
    tenants.acme_section = make_section(db, tenants.staff_admin, tenants.acme, "Acme-only section")
    make_vision(db, tenants.staff_admin, tenants.acme, "Acme-only vision")
    from tests.factories.people import make_invitation

    tenants.acme_invitation, _ = make_invitation(db, tenants.acme, "acme.invitee@example.test")
    tenants.acme_page = Page(
        company_id=tenants.acme.id,
        title="Acme handbook",
        slug="acme-handbook",
        body_html="<p>Acme only</p>",
        published_at=utcnow(),
    )
    tenants.acme_goal = ProjectGoal(
        company_id=tenants.acme.id, project_id=tenants.acme_project.id, title="Acme goal"
    )
    db.add_all([tenants.acme_page, tenants.acme_goal])
    db.flush()
    from services.tasks.attachments import attach_existing

    tenants.acme_attachment_id = attach_existing(
        db,
        actor=actor_of(db, tenants.staff_admin),
        task_id=tenants.acme_task_id,
        file_id=tenants.acme_file_id,
    ).id
    add_acme_vault(db, tenants)
    return tenants
