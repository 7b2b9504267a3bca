from __future__ import annotations

from tests.api.conftest import bearer
from tests.factories.billing import make_contract, sign_as


def worker(token: str, company, role: str = "viewer") -> dict[str, str]:  # noqa: ANN001
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role})


def test_worker_lists_contracts_by_signer_group_aware(client, db, tenants, service_token) -> None:
    ours = make_contract(
        db, tenants.staff_admin, tenants.acme, [tenants.acme_admin, ("Counsel", "c@law.test")]
    )
    sign_as(db, tenants.acme_admin, ours)
    child = make_contract(db, tenants.staff_admin, tenants.retail, [tenants.retail_admin])
    make_contract(db, tenants.staff_admin, tenants.acme, [("Nobody", "n@law.test")])
    make_contract(db, tenants.staff_admin, tenants.globex, [tenants.globex_admin])
    resp = client.get("/api/portal/contracts", headers=worker(service_token, tenants.acme))
    assert resp.status_code == 200, resp.get_json()
    contracts = resp.get_json()["contracts"]
    assert {c["id"] for c in contracts} == {str(ours.id), str(child.id)}
    first = next(c for c in contracts if c["id"] == str(ours.id))
    assert first["status"] == "awaiting_signatures" and first["sha256"] == ours.sha256
    assert [s["status"] for s in first["signers"]] == ["signed", "pending"]
    assert first["signers"][0]["sha256"] == ours.sha256 and first["signers"][0]["signedAt"]
    assert first["companyId"] == str(tenants.acme.id)
    # a child company never sees its parent's
    resp = client.get("/api/portal/contracts", headers=worker(service_token, tenants.retail))
    assert [c["id"] for c in resp.get_json()["contracts"]] == [str(child.id)]
    resp = client.get("/api/portal/contracts", headers=worker(service_token, tenants.globex))
    assert str(ours.id) not in {c["id"] for c in resp.get_json()["contracts"]}
