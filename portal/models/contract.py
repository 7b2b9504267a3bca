"""Contracts with signers (the Invoices tab's Contracts section).

A contract is a document staff upload (through the files pipeline; its SHA-256 is kept) and the
people who must sign it. Visibility follows reference 000: a company sees a contract when any
signer's email belongs to one of its contacts (group-aware through the actor's companies);
staff also see the contracts of the portals they manage (:meth:`Contract.__tenant_condition__`).
A signature is an immutable receipt bound to the document's hash, like a deliverable approval.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    exists,
    or_,
)
from sqlalchemy import select as sa_select
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.models.user import User
from portal.validation import InputModel

MAX_SIGNERS = 10


class Contract(SQLModel, table=True):
    """A document to sign. ``company_id`` is the portal it was prepared in (staff scoping)."""

    __tablename__ = "contract"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    title: str = Field(max_length=200)
    message: str = Field(default="", max_length=2000)
    original_name: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=120)
    size: int = 0
    sha256: str = Field(max_length=64)
    storage_key: str = Field(default="", max_length=300)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __tenant_condition__(cls, company_ids: list[int], staff: bool) -> Any:
        """Rows visible to an actor seeing ``company_ids``: a signer is one of their contacts;
        staff also see what was prepared in their portals."""
        contacts = sa_select(col(User.email)).where(col(User.company_id).in_(company_ids))
        signer = exists(
            sa_select(col(ContractSigner.id)).where(
                col(ContractSigner.contract_id) == col(cls.id),
                col(ContractSigner.email).in_(contacts),
            )
        )
        return or_(col(cls.company_id).in_(company_ids), signer) if staff else signer


class ContractSigner(SQLModel, table=True):
    """Someone who must sign; ``email`` is lower-cased (it is matched to portal users)."""

    __tablename__ = "contract_signer"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("contract.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    name: str = Field(max_length=200)
    email: str = Field(sa_column=Column(String(254), nullable=False, index=True))


class ContractSignature(SQLModel, table=True):
    """Immutable proof of a signature: who signed which exact document (its SHA-256), when,
    from where, with the name they typed and the consent they gave."""

    __tablename__ = "contract_signature"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("signer_id", name="uq_contract_signature_signer"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    contract_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("contract.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    signer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("contract_signer.id", ondelete="CASCADE"), nullable=False
        )
    )
    contract_title: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    signer_email: str = Field(max_length=254)
    typed_name: str = Field(max_length=200)
    consent: str = Field(sa_column=Column(Text, nullable=False))
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


@event.listens_for(ContractSignature, "before_update")
def _signatures_are_immutable(_mapper: Any, _conn: Any, target: ContractSignature) -> None:
    raise ValueError(f"contract signature {target.id} is immutable")


# Input families ------------------------------------------------------------------------------


class SignerIn(InputModel):
    name: str = pydantic.Field(min_length=1, max_length=200)
    email: str = pydantic.Field(min_length=3, max_length=254)


class ContractCreate(InputModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    message: str = pydantic.Field(default="", max_length=2000)
    signers: list[SignerIn] = pydantic.Field(min_length=1, max_length=MAX_SIGNERS)


class ContractSign(InputModel):
    typed_name: str = pydantic.Field(min_length=1, max_length=200)
    consent: bool = False
