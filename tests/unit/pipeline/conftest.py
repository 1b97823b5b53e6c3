"""Helpers shared by the pipeline specifications."""

from __future__ import annotations

import hashlib
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
SEED_PIPELINE = FIXTURES / "pinterest-checkout.yaml"


def sha(text: str) -> str:
    """SHA-256 hex computed independently of pinrelay, for expected outputs."""
    return hashlib.sha256(text.encode()).hexdigest()
