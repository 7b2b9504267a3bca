"""People factories: an open invitation whose link (token) the test keeps."""

from __future__ import annotations

from sqlmodel import Session

from portal.models import Company, Invitation
from portal.models.base import utcnow
from services.accounts.auth import INVITE_TTL
from services.accounts.tokens import new_link_token


def make_invitation(
    db: Session, company: Company, email: str = "new.person@example.test", role: str = "viewer"
) -> tuple[Invitation, str]:
    """An open invitation to ``company`` and its link's token."""
    token, token_hash = new_link_token()
    inv = Invitation(
        company_id=company.id,  # type: ignore[arg-type]
        email=email,
        role=role,
        token_hash=token_hash,
        expires_at=utcnow() + INVITE_TTL,
    )
    db.add(inv)
    db.flush()
    return inv, token
