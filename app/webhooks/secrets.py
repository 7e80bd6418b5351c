"""A webhook's secret: random, shown once, kept encrypted (the server needs it to sign, so it cannot be hashed).

Stored with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key derived with HKDF-SHA256 from
the app's secret key (``DIALOOG_SECRET_KEY``): a copy of the database alone does not reveal the secrets. Changing
the secret key makes the stored secrets unreadable: rotate each webhook's secret after that.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import get_settings

PREFIX = "whsec_"


def new_secret() -> str:
    """``whsec_`` and 32 random bytes, base64url."""
    return PREFIX + secrets.token_urlsafe(32)


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"dialoog webhook secrets").derive(
        get_settings().resolved_secret_key().encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()
