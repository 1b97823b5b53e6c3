"""Files only the pinrelay user may read: the database (hashed PII, encrypted tokens) and the
key that decrypts those tokens.

SQLite creates its database with the process umask (usually 0644: readable by every local
user) and gives the `-wal` and `-shm` files the database's own mode, so creating the
database file 0600 before SQLite opens it keeps all three private.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import structlog

logger = structlog.get_logger(__name__)

PRIVATE_MODE = 0o600


def create_private(path: Path) -> bool:
    """Create `path` empty with mode 0600 if it does not exist; True if it was created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        warn_if_shared(path)
        return False
    os.close(descriptor)
    return True


def warn_if_shared(path: Path) -> None:
    """Log (never change) an existing file that other users may read: a backup job may
    rely on its mode, so the operator decides; the message says how."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning(
            "file readable by other users",
            action="files.shared",
            path=str(path),
            mode=oct(mode),
            fix=f"chmod 600 {path}",
        )
