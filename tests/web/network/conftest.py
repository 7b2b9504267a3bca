from __future__ import annotations

import pytest

from tests.factories.network import make_site


@pytest.fixture
def sites(db, tenants):
    """Acme: HQ (32 devices) and a warehouse; Acme Retail: a store; Globex: none; one unlinked."""
    tenants.hq = make_site(db, tenants.acme, name="Acme HQ")
    tenants.warehouse = make_site(db, tenants.acme, name="Acme Warehouse", template="acmewh02")
    tenants.store = make_site(db, tenants.retail, name="Retail Store", template="retail03")
    tenants.lab = make_site(db, None, name="Unlinked Lab", template="nwlab04")
    return tenants
