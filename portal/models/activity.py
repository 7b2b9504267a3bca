from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow


class Action(StrEnum):
    """Every activity action Stoa records (reference 003 names and Stoa's own).

    Each has the label a person reads and says whether the activity filter offers it. Every
    action can be subscribed to by an outbound webhook.
    """

    label: str
    filterable: bool

    def __new__(cls, value: str, label: str, filterable: bool = False) -> Action:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.filterable = filterable
        return member

    portal_created = "portal_created", "Portal created"
    portal_updated = "portal_updated", "Portal updated"
    company_created = "company_created", "Company created"
    company_updated = "company_updated", "Company updated"
    tool_link_added = "tool_link_added", "Link added to Tools & Links"
    tool_link_removed = "tool_link_removed", "Link removed from Tools & Links"
    user_assigned = "user_assigned", "Manager assigned"
    client_invited = "client_invited", "Person invited", True
    invitation_resent = "invitation_resent", "Invitation resent"
    invitation_revoked = "invitation_revoked", "Invitation revoked"
    client_role_changed = "client_role_changed", "Role changed"
    user_deactivated = "user_deactivated", "Person deactivated"
    user_reactivated = "user_reactivated", "Person reactivated"
    client_added = "client_added", "Person added"
    user_deleted = "user_deleted", "Person deleted"
    view_as_started = "view_as_started", "Viewed as a client"
    view_as_stopped = "view_as_stopped", "Stopped viewing as a client"
    api_key_created = "api_key_created", "API key created"
    api_key_revoked = "api_key_revoked", "API key revoked"
    project_created = "project_created", "Project started", True
    decision_logged = "decision_logged", "Decision logged"
    goal_created = "goal_created", "Goal added"
    goal_updated = "goal_updated", "Goal updated"
    goal_completed = "goal_completed", "Goal completed"
    summary_generated = "summary_generated", "Summary generated"
    summary_updated = "summary_updated", "Summary updated"
    page_created = "page_created", "Page created"
    page_published = "page_published", "Page published"
    page_unpublished = "page_unpublished", "Page unpublished"
    announcement_published = "announcement_published", "Announcement", True
    task_created = "task_created", "Task added", True
    task_updated = "task_updated", "Task updated"
    task_moved = "task_moved", "Task moved"
    task_completed = "task_completed", "Task completed", True
    task_reopened = "task_reopened", "Task reopened", True
    task_deleted = "task_deleted", "Task deleted"
    task_commented = "task_commented", "Task comment"
    file_uploaded = "file_uploaded", "File uploaded", True
    file_linked = "file_linked", "File linked"
    file_deleted = "file_deleted", "File deleted"
    file_approval_requested = "file_approval_requested", "File approval requested"
    file_approved = "file_approved", "File approved", True
    file_rejected = "file_rejected", "File rejected", True
    file_published = "file_published", "File published"
    deliverable_uploaded = "deliverable_uploaded", "Deliverable uploaded"
    deliverable_linked = "deliverable_linked", "Deliverable linked"
    deliverable_deleted = "deliverable_deleted", "Deliverable deleted"
    deliverable_internally_approved = (
        "deliverable_internally_approved",
        "Deliverable approved internally",
    )
    deliverable_in_review = "deliverable_in_review", "Deliverable ready for review", True
    deliverable_approved = "deliverable_approved", "Deliverable approved", True
    deliverable_revision_requested = "deliverable_revision_requested", "Revision requested", True
    deliverable_revisions_extended = "deliverable_revisions_extended", "Revisions extended"
    message_sent = "message_sent", "Note posted", True
    note_deleted = "note_deleted", "Note deleted"
    invoice_created = "invoice_created", "Invoice drafted"
    invoice_updated = "invoice_updated", "Invoice edited"
    invoice_sent = "invoice_sent", "Invoice sent", True
    invoice_voided = "invoice_voided", "Invoice voided"
    invoice_payment_recorded = "invoice_payment_recorded", "Payment recorded", True
    contract_created = "contract_created", "Contract sent for signature", True
    contract_signed = "contract_signed", "Contract signed", True
    budget_created = "budget_created", "Budget drafted"
    budget_updated = "budget_updated", "Budget edited"
    budget_submitted = "budget_submitted", "Budget submitted for approval", True
    budget_approved = "budget_approved", "Budget approved", True
    budget_declined = "budget_declined", "Budget declined", True
    proposal_shared = "proposal_shared", "Proposal shared", True
    proposal_revised = "proposal_revised", "Proposal revised", True
    proposal_accepted = "proposal_accepted", "Proposal accepted", True
    proposal_declined = "proposal_declined", "Proposal declined", True
    opportunity_refreshed = "opportunity_refreshed", "Opportunity refreshed from the CRM"
    board_topic_posted = "board_topic_posted", "Board topic posted"
    board_reply_posted = "board_reply_posted", "Board reply posted"
    network_site_linked = "network_site_linked", "Network site linked"
    network_site_unlinked = "network_site_unlinked", "Network site unlinked"
    wifi_passphrase_revealed = "wifi_passphrase_revealed", "WiFi passphrase revealed"
    network_site_created = "network_site_created", "Network site created"
    wifi_network_updated = "wifi_network_updated", "WiFi network changed"
    wlan_group_created = "wlan_group_created", "WLAN group created"
    speed_profile_created = "speed_profile_created", "Speed profile created"
    platform_connected = "platform_connected", "Platform connected", True
    platform_disconnected = "platform_disconnected", "Platform disconnected"
    onboarding_started = "onboarding_started", "Onboarding started"
    onboarding_milestone_completed = (
        "onboarding_milestone_completed",
        "Onboarding milestone completed",
        True,
    )
    onboarding_completed = "onboarding_completed", "Onboarding completed", True
    success_profile_completed = "success_profile_completed", "Success profile completed", True
    success_profile_updated = "success_profile_updated", "Success profile updated"
    qbr_presented = "qbr_presented", "Quarterly review presented", True
    private_psk_created = "private_psk_created", "Private WiFi key created"
    feedback_post_created = "feedback_post_created", "Idea posted", True
    feedback_post_updated = "feedback_post_updated", "Idea edited"
    feedback_post_deleted = "feedback_post_deleted", "Idea deleted"
    feedback_status_changed = "feedback_status_changed", "Idea status changed", True
    feedback_commented = "feedback_commented", "Idea comment"
    feedback_comment_deleted = "feedback_comment_deleted", "Idea comment deleted"
    feedback_approved = "feedback_approved", "Feedback approved"
    feedback_rejected = "feedback_rejected", "Feedback rejected"
    credential_created = "credential_created", "Credential added"
    credential_updated = "credential_updated", "Credential changed"
    credential_deleted = "credential_deleted", "Credential deleted"
    credential_secret_read = "credential_secret_read", "Secure value read"
    credential_type_created = "credential_type_created", "Credential type added"
    credential_type_updated = "credential_type_updated", "Credential type changed"
    credential_type_deleted = "credential_type_deleted", "Credential type deleted"
    role_created = "role_created", "Role created"
    role_updated = "role_updated", "Role changed"
    role_deleted = "role_deleted", "Role deleted"
    user_role_added = "user_role_added", "Role given"
    user_role_removed = "user_role_removed", "Role taken away"


# Activity about staff-only objects (internal notes, deliverable steps behind the internal
# gate) never reaches clients: ``scoped()`` drops it through ``ActivityLog.__staff_only__``.
INTERNAL_DELIVERABLE_ACTIVITY = "deliverable_internal"
# steps on an invoice that was never sent (drafting, editing, voiding a draft)
INTERNAL_INVOICE_ACTIVITY = "invoice_draft"
# steps on a budget still in draft
INTERNAL_BUDGET_ACTIVITY = "budget_draft"
# Feedback awaiting the agency's approval (or rejected) is not the client's to see yet.
FEEDBACK_MODERATION_ACTIVITY = "feedback_moderation"
# The credentials vault is the agency's alone: its history never reaches a client's feed.
VAULT_ACTIVITY = "credential"
# Sales opportunities are the agency's own pipeline (clients see proposals, not opportunities).
SALES_ACTIVITY = "opportunity"
# Staff opening a portal as one of its people (the audit trail of "view as client").
VIEW_AS_ACTIVITY = "view_as"
STAFF_ONLY_OBJECT_TYPES: tuple[str, ...] = (
    "internal_note",
    INTERNAL_DELIVERABLE_ACTIVITY,
    INTERNAL_INVOICE_ACTIVITY,
    INTERNAL_BUDGET_ACTIVITY,
    FEEDBACK_MODERATION_ACTIVITY,
    VAULT_ACTIVITY,
    VIEW_AS_ACTIVITY,
    SALES_ACTIVITY,
)

# Activity a client's admins see but its other people do not: who revealed one of the company's
# WiFi passphrases (audit of a secret the admins answer for). ``scoped()`` drops it for anyone
# below a client admin through ``ActivityLog.__admin_only__``.
ADMIN_ONLY_ACTIONS: tuple[str, ...] = ("wifi_passphrase_revealed",)


class ActivityLog(SQLModel, table=True):
    """One row per write: who did what to which object, in which company."""

    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_activitylog_company_created", "company_id", "created_at"),
        # one object's history (a deliverable's, an invoice's) without scanning the log
        Index("ix_activitylog_object", "object_id", "object_type", "created_at"),
        Index("ix_activitylog_created", "created_at"),  # the agency-wide audit log
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"))
    )
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    actor_label: str = Field(default="", max_length=200)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    object_label: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        return col(cls.object_type).in_(STAFF_ONLY_OBJECT_TYPES)

    @classmethod
    def __admin_only__(cls) -> Any:
        return col(cls.action).in_(ADMIN_ONLY_ACTIONS)
