"""Sign-in throttling (red-team #8): per account and IP, with a softer per-account back-off.

* ``ACCOUNT_IP_LIMIT`` attempts per account from one address per window, counted before the
  password is checked; signing in clears that address's count.
* Past ``ACCOUNT_LIMIT`` attempts for an account from addresses it has never signed in from,
  such addresses are refused for that account until the window ends — the addresses it has
  signed in from keep working, so a stranger cannot lock its owner out.
"""

from __future__ import annotations

from services.accounts.auth import ACCOUNT_IP_LIMIT, ACCOUNT_LIMIT
from tests.conftest import PASSWORD

HOME = "198.51.100.7"
ATTACKER = "203.0.113.9"
ELSEWHERE = "192.0.2.50"


def _sign_in(client, email, password=PASSWORD, ip="127.0.0.1"):
    resp = client.post(
        "/login",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": ip},
    )
    if resp.status_code == 303:
        client.post("/logout")
    return resp


def test_a_stranger_cannot_lock_the_owner_out_of_their_usual_address(client, tenants) -> None:
    email = tenants.acme_admin.email
    assert _sign_in(client, email, ip=HOME).status_code == 303  # HOME is now known
    statuses = [_sign_in(client, email, f"guess-{i}", ip=ATTACKER).status_code for i in range(30)]
    assert statuses.count(422) == ACCOUNT_IP_LIMIT and statuses[-1] == 429
    assert _sign_in(client, email, ip=ATTACKER).status_code == 429  # even the right password
    assert _sign_in(client, email, ip=HOME).status_code == 303  # the owner is not locked out


def test_many_addresses_together_get_only_the_account_limit(client, tenants) -> None:
    email = tenants.acme_admin.email
    statuses = [
        _sign_in(client, email, "guess", ip=f"203.0.113.{i}").status_code for i in range(1, 40)
    ]
    assert statuses.count(422) == ACCOUNT_LIMIT and statuses[-1] == 429
    refused = _sign_in(client, email, ip=ELSEWHERE)  # a new place waits, or uses a link
    assert refused.status_code == 429
    assert "sign-in link" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0


def test_signing_in_clears_the_count_for_that_address(client, tenants) -> None:
    email = tenants.acme_admin.email
    for _ in range(3):
        for _ in range(ACCOUNT_IP_LIMIT - 1):
            assert _sign_in(client, email, "typo-typo", ip=HOME).status_code == 422
        assert _sign_in(client, email, ip=HOME).status_code == 303


def test_one_address_guessing_one_account_leaves_other_accounts_alone(client, tenants) -> None:
    for _ in range(ACCOUNT_IP_LIMIT + 2):
        _sign_in(client, tenants.acme_admin.email, "guess", ip=ATTACKER)
    assert _sign_in(client, tenants.acme_collab.email, ip=ATTACKER).status_code == 303


def test_unknown_accounts_are_throttled_the_same_way(client) -> None:
    statuses = [
        _sign_in(client, "nobody@example.test", "guess", ip=ATTACKER).status_code
        for _ in range(ACCOUNT_IP_LIMIT + 1)
    ]
    assert statuses == [422] * ACCOUNT_IP_LIMIT + [429]
