"""Protection of personal data at rest (R-REG-5).

ID numbers and phone numbers are stored encrypted (AES-256-GCM, a fresh 96-bit nonce per
value), so that a database dump alone does not reveal them, and are found again through
a *blind index*: a keyed BLAKE2b digest of the normalised value, equal for equal values
and useless without the key. Both keys are derived from the one data key given to the
system (``FUPIN_DATA_KEY``) with HKDF, under different labels.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fupin-pii-v1", info=label).derive(secret)


class Vault:
    """Encrypts, decrypts and blind-indexes personal data with keys derived from ``secret``."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the data key must have at least 16 characters")
        raw = secret.encode()
        self._aead = AESGCM(_derive(raw, b"encrypt"))
        self._mac_key = _derive(raw, b"blind-index")

    def encrypt(self, value: str) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, value.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        blob = bytes(blob)
        return self._aead.decrypt(blob[:NONCE], blob[NONCE:], None).decode()

    def index(self, value: str) -> str:
        """32 hex characters; equal values give equal indexes under the same key."""
        return hashlib.blake2b(value.encode(), key=self._mac_key, digest_size=16).hexdigest()
