"""Password hashing with argon2id (argon2-cffi's recommended parameters).

One module-level hasher makes and checks every hash. ``use_hasher`` swaps it (the test suite uses a cheap one);
a hash keeps its own parameters, so hashes made by another hasher still verify and are rehashed on sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Make and check hashes with ``hasher`` from now on; returns the hasher it replaces (to restore it)."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
