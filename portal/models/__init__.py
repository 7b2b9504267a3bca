"""All table models, imported here so SQLModel.metadata is complete for Alembic."""

from portal.models.activity import ActivityLog
from portal.models.agency import Agency
from portal.models.announcement import Announcement
from portal.models.billing import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoicePayment,
    InvoiceStatus,
)
from portal.models.budget import Budget, BudgetLine, BudgetStatus
from portal.models.catalog import (
    CatalogItem,
    CatalogLink,
    Opportunity,
    OpportunityNote,
    OpportunityProduct,
)
from portal.models.company import ALL_TABS, IMPLEMENTED_TABS, Company, Portal, PortalStatus
from portal.models.contract import Contract, ContractSignature, ContractSigner
from portal.models.deliverable import (
    ApprovalReceipt,
    Deliverable,
    DeliverableCategory,
    DeliverableSettings,
    DeliverableStatus,
    DeliverableVersion,
)
from portal.models.feedback import (
    FeedbackCategory,
    FeedbackComment,
    FeedbackEntry,
    FeedbackPost,
    FeedbackPostCategory,
    FeedbackPostTag,
    FeedbackSection,
    FeedbackStatus,
    FeedbackTag,
    FeedbackVote,
    FeedbackWidget,
    ProductVision,
)
from portal.models.file import (
    ApprovalStatus,
    ContactPublishingPreference,
    FileDownload,
    FileFolder,
    FilePublication,
    FileRequestLink,
    FileVersion,
    PortalFile,
    UploadSession,
)
from portal.models.integration import ApiKey, EmailOutbox, ServiceToken
from portal.models.network import NetworkDevice, NetworkSite, NetworkWlan
from portal.models.note import NOTE_RESOURCE_TYPES, Note
from portal.models.notification import Notification, NotificationPreference
from portal.models.page import Page, PageFormat
from portal.models.planning import (
    Decision,
    GoalStatus,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
    RoadmapStatus,
    SummarySource,
)
from portal.models.portal_template import PortalTemplate
from portal.models.project import Project
from portal.models.results import CampaignDaily, MetricDaily, MetricTarget, PlatformConnection
from portal.models.task import Task, TaskAssignee, TaskComment, TaskList
from portal.models.task_attachment import TaskAttachment
from portal.models.throttle import ThrottleCounter
from portal.models.tools import Guide, GuideAssignment, ToolLink
from portal.models.user import (
    CLIENT_ROLE_RANK,
    ClientRole,
    Invitation,
    MagicLink,
    PortalManager,
    Role,
    User,
    UserRole,
    UserSession,
)
from portal.models.vault import Credential, CredentialType
from portal.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscription

__all__ = [
    "Credential",
    "CredentialType",
    "Contract",
    "ContractSignature",
    "ContractSigner",
    "Guide",
    "GuideAssignment",
    "PortalTemplate",
    "ToolLink",
    "ALL_TABS",
    "IMPLEMENTED_TABS",
    "NOTE_RESOURCE_TYPES",
    "CLIENT_ROLE_RANK",
    "ActivityLog",
    "Agency",
    "Announcement",
    "ApiKey",
    "ClientRole",
    "Company",
    "EmailOutbox",
    "FeedbackCategory",
    "FeedbackComment",
    "FeedbackPost",
    "FeedbackPostCategory",
    "FeedbackPostTag",
    "FeedbackStatus",
    "FeedbackTag",
    "FeedbackVote",
    "FeedbackWidget",
    "FeedbackEntry",
    "FeedbackSection",
    "ProductVision",
    "Invitation",
    "Budget",
    "CatalogItem",
    "CatalogLink",
    "Opportunity",
    "OpportunityNote",
    "OpportunityProduct",
    "BudgetLine",
    "BudgetStatus",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "InvoicePayment",
    "InvoiceStatus",
    "MagicLink",
    "NetworkDevice",
    "NetworkSite",
    "NetworkWlan",
    "CampaignDaily",
    "MetricDaily",
    "MetricTarget",
    "PlatformConnection",
    "Note",
    "Notification",
    "NotificationPreference",
    "Portal",
    "PortalManager",
    "PortalStatus",
    "Project",
    "Role",
    "ServiceToken",
    "User",
    "UserRole",
    "UserSession",
    "DeliveryStatus",
    "WebhookDelivery",
    "WebhookSubscription",
    "ApprovalReceipt",
    "Deliverable",
    "DeliverableCategory",
    "DeliverableSettings",
    "DeliverableStatus",
    "DeliverableVersion",
    "Task",
    "TaskAssignee",
    "TaskComment",
    "TaskList",
    "ApprovalStatus",
    "ContactPublishingPreference",
    "FileDownload",
    "FileFolder",
    "FilePublication",
    "FileRequestLink",
    "FileVersion",
    "PortalFile",
    "UploadSession",
    "Decision",
    "GoalStatus",
    "Page",
    "PageFormat",
    "ProjectGoal",
    "ProjectMember",
    "ProjectSummary",
    "Roadmap",
    "RoadmapItem",
    "RoadmapStatus",
    "SummarySource",
    "TaskAttachment",
    "ThrottleCounter",
]
