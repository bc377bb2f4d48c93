"""The audit keyring (审计密钥): the keys of the chain's HMACs, kept outside the database.

``RISKCTL_AUDIT_KEY`` is the key new entries are signed with; ``RISKCTL_AUDIT_OLD_KEYS``
(comma-separated) keeps earlier keys after a rotation so that the entries they signed
still verify. A key's id is derived from the key itself (the first 16 hex digits of a
SHA-256 over it), so an entry names the key that signed it without revealing it, and
an operator cannot pair a key with the wrong id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app

_ID_PREFIX = b"riskctl-audit-key-id\x00"


def key_id(secret: str) -> str:
    return hashlib.sha256(_ID_PREFIX + secret.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The current key (``current_id``) and every key that may have signed an entry."""

    current_id: str
    keys: dict[str, bytes]

    @classmethod
    def of(cls, current: str, old: list[str] | tuple[str, ...] = ()) -> Keyring:
        if not current:
            raise ValueError("the audit key must not be empty")
        keys = {key_id(secret): secret.encode() for secret in (*old, current) if secret}
        return cls(key_id(current), keys)

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def split_keys(value: str | None) -> list[str]:
    """``RISKCTL_AUDIT_OLD_KEYS``: keys separated by commas (blanks ignored)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def keyring() -> Keyring:
    """The configured keyring of the running app."""
    config = current_app.config
    old = config.get("AUDIT_OLD_KEYS") or []
    return Keyring.of(config["AUDIT_KEY"], split_keys(old) if isinstance(old, str) else old)
