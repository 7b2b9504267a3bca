"""Sign-in, throttling, invitations and magic links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, delete, func, select, update

from portal import passwords
from portal.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from portal.models import Company, Invitation, MagicLink, Portal, User, UserSession
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.user import InvitationAccept, InviteCreate, PasswordChange, ProfileUpdate
from portal.principal import SESSION_LIFETIME
from portal.ratelimit import CounterStore
from portal.runtime import get_runtime
from portal.tenancy import Actor, get_for_actor
from services.accounts.tokens import digest, new_link_token
from services.events import activity, mail
from services.portals import can_manage_people, landing_url
from services.portals.admin import get_portal

# Sign-in throttling (see authenticate): attempts per window
THROTTLE_WINDOW = 15 * 60
ACCOUNT_IP_LIMIT = 10  # one account from one address
ACCOUNT_LIMIT = 10  # one account from all the addresses it has not signed in from, together
KNOWN_ADDRESS_TTL = timedelta(days=90)
IP_REFUSED = "Too many failed sign-ins from your network. Try again later."
ACCOUNT_REFUSED = (
    "Too many failed sign-ins for this account. Try again in {wait}, or request a sign-in link."
)
NEW_PLACE_REFUSED = (
    "Too many failed sign-ins for this account from new places. Try again in {wait}, sign in "
    "where you usually do, or request a sign-in link."
)
INVITE_TTL = timedelta(days=7)
INVITES_PER_PORTAL_PER_HOUR = 20
MAGIC_TTL = timedelta(minutes=15)
MAGIC_REQUESTS_PER_HOUR = 5


@dataclass(frozen=True)
class SignIn:
    """Someone who just proved who they are, and where they go next."""

    user: User
    landing: str  # their home: /admin/ for staff, their portal's landing tab for clients
    session_key: str  # names this browser's server-side session (kept in its cookie)
    next_url: str | None = None  # where a sign-in link asked to go (a same-site check remains)


def open_session(session: Session, *, user: User) -> str:
    """A new server-side session for ``user``; returns the key its cookie carries.

    The user's sessions older than a cookie can live are deleted on the way.
    """
    session.exec(
        delete(UserSession).where(
            col(UserSession.user_id) == user.id,
            col(UserSession.created_at) < utcnow() - SESSION_LIFETIME,
        )
    )
    key, key_hash = new_link_token()
    session.add(UserSession(user_id=user.id, key_hash=key_hash))  # type: ignore[arg-type]
    session.flush()
    return key


def signed_in(session: Session, user: User, next_url: str | None = None) -> SignIn:
    """``user`` signed in: a new server-side session and where they land."""
    return SignIn(
        user=user,
        landing=landing_url(session, user=user),
        session_key=open_session(session, user=user),
        next_url=next_url,
    )


def normalise_email(raw: str) -> str:
    """Validate an address (no DNS lookups) and return it lower-cased; raise Invalid."""
    try:
        # `.test` addresses are allowed: demo data and staging installs use them
        info = validate_email(
            (raw or "").strip(), check_deliverability=False, test_environment=True
        )
    except EmailNotValidError:
        raise Invalid(
            "That is not a valid email address.",
            code="invalid_email",
            errors={"email": ["Enter a valid email address."]},
        ) from None
    return info.normalized.lower()


def _count(store: CounterStore, key: str, limit: int, window: int, message: str) -> None:
    """Count one attempt under ``key`` and refuse it past ``limit`` (hit first, then compare)."""
    count, reset_in = store.hit(key, window)
    if count > limit:
        minutes = max(1, round(reset_in / 60))
        raise RateLimited(
            message.format(wait=f"{minutes} minute{'s' if minutes != 1 else ''}"),
            retry_after=reset_in,
        )


def authenticate(session: Session, *, email: str, password: str, ip: str) -> SignIn:
    """Check credentials, throttled in counters every worker shares (Redis or the database).

    Each attempt is counted *before* the password is checked, in one atomic step that returns
    the new count, so parallel guesses cannot slip past a limit:

    * per address: ``login_ip_limit`` attempts per window (a success gives its attempt back,
      so an office behind one address can still sign in);
    * per account and address: ``ACCOUNT_IP_LIMIT``; signing in clears it;
    * per account, from addresses it has not signed in from in ``KNOWN_ADDRESS_TTL``:
      ``ACCOUNT_LIMIT`` together. Past it such addresses wait for the window to end, while
      the addresses the owner signs in from keep working — nobody can lock the owner out.

    A refused attempt is not counted by the earlier counters (it tested no password).
    """
    store = get_runtime().throttle
    account = digest(email.strip().lower())
    place = digest(ip)
    known_key = f"login-known:{account}:{place}"
    known = store.peek(known_key)[0] > 0
    counted: list[str] = []
    try:
        for key, limit, message in [
            (f"login-ip:{place}", get_runtime().settings.login_ip_limit, IP_REFUSED),
            (f"login-pair:{account}:{place}", ACCOUNT_IP_LIMIT, ACCOUNT_REFUSED),
            *([] if known else [(f"login-acct:{account}", ACCOUNT_LIMIT, NEW_PLACE_REFUSED)]),
        ]:
            _count(store, key, limit, THROTTLE_WINDOW, message)
            counted.append(key)
    except RateLimited:
        for key in counted:
            store.give_back(key)
        raise
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise Invalid(
            "Email or password is incorrect.",
            code="invalid_credentials",
            errors={"password": ["Email or password is incorrect."]},
        )
    ip_key, pair_key, *acct_key = counted
    store.give_back(ip_key)
    store.reset(pair_key)
    for key in acct_key:
        store.give_back(key)
    store.reset(known_key)  # known for KNOWN_ADDRESS_TTL from this sign-in
    store.hit(known_key, int(KNOWN_ADDRESS_TTL.total_seconds()))
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    return signed_in(session, user)


def sign_out(session: Session, *, session_key: str | None) -> None:
    """End one browser's session on the server: a copy of its cookie stops working too."""
    if session_key:
        session.exec(delete(UserSession).where(col(UserSession.key_hash) == digest(session_key)))


def _end_sessions(session: Session, *, user: User, keep_key: str | None = None) -> None:
    user.session_version += 1
    query = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep_key:
        query = query.where(col(UserSession.key_hash) != digest(keep_key))
    session.exec(query)
    session.add(user)


def sign_out_everywhere(session: Session, *, user: User) -> None:
    """End every session of ``user``, on every device."""
    _end_sessions(session, user=user)


def change_password(
    session: Session, *, user: User, data: PasswordChange, session_key: str | None
) -> None:
    """A new password (the current one must be right); every other session is signed out."""
    if not passwords.verify_password(user.password_hash, data.current_password):
        raise Invalid(errors={"current_password": ["That is not your current password."]})
    user.password_hash = passwords.hash_password(data.new_password)
    _end_sessions(session, user=user, keep_key=session_key)


def update_profile(session: Session, *, user: User, data: ProfileUpdate) -> User:
    user.name = data.name
    session.add(user)
    return user


# Invitations --------------------------------------------------------------------------------


def invite(
    session: Session, *, actor: Actor, company_id: int, data: InviteCreate, base_url: str
) -> Invitation:
    """Invite someone to a company's portal (client admins and staff). SPEC §4 errors."""
    company = get_for_actor(session, Company, company_id, actor)
    if not can_manage_people(actor):
        raise Forbidden("Only company admins can invite people.")
    address = normalise_email(data.email)
    if session.exec(select(User.id).where(User.email == address)).first() is not None:
        raise Conflict("A user with that email already exists.", code="user_exists")
    hour_ago = utcnow() - timedelta(hours=1)
    recent = session.exec(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.company_id == company.id, Invitation.created_at >= hour_ago)
    ).one()
    if recent >= INVITES_PER_PORTAL_PER_HOUR:
        raise RateLimited("More than 20 invitations were sent in the last hour.", retry_after=3600)
    token, token_hash = new_link_token()
    inv = Invitation(
        company_id=company.id,  # type: ignore[arg-type]
        email=address,
        name=data.name,
        role=data.role,
        token_hash=token_hash,
        invited_by_id=actor.user_id,
        expires_at=utcnow() + INVITE_TTL,
    )
    session.add(inv)
    session.flush()
    send_invitation_email(session, actor=actor, invitation=inv, token=token, base_url=base_url)
    activity.record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.client_invited,
        object_type="invitation",
        object_id=inv.id,
        object_label=address,
        description=f"{actor.label or 'Someone'} invited {address}",
    )
    return inv


def send_invitation_email(
    session: Session, *, actor: Actor, invitation: Invitation, token: str, base_url: str
) -> None:
    """Queue the email carrying ``token`` (the invitation's link) and remember it on the row."""
    company = session.get(Company, invitation.company_id)
    portal = session.exec(select(Portal).where(Portal.company_id == invitation.company_id)).first()
    title = portal.title if portal else (company.name if company else "client")
    link = f"{base_url.rstrip('/')}/invite/{token}"
    greeting = f"Hello {invitation.name}," if invitation.name else "Hello,"
    email = mail.queue_email(
        session,
        to=invitation.email,
        subject=f"You're invited to the {title} portal",
        text=(
            f"{greeting}\n\n{actor.label or 'Your team'} invited you to the {title} "
            "client portal.\n"
            f"Set your password and join here (valid for 7 days, one use):\n\n{link}\n"
        ),
    )
    invitation.email_id = email.id
    session.add(invitation)


def invite_to_portal(
    session: Session, *, actor: Actor, portal_id: int, data: InviteCreate, base_url: str
) -> Invitation:
    """:func:`invite` to the company of a portal the actor may see (the API's way in)."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    return invite(session, actor=actor, company_id=portal.company_id, data=data, base_url=base_url)


REVOKED_INVITATION = "This invitation was withdrawn, so its link no longer works."


def pending_invitation(session: Session, *, token: str) -> Invitation:
    inv = session.exec(select(Invitation).where(Invitation.token_hash == digest(token))).first()
    if inv is not None and inv.revoked_at is not None:
        raise NotFound(REVOKED_INVITATION)
    if inv is None or inv.accepted_at is not None or inv.expires_at < utcnow():
        raise NotFound("This invitation link is invalid, used or expired.")
    return inv


def _use_invitation(session: Session, *, token: str) -> Invitation:
    """Mark a live invitation accepted in one conditional UPDATE: of two parallel uses, the
    second waits for the first's row lock, then finds it accepted and matches nothing."""
    now = utcnow()
    row = session.exec(
        update(Invitation)
        .where(
            col(Invitation.token_hash) == digest(token),
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) >= now,
        )
        .values(accepted_at=now)
        .returning(col(Invitation.id))
    ).first()
    if row is None:
        raise NotFound("This invitation link is invalid, used or expired.")
    inv = session.get(Invitation, row[0], populate_existing=True)
    assert inv is not None  # just updated in this transaction
    return inv


def accept_invitation(session: Session, *, token: str, data: InvitationAccept) -> SignIn:
    """The invitee's account, created from a live invitation (which is used up)."""
    inv = pending_invitation(session, token=token)
    if session.exec(select(User.id).where(User.email == inv.email)).first() is not None:
        raise Conflict(
            "An account with this email already exists. Sign in instead.", code="user_exists"
        )
    inv = _use_invitation(session, token=token)
    user = User(
        email=inv.email,
        name=data.name,
        password_hash=passwords.hash_password(data.password),
        company_id=inv.company_id,
        client_role=inv.role,
    )
    session.add(user)
    session.flush()
    return signed_in(session, user)


# Magic links --------------------------------------------------------------------------------


def request_magic_link(
    session: Session, *, email: str, base_url: str, next_url: str | None = None
) -> None:
    """Email a one-time sign-in link if the account exists; say nothing either way."""
    try:
        address = normalise_email(email)
    except Invalid:
        return
    get_runtime().limiter.check(f"magic:{digest(address)}", MAGIC_REQUESTS_PER_HOUR, 3600)
    user = session.exec(select(User).where(User.email == address)).first()
    if user is None or not user.is_active:
        return
    token = issue_magic_link(session, user=user, next_url=next_url)
    link = f"{base_url.rstrip('/')}/magic/{token}"
    mail.queue_email(
        session,
        to=address,
        subject="Your sign-in link",
        text=f"Sign in with this link (valid for 15 minutes, one use):\n\n{link}\n\n"
        "If you did not ask for it, ignore this email.",
    )


def issue_magic_link(session: Session, *, user: User, next_url: str | None = None) -> str:
    token, token_hash = new_link_token()
    session.add(
        MagicLink(
            user_id=user.id,  # type: ignore[arg-type]
            token_hash=token_hash,
            next_url=next_url,
            expires_at=utcnow() + MAGIC_TTL,
        )
    )
    session.flush()
    return token


def consume_magic_link(session: Session, *, token: str) -> SignIn:
    """Sign in with a live link, used up in one conditional UPDATE (two parallel uses: one wins)."""
    now = utcnow()
    row = session.exec(
        update(MagicLink)
        .where(
            col(MagicLink.token_hash) == digest(token),
            col(MagicLink.used_at).is_(None),
            col(MagicLink.expires_at) >= now,
        )
        .values(used_at=now)
        .returning(col(MagicLink.user_id), col(MagicLink.next_url))
    ).first()
    user = session.get(User, row[0]) if row is not None else None
    if row is None or user is None or not user.is_active:
        raise NotFound("This sign-in link is invalid, used or expired.")
    user.last_login_at = now
    session.add(user)
    return signed_in(session, user, row[1])
