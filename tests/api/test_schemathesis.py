"""Property-based run over /api/openapi.json: no 5xx, nothing outside the declared schema.

Every operation gets a few generated requests, valid and invalid, authenticated with an agency
key; responses must be documented status codes with bodies matching their schemas.

schemathesis' own pytest plugin does not run under pytest 9 (it reads ``node._nodeid``), so the
operations are walked here and each one's strategies are driven with hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation.modes import GenerationMode
from sqlmodel import select

from blueprints.api import auth
from portal.models import Portal
from services.accounts.tokens import create_api_key, create_service_token
from tests.factories.network import make_site

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}


@pytest.fixture
def api_schema(app, db, tenants, monkeypatch):
    monkeypatch.setattr(auth, "KEY_LIMIT", 100_000)
    monkeypatch.setattr(auth, "IP_LIMIT", 100_000)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def run_operation(
    operation, mode: GenerationMode, headers: dict[str, str], path: dict | None = None
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_conforms_to_its_schema(api_schema, db, tenants) -> None:
    _, secret = create_api_key(db, name="schemathesis")
    _, token = create_service_token(db, name="schemathesis")
    # schemathesis' WSGI transport does not undo Content-Encoding as an HTTP client does
    # (gzip itself is tested in tests/web/test_assets.py): ask for plain bodies
    plain = {"Accept-Encoding": "identity"}
    key_headers = {"Authorization": f"Bearer {secret}", **plain}
    worker_headers = {
        **plain,
        "Authorization": f"Bearer {token}",
        "X-Portal-Company-Id": str(tenants.acme.id),
        "X-Portal-User-Role": "admin",
        "X-Portal-User-Id": str(tenants.acme_admin.id),
    }
    # real ids too, so operations get past the 404 and their 200 bodies are checked
    real_ids = {
        "portal_id": db.exec(select(Portal.id).where(Portal.company_id == tenants.acme.id)).one(),
        "project_id": tenants.acme_project.id,
        "user_id": tenants.acme_collab.id,
        "company_id": tenants.acme.id,
        "site_id": make_site(db, tenants.acme).id,
    }
    failures = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        worker = operation.path.startswith("/api/portal/")
        headers = worker_headers if worker else key_headers
        names = {p.name for p in operation.path_parameters}
        runs: list[tuple[GenerationMode, dict | None]] = [
            (GenerationMode.POSITIVE, None),
            (GenerationMode.NEGATIVE, None),
        ]
        if names and names <= set(real_ids):
            runs.append((GenerationMode.POSITIVE, {n: real_ids[n] for n in names}))
        for mode, path in runs:
            try:
                run_operation(operation, mode, headers, path)
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode}, {path}]: {exc}")
    assert operations >= 8
    assert not failures, "\n\n".join(failures)
