"""Single sign-on: map verified OpenID Connect claims to an existing Stoa account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from portal.config import SsoProvider
from portal.errors import Forbidden
from portal.models import Company, User
from portal.models.base import utcnow
from services.accounts.auth import SignIn, signed_in


def sign_in_with_claims(
    session: Session, *, provider: SsoProvider, claims: Mapping[str, Any]
) -> SignIn:
    """The active account the identity provider vouched for, signed in; or Forbidden.

    Only verified emails count; a staff provider signs in staff only, a company provider only
    that company's people. Nobody is created here: accounts come from invitations.
    """
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        raise Forbidden("Your identity provider did not confirm your email address.")
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        raise Forbidden(f"There is no active account for {email}. Ask for an invitation.")
    if provider.company_slug is None:
        if not user.is_staff:
            raise Forbidden("This sign-in option is for agency staff.")
    else:
        company = session.exec(select(Company).where(Company.slug == provider.company_slug)).first()
        if company is None or user.company_id != company.id:
            raise Forbidden("This sign-in option is for another organisation.")
    user.last_login_at = utcnow()
    session.add(user)
    return signed_in(session, user)
