"""Publish files to a company's contacts and notify them (reference 001's semantics)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from portal.errors import BadRequest, Forbidden
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
from portal.tenancy import Actor
from services.events import activity
from services.events.mail import queue_email
from services.events.notifications import TYPES, notify
from services.files import VISIBLE_STATUSES, visible_files

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


def _enum(value: object, enum: type[StrEnum], name: str) -> StrEnum:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name} is required.", errors={name: ["Required."]})
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise BadRequest(
            f"{name} must be one of {allowed}.", errors={name: [f"One of {allowed}."]}
        ) from None


def parse_request(
    files_id: object, portal_publishing: object, contact_notification: object, overrides: object
) -> tuple[list[object], Publishing, Notifying, list[object]]:
    """Validate the request as a whole (400 for what reference 001 calls a bad request)."""
    if not isinstance(files_id, list) or not files_id:
        raise BadRequest("files_id is required.", errors={"files_id": ["A list of file ids."]})
    if len(files_id) > MAX_FILES:
        raise BadRequest(
            f"At most {MAX_FILES} files per request.",
            errors={"files_id": [f"At most {MAX_FILES} files."]},
        )
    publishing = _enum(portal_publishing, Publishing, "portal_publishing")
    notifying = _enum(contact_notification, Notifying, "contact_notification")
    if overrides is None:
        overrides = []
    if not isinstance(overrides, list):
        raise BadRequest(
            "publish_override_contact_ids must be a list.",
            errors={"publish_override_contact_ids": ["A list of user ids."]},
        )
    return files_id, publishing, notifying, overrides  # type: ignore[return-value]


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
    files_id: Iterable[object],
    portal_publishing: Publishing,
    contact_notification: Notifying,
    publish_override_contact_ids: Iterable[object] = (),
) -> list[PublishResult]:
    """Publish each file to its company's contacts; failures are reported per file, not raised."""
    if not (actor.is_staff and (actor.kind == "api_key" or actor.can("file.publish"))):
        raise Forbidden("Only staff can publish files.")
    ids = list(files_id)
    int_ids = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    files = {
        f.id: f
        for f in session.exec(
            visible_files(actor).where(PortalFile.id.in_(int_ids or [-1]))  # type: ignore[union-attr]
        ).all()
    }
    company_ids = sorted({f.company_id for f in files.values()})
    contacts: dict[int, list[User]] = {c: [] for c in company_ids}
    override_users: dict[int, User] = {}
    override_ids = list(publish_override_contact_ids or [])
    int_overrides = [o for o in override_ids if isinstance(o, int) and not isinstance(o, bool)]
    if company_ids:
        for user in session.exec(
            select(User).where(User.company_id.in_(company_ids), User.is_staff.is_(False))  # type: ignore[union-attr, attr-defined]
        ).all():
            if user.is_active:
                contacts[user.company_id].append(user)  # type: ignore[index]
            override_users[user.id] = user  # type: ignore[index]
    all_contact_ids = sorted(override_users)
    publish_prefs = {
        p.user_id: p.receive_published_files
        for p in session.exec(
            select(ContactPublishingPreference).where(
                ContactPublishingPreference.user_id.in_(all_contact_ids or [-1])  # type: ignore[attr-defined]
            )
        ).all()
    }
    notify_prefs = {
        p.user_id: p
        for p in session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id.in_(all_contact_ids or [-1]),  # type: ignore[attr-defined]
                NotificationPreference.notification_type == "file_published",
            )
        ).all()
    }
    existing = {
        (p.file_id, p.user_id): p
        for p in session.exec(
            select(FilePublication).where(FilePublication.file_id.in_(list(files) or [-1]))  # type: ignore[attr-defined]
        ).all()
    }
    portals = {
        p.company_id: p
        for p in session.exec(
            select(Portal).where(Portal.company_id.in_(company_ids or [-1]))
        ).all()  # type: ignore[attr-defined]
    }
    kind = TYPES["file_published"]
    now = utcnow()
    results: list[PublishResult] = []
    for raw_id in ids:
        result = PublishResult(file_id=raw_id)
        results.append(result)
        file = files.get(raw_id) if isinstance(raw_id, int) else None  # type: ignore[call-overload]
        if file is None or file.approval_status not in VISIBLE_STATUSES:
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
                Publishing.use_contact_preference: publish_prefs.get(user.id, True),  # type: ignore[arg-type]
            }[portal_publishing]
            if wanted:
                targets[user.id] = user  # type: ignore[index]
        for oid in override_ids:
            user = override_users.get(oid) if oid in int_overrides else None  # type: ignore[call-overload]
            if user is None or user.company_id != file.company_id or not user.is_active:
                failed_publish.append(oid)
            else:
                targets[user.id] = user  # type: ignore[index]
        failed_notify: list[int] = []
        portal = portals.get(file.company_id)
        for user_id, user in sorted(targets.items()):
            pub = existing.get((file.id, user_id))  # type: ignore[arg-type]
            if pub is None:
                pub = FilePublication(
                    file_id=file.id,  # type: ignore[arg-type]
                    company_id=file.company_id,
                    user_id=user_id,
                    published_by_id=actor.user_id,
                    published_at=now,
                )
                existing[(file.id, user_id)] = pub  # type: ignore[index]
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
                notify_forced(session, user=user, title=title, url=url, actor=actor, file=file)
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


def notify_forced(
    session: Session, *, user: User, title: str, url: str | None, actor: Actor, file: PortalFile
) -> None:
    """``notify`` mode: an in-app notification and an email whatever the contact's settings."""
    from portal.models import Notification

    session.add(
        Notification(
            user_id=user.id,  # type: ignore[arg-type]
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
