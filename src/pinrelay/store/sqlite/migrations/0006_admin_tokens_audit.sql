-- Admin tokens beyond PINRELAY_ADMIN_TOKEN, and the audit log of configuration changes.

CREATE TABLE admin_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,   -- sha256 of the token; the token is shown once
    token_hint  TEXT NOT NULL,
    created_at  REAL NOT NULL,
    revoked_at  REAL                    -- set once; a revoked token never works again
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          REAL NOT NULL,
    actor       TEXT NOT NULL,          -- "env" (PINRELAY_ADMIN_TOKEN) or an admin token id
    action      TEXT NOT NULL,          -- e.g. integration.update
    target      TEXT NOT NULL,          -- the id of what changed
    details     TEXT NOT NULL           -- JSON: the fields changed, secrets masked
);
CREATE INDEX audit_log_by_at ON audit_log (at);
