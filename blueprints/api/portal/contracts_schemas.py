"""Reference 000 shapes for contracts (camelCase keys, string ids)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.billing.contracts import ContractRow, SignerState


class WorkerContractSignerOut(BaseModel):
    id: str
    name: str
    email: str
    status: Literal["pending", "signed"]
    signedAt: datetime | None
    sha256: str | None = Field(description="The document hash the signature is bound to")


class WorkerContractOut(BaseModel):
    id: str
    companyId: str
    companyName: str
    title: str
    message: str
    fileName: str
    sha256: str = Field(description="SHA-256 of the document every signature is bound to")
    status: Literal["awaiting_signatures", "signed"]
    signers: list[WorkerContractSignerOut]
    createdAt: datetime


class WorkerContractsOut(BaseModel):
    contracts: list[WorkerContractOut]


def worker_signer(state: SignerState) -> dict[str, Any]:
    signature = state.signature
    return {
        "id": str(state.signer.id),
        "name": state.signer.name,
        "email": state.signer.email,
        "status": "signed" if signature else "pending",
        "signedAt": signature.signed_at if signature else None,
        "sha256": signature.sha256 if signature else None,
    }


def worker_contract(row: ContractRow) -> dict[str, Any]:
    c = row.contract
    return {
        "id": str(c.id),
        "companyId": str(c.company_id),
        "companyName": row.company_name,
        "title": c.title,
        "message": c.message,
        "fileName": c.original_name,
        "sha256": c.sha256,
        "status": "signed" if row.status == "signed" else "awaiting_signatures",
        "signers": [worker_signer(s) for s in row.signers],
        "createdAt": c.created_at,
    }
