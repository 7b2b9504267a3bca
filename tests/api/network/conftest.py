from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from portal.models.network import NetworkSite
from tests.fakes.network_controller import API_KEY, FakeController


@pytest.fixture
def live_controller(runtime, monkeypatch):
    with FakeController() as fake:
        monkeypatch.setattr(
            runtime,
            "settings",
            replace(
                runtime.settings, network_controller_url=fake.url, network_controller_key=API_KEY
            ),
        )
        yield fake


@pytest.fixture
def synced(db, tenants, live_controller):
    """The fake controller synced in, its HQ linked to Acme."""
    from services.network.connector import ControllerClient
    from services.network.sync import sync_controller

    sync_controller(session=db, client=ControllerClient(live_controller.url, API_KEY, backoff=0))
    hq = db.exec(select(NetworkSite).where(NetworkSite.controller_site == "acmehq01")).one()
    hq.company_id = tenants.acme.id
    db.add(hq)
    db.flush()
    tenants.hq = hq
    return tenants


@pytest.fixture
def held_jobs(monkeypatch):
    """Jobs queued by requests are held here instead of running (a worker that has not got to
    them yet); ``held_jobs.run()`` then runs them through the real job runner."""
    from portal import jobs

    class Held(list):
        def run(self) -> None:
            while self:
                _delay, name, args = self.pop(0)
                jobs.run_job(name, *args)

    held = Held()
    monkeypatch.setattr(
        jobs, "dispatch_in", lambda delay, name, *args: held.append((delay, name, args))
    )
    return held
