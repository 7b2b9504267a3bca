"""/api/portal: the client's contracts (reference 000): those where any signer's email belongs
to the client's company contacts. Group-aware."""

from __future__ import annotations

from typing import Any

from blueprints.api import WORKER_SECURITY, api_blueprint
from blueprints.api.auth import require_client
from blueprints.api.portal.contracts_schemas import WorkerContractsOut, worker_contract
from portal.db import get_session
from services.billing.contracts import api_contracts

bp = api_blueprint(
    "api_worker_contracts",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: contracts",
    description="Contracts to sign and their signers (reference 000).",
    security=WORKER_SECURITY,
)


@bp.get("/contracts", summary="List contracts", responses={200: WorkerContractsOut})
def worker_contracts() -> dict[str, Any]:
    """Contracts where any signer's email belongs to the client's company contacts (the
    company and its children), newest first, with each signer's status. Group-aware."""
    rows = api_contracts(get_session(), actor=require_client())
    return {"contracts": [worker_contract(r) for r in rows]}
