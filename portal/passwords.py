"""argon2id password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps unknown-account sign-ins as slow as real ones (no user enumeration).
_DUMMY_HASH: str | None = None

MIN_PASSWORD_LENGTH = 10


def configure(*, fast: bool = False) -> None:
    """Tests use cheap parameters; production keeps argon2-cffi's recommended ones."""
    global _hasher, _DUMMY_HASH
    _hasher = (
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    )
    _DUMMY_HASH = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    global _DUMMY_HASH
    if not password_hash:
        _DUMMY_HASH = _DUMMY_HASH or _hasher.hash("not-a-real-password")
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        problems.append("That password is too long.")
    return problems
