"""identity stage: match keys, their normalise-then-SHA-256 rules, click ids, redaction.

Pure functions, no I/O. Cookies, consent and clock skew join this package later.
"""

from pinrelay.identity.clickid import click_id_of
from pinrelay.identity.hashing import (
    HASHED_KEYS,
    is_sha256_hex,
    normalise,
    normalise_and_hash,
    sha256_hex,
)
from pinrelay.identity.matchkeys import match_keys_of, merge_match_keys
from pinrelay.identity.redaction import redact_pii

__all__ = [
    "HASHED_KEYS",
    "click_id_of",
    "is_sha256_hex",
    "match_keys_of",
    "merge_match_keys",
    "normalise",
    "normalise_and_hash",
    "redact_pii",
    "sha256_hex",
]
