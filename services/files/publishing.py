"""Publish files to a company's contacts and notify them (reference 001's semantics)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeGuard, TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from portal.errors import BadRequest
from portal.models import (
    ContactPublishingPreference,
    FilePublication,
    NotificationPreference,
    Portal,
    PortalFile,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.tenancy import Actor, require_staff
from services.events import activity
from services.events.mail import queue_email
from services.events.notifications import TYPES, notify
from services.files.access import VISIBLE_STATUSES, get_file, visible_files

MAX_FILES = 500


class Publishing(StrEnum):
    do_not_publish = "do_not_publish"
    use_contact_preference = "use_contact_preference"
    publish = "publish"


class Notifying(StrEnum):
    do_not_notify = "do_not_notify"
    use_contact_preference = "use_contact_preference"
    notify = "notify"


@dataclass
class PublishResult:
    file_id: object
    publish_status: str = "success"
    notify_status: str = "success"
    errors: list[dict[str, str]] = field(default_factory=list)
    published_to: list[int] = field(default_factory=list)
    notified: list[int] = field(default_factory=list)


E = TypeVar("E", bound=StrEnum)


def _enum(value: object, enum: type[E], name: str) -> E:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name} is required.", errors={name: ["Required."]})
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise BadRequest(
            f"{name} must be one of {allowed}.", errors={name: [f"One of {allowed}."]}
        ) from None


@dataclass(frozen=True)
class PublishRequest:
    """Reference 001's request. Ids stay as sent: one that names no visible file fails on its
    own in the results instead of failing the request."""

    files_id: list[object]
    portal_publishing: Publishing
    contact_notification: Notifying
    publish_override_contact_ids: list[object] = field(default_factory=list)

    @classmethod
    def parse(cls, body: Mapping[str, object]) -> PublishRequest:
        """Validate the request as a whole (400 for what reference 001 calls a bad request)."""
        files_id = body.get("files_id")
        if not isinstance(files_id, list) or not files_id:
            raise BadRequest("files_id is required.", errors={"files_id": ["A list of file ids."]})
        if len(files_id) > MAX_FILES:
            raise BadRequest(
                f"At most {MAX_FILES} files per request.",
                errors={"files_id": [f"At most {MAX_FILES} files."]},
            )
        publishing = _enum(body.get("portal_publishing"), Publishing, "portal_publishing")
        notifying = _enum(body.get("contact_notification"), Notifying, "contact_notification")
        overrides = body.get("publish_override_contact_ids")
        if overrides is None:
            overrides = []
        if not isinstance(overrides, list):
            raise BadRequest(
                "publish_override_contact_ids must be a list.",
                errors={"publish_override_contact_ids": ["A list of user ids."]},
            )
        return cls(files_id, publishing, notifying, overrides)


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _deliverable(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def _error(code: str, what: str, ids: Sequence[object]) -> dict[str, str]:
    title = f"{what} failed for some contacts."
    return {"code": code, "title": title, "detail": f"{what} failed for contacts {list(ids)}."}


def publish_files(
    session: Session,
    *,
    actor: Actor,
    request: PublishRequest,
) -> list[PublishResult]:
    """Publish each file to its company's contacts; failures are reported per file, not raised."""
    require_staff(actor, "file.publish", "Only staff can publish files.")
    ids = list(request.files_id)
    portal_publishing = request.portal_publishing
    contact_notification = request.contact_notification
    int_ids = sorted({i for i in ids if _is_id(i)})
    files: dict[int, PortalFile] = {
        f.id: f
        for f in session.exec(visible_files(actor).where(col(PortalFile.id).in_(int_ids or [-1])))
        if f.id is not None
    }
    company_ids = sorted({f.company_id for f in files.values()})
    contacts: dict[int, list[User]] = {c: [] for c in company_ids}
    override_users: dict[int, User] = {}
    override_ids = list(request.publish_override_contact_ids)
    if company_ids:
        for user in session.exec(
            select(User).where(col(User.company_id).in_(company_ids), col(User.is_staff).is_(False))
        ).all():
            if user.id is None or user.company_id is None:
                continue
            if user.is_active:
                contacts[user.company_id].append(user)
            override_users[user.id] = user
    all_contact_ids = sorted(override_users)
    publish_prefs = {
        p.user_id: p.receive_published_files
        for p in session.exec(
            select(ContactPublishingPreference).where(
                col(ContactPublishingPreference.user_id).in_(all_contact_ids or [-1])
            )
        ).all()
    }
    notify_prefs = {
        p.user_id: p
        for p in session.exec(
            select(NotificationPreference).where(
                col(NotificationPreference.user_id).in_(all_contact_ids or [-1]),
                NotificationPreference.notification_type == "file_published",
            )
        ).all()
    }
    existing = {
        (p.file_id, p.user_id): p
        for p in session.exec(
            select(FilePublication).where(col(FilePublication.file_id).in_(list(files) or [-1]))
        ).all()
    }
    portals = {
        p.company_id: p
        for p in session.exec(
            select(Portal).where(col(Portal.company_id).in_(company_ids or [-1]))
        ).all()
    }
    kind = TYPES["file_published"]
    now = utcnow()
    results: list[PublishResult] = []
    for raw_id in ids:
        result = PublishResult(file_id=raw_id)
        results.append(result)
        file = files.get(raw_id) if _is_id(raw_id) else None
        if file is None or file.id is None or file.approval_status not in VISIBLE_STATUSES:
            why = "File not found." if file is None else "The file is awaiting approval."
            result.publish_status = "fail"
            result.errors.append(
                {"code": "publish_failed", "title": "Publish failed.", "detail": why}
            )
            continue
        targets: dict[int, User] = {}
        failed_publish: list[object] = []
        for user in contacts.get(file.company_id, []):
            wanted = {
                Publishing.publish: True,
                Publishing.do_not_publish: False,
                Publishing.use_contact_preference: publish_prefs.get(user.id or 0, True),
            }[portal_publishing]
            if wanted and user.id is not None:
                targets[user.id] = user
        for oid in override_ids:
            found = override_users.get(oid) if _is_id(oid) else None
            if found is None or found.company_id != file.company_id or not found.is_active:
                failed_publish.append(oid)
            elif found.id is not None:
                targets[found.id] = found
        failed_notify: list[int] = []
        portal = portals.get(file.company_id)
        for user_id, user in sorted(targets.items()):
            pub = existing.get((file.id, user_id))
            if pub is None:
                pub = FilePublication(
                    file_id=file.id,
                    company_id=file.company_id,
                    user_id=user_id,
                    published_by_id=actor.user_id,
                    published_at=now,
                )
                existing[(file.id, user_id)] = pub
            session.add(pub)
            result.published_to.append(user_id)
            if contact_notification == Notifying.do_not_notify:
                continue
            pref = notify_prefs.get(user_id)
            if contact_notification == Notifying.use_contact_preference:
                in_app = pref.channel_in_app if pref else kind.in_app_default
                email = pref.channel_email if pref else kind.email_default
                if not (in_app or email):
                    continue
            else:
                in_app = email = True
            if email and not _deliverable(user.email):
                failed_notify.append(user_id)
                continue
            url = f"/p/{portal.slug}/files/{file.id}" if portal else None
            title = f"{file.name} was shared with you"
            if contact_notification == Notifying.notify:
                notify_forced(
                    session,
                    user=user,
                    user_id=user_id,
                    title=title,
                    url=url,
                    actor=actor,
                    file=file,
                )
            else:
                notify(
                    session,
                    user_ids=[user_id],
                    type="file_published",
                    title=title,
                    company_id=file.company_id,
                    actor=actor,
                    url=url,
                )
            pub.notified_at = now
            result.notified.append(user_id)
        if failed_publish:
            result.publish_status = "fail"
            result.errors.append(_error("publish_failed", "Publish", failed_publish))
        if failed_notify:
            result.notify_status = "fail"
            result.errors.append(_error("notification_failed", "Notification", failed_notify))
        if result.published_to:
            activity.record(
                session,
                actor=actor,
                company_id=file.company_id,
                action=Action.file_published,
                object_type="file",
                object_id=file.id,
                object_label=file.name,
                description=(
                    f"{actor.label or 'Staff'} published {file.name} to "
                    f"{len(result.published_to)} contact(s)"
                ),
            )
    session.flush()
    return results


def publish_file(
    session: Session, *, actor: Actor, file_id: int, request: PublishRequest
) -> PublishResult:
    """Publish one visible file from its page (NotFound for a file the actor cannot see)."""
    get_file(session, actor=actor, file_id=file_id)
    return publish_files(session, actor=actor, request=replace(request, files_id=[file_id]))[0]


def notify_forced(
    session: Session,
    *,
    user: User,
    user_id: int,
    title: str,
    url: str | None,
    actor: Actor,
    file: PortalFile,
) -> None:
    """``notify`` mode: an in-app notification and an email whatever the contact's settings."""
    from portal.models import Notification

    session.add(
        Notification(
            user_id=user_id,
            company_id=file.company_id,
            type="file_published",
            title=title[:300],
            url=url,
            actor_label=actor.label,
            email_wanted=False,
            emailed_at=utcnow(),
        )
    )
    queue_email(
        session,
        to=user.email,
        subject=title,
        text=f"{actor.label or 'Your team'} shared {file.name} with you.\n\n{url or ''}\n",
    )
