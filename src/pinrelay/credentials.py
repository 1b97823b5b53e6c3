"""Write keys, conversion tokens and the key that encrypts them at rest.

- Write keys are random, shown once, and stored as SHA-256 (they carry 192 bits of entropy,
  so a fast hash is enough; no password-hashing needed).
- Conversion tokens must be sent to Pinterest, so they are encrypted (Fernet), not hashed.
- Anything shown back to a person is masked: a hint, never the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from pinrelay.errors import ConfigError
from pinrelay.privatefiles import PRIVATE_MODE, warn_if_shared

WRITE_KEY_PREFIX = "wk_"


def new_write_key() -> str:
    return WRITE_KEY_PREFIX + secrets.token_urlsafe(24)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def write_key_hint(key: str) -> str:
    """The first characters, enough to tell two keys apart in a list."""
    return key[: len(WRITE_KEY_PREFIX) + 4] + "…"


def token_hint(token: str) -> str:
    return token[-4:] if len(token) >= 12 else ""


def mask_token(hint: str) -> str:
    """The masked form of a conversion token, as every API response and page shows it."""
    return f"****{hint}" if hint else "****"


MIN_ADMIN_TOKEN_CHARS = 16
MIN_ADMIN_TOKEN_BITS = 56  # estimated as length x log2(distinct characters)


def weak_admin_token(token: str) -> str | None:
    """Why PINRELAY_ADMIN_TOKEN is too weak to guard the admin API, or None.

    The estimate is crude on purpose (length times log2 of the distinct characters): it
    refuses `a`, `changeme` or `1234567890123456` and accepts any random token of 16+
    characters, such as `secrets.token_urlsafe(32)`.
    """
    distinct = len(set(token))
    bits = len(token) * math.log2(distinct) if distinct > 1 else 0.0
    if len(token) >= MIN_ADMIN_TOKEN_CHARS and bits >= MIN_ADMIN_TOKEN_BITS:
        return None
    return (
        f"PINRELAY_ADMIN_TOKEN is too weak ({len(token)} characters, about {bits:.0f} bits): "
        f"use at least {MIN_ADMIN_TOKEN_CHARS} random characters, e.g. export "
        "PINRELAY_ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison, so response timing does not leak a token's prefix."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class SecretBox:
    """Encrypts and decrypts secrets at rest with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise ConfigError(
                "PINRELAY_SECRET_KEY is not a valid Fernet key (32 url-safe base64-encoded "
                'bytes); create one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from exc

    def encrypt(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode("utf-8")
        except InvalidToken as exc:
            raise ConfigError(
                "a stored secret cannot be decrypted: the secret key changed since it was "
                "saved; restore the old PINRELAY_SECRET_KEY or key file, or re-enter the token"
            ) from exc

    def can_decrypt(self, ciphertext: bytes) -> bool:
        try:
            self._fernet.decrypt(ciphertext)
        except InvalidToken:
            return False
        return True

    def __repr__(self) -> str:
        return "SecretBox(****)"


def load_secret_box(secret_key: str | None, key_file: Path | None) -> SecretBox:
    """The box from PINRELAY_SECRET_KEY, else from the key file, created (0600) if missing."""
    if secret_key:
        return SecretBox(secret_key.encode("ascii"))
    if key_file is None:
        raise ConfigError("no PINRELAY_SECRET_KEY and no key file: set one of them")
    if key_file.exists():
        warn_if_shared(key_file)
        return SecretBox(key_file.read_bytes().strip())
    key = Fernet.generate_key()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key + b"\n")
    return SecretBox(key)


def unreadable_secrets(names: list[str], key_source: str) -> ConfigError:
    """Why pinrelay refuses to start: stored tokens that this key cannot decrypt.

    Starting anyway would accept events that can never be delivered (the failure the
    issue saw: a restart from another directory made a new key file, silently).
    """
    listed = ", ".join(repr(name) for name in names[:5]) + (" ..." if len(names) > 5 else "")
    return ConfigError(
        f"{len(names)} integration(s) ({listed}) hold conversion tokens that {key_source} "
        "cannot decrypt: the secret key changed since they were saved. Restore the key "
        "they were saved with (the old key file at that path, set PINRELAY_SECRET_KEY_FILE to "
        "it, or set PINRELAY_SECRET_KEY) and start again; older versions kept the key file as "
        "pinrelay.key in the directory pinrelay was started from"
    )
