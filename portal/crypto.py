"""Symmetric encryption for secrets at rest (webhook secrets, connection credentials, vault).

``STOA_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys: the first encrypts, every key
decrypts. To rotate, put a new key first, run :func:`rotate` over stored tokens, then drop the old
key.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from portal.runtime import get_runtime

__all__ = ["DecryptionError", "decrypt", "encrypt", "rotate"]


class DecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("no encryption keys configured")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _fernet(keys: Sequence[str] | None) -> MultiFernet:
    return _multi(tuple(keys) if keys is not None else get_runtime().settings.encryption_keys)


def encrypt(plaintext: str, *, keys: Sequence[str] | None = None) -> str:
    """Encrypt with the first key; the result is an ASCII token safe to store in a text column."""
    return _fernet(keys).encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, keys: Sequence[str] | None = None) -> str:
    """Decrypt with whichever configured key made ``token``."""
    try:
        return _fernet(keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("secret cannot be decrypted with the configured keys") from exc


def rotate(token: str, *, keys: Sequence[str] | None = None) -> str:
    """Re-encrypt ``token`` under the first key (after a new key was put first)."""
    try:
        return _fernet(keys).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("secret cannot be decrypted with the configured keys") from exc
