"""Password hashes: the suite's cheap hasher (tests/conftest.py) must not hide how real hashes behave."""

from __future__ import annotations

from argon2 import PasswordHasher

from app.accounts import passwords
from tests import factories
from tests.helpers import login


def test_a_hash_made_with_other_parameters_verifies_and_is_rehashed_at_sign_in(client, db, fast_password_hashing):
    strong = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=2).hash(factories.PASSWORD)
    user = factories.provider_user(db, password_hash=strong)
    db.commit()
    assert passwords.verify_password(strong, factories.PASSWORD)
    assert passwords.needs_rehash(strong)

    assert login(client, user.email, factories.PASSWORD).status_code == 303
    db.refresh(user)
    assert user.password_hash != strong
    assert "m=8,t=1,p=1" in user.password_hash  # rehashed with the hasher in use
    assert not passwords.needs_rehash(user.password_hash)


def test_use_hasher_returns_the_one_it_replaces(fast_password_hashing):
    other = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
    previous = passwords.use_hasher(other)
    try:
        assert previous is fast_password_hashing
        assert "m=16,t=1,p=1" in passwords.hash_password("x")
    finally:
        assert passwords.use_hasher(previous) is other
