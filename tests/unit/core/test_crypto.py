from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from portal import crypto


def test_round_trip_with_the_configured_keys(app) -> None:
    with app.app_context():
        token = crypto.encrypt("s3cret value")
        assert "s3cret" not in token
        assert crypto.decrypt(token) == "s3cret value"


def test_rotation_new_key_encrypts_old_keys_still_decrypt() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = crypto.encrypt("whsec_abc", keys=[old])

    # After rotation the new key comes first: old tokens still read, new ones use the new key.
    assert crypto.decrypt(stored, keys=[new, old]) == "whsec_abc"
    fresh = crypto.encrypt("whsec_abc", keys=[new, old])
    assert crypto.decrypt(fresh, keys=[new]) == "whsec_abc"

    rotated = crypto.rotate(stored, keys=[new, old])
    assert crypto.decrypt(rotated, keys=[new]) == "whsec_abc"  # the old key can now be dropped
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, keys=[new])


def test_unknown_key_or_garbage_is_a_clear_error() -> None:
    token = crypto.encrypt("x", keys=[Fernet.generate_key().decode()])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, keys=[Fernet.generate_key().decode()])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("not-a-token", keys=[Fernet.generate_key().decode()])
