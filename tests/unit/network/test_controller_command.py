"""The fake controller as `make run` starts it: a process of its own that the connector reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.network.connector import (
    ControllerClient,
    ControllerRejected,
    ControllerUnavailable,
    fetch_snapshot,
)

ROOT = Path(__file__).resolve().parents[3]


def test_the_fake_controller_runs_as_a_command(tmp_path) -> None:
    errors = tmp_path / "controller.log"
    with (
        errors.open("wb") as log,
        subprocess.Popen(
            # port 0: the system picks a free one, and the fake prints the address it listens on
            [sys.executable, "-m", "tests.fakes.network_controller", "--port", "0"]
            + ["--api-key", "command-key"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        ) as proc,
    ):
        try:
            assert proc.stdout is not None
            banner = proc.stdout.readline()  # the fake prints it once it listens (or exits: "")
            assert banner.startswith("Fake network controller on http://127.0.0.1:"), (
                banner + errors.read_text()
            )
            url = banner.split(" on ", 1)[1].strip()
            client = ControllerClient(url, "command-key", timeout=(2.0, 10.0), retries=0)
            sites = {s["name"]: s["desc"] for s in client.sites()}
            assert sites["acmehq01"] == "Acme HQ — Main Street"
            assert {"acmewh02", "retail03"} <= set(sites)
            snapshot = fetch_snapshot(client, "acmehq01")
            assert {d.state for d in snapshot.devices} >= {"online", "offline"}
            assert any(w.is_guest for w in snapshot.wlans)
            with pytest.raises(ControllerRejected, match="credentials"):
                ControllerClient(url, "fake-controller-key", retries=0).sites()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    # stopped: nobody answers there any more
    with pytest.raises(ControllerUnavailable, match="cannot be reached"):
        ControllerClient(url, "command-key", timeout=(2.0, 2.0), retries=0).sites()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_starts_the_fake_controller_unless_one_is_named() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "NETWORK_"))}
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8219", "CONTROLLER_PORT=8218"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert 'if [ -z "${NETWORK_CONTROLLER_URL:-}" ]' in dry
    assert "-m tests.fakes.network_controller --port 8218" in dry
    assert "NETWORK_CONTROLLER_URL=http://127.0.0.1:8218" in dry
    # stopped with the server however it ends, and `make stop` finds it by the server's port
    assert "trap 'kill -TERM $fakes" in dry and "EXIT INT TERM" in dry
    assert "instance/controller-8219.pid" in dry


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_starts_a_fake_stripe_for_pay_now_unless_an_account_is_named() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "STRIPE_"))}
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8219", "STRIPE_PORT=8217"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert 'if [ -z "${STRIPE_SECRET_KEY:-}" ]' in dry
    # its signed webhook goes back to the server make run starts
    assert (
        "-m tests.fakes.stripe --port 8217 --webhook-url http://127.0.0.1:8219/webhooks/stripe"
        in dry
    )
    assert "STRIPE_API_BASE=http://127.0.0.1:8217" in dry
    assert "instance/stripe-8219.pid" in dry
