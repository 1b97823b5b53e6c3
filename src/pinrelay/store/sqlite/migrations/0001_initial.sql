-- pinrelay schema, version 1.
-- Raw PII never lands here: events.body is the redacted message (PII replaced by its hash),
-- outbox.payload is the Pinterest-ready event (hashed keys only).

CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    write_key_hash  TEXT NOT NULL UNIQUE,   -- sha256 of the write key; the key itself is shown once
    write_key_hint  TEXT NOT NULL,          -- first characters, to recognise a key in the UI
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);

CREATE TABLE integrations (
    id                    TEXT PRIMARY KEY,
    source_id             TEXT NOT NULL REFERENCES sources (id),
    vendor                TEXT NOT NULL,
    name                  TEXT NOT NULL,
    enabled               INTEGER NOT NULL,
    ad_account_id         TEXT NOT NULL,
    conversion_token_enc  BLOB NOT NULL,     -- Fernet ciphertext
    conversion_token_hint TEXT NOT NULL,     -- last 4 characters, for the masked form
    test_mode             INTEGER NOT NULL DEFAULT 0,
    consent_categories    TEXT NOT NULL DEFAULT '[]',
    settings              TEXT NOT NULL DEFAULT '{}',
    paused_reason         TEXT,             -- set when Pinterest rejected the token or account
    created_at            REAL NOT NULL,
    updated_at            REAL NOT NULL
);
CREATE INDEX integrations_by_source ON integrations (source_id);

CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id     TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    name          TEXT,
    user_id       TEXT,
    anonymous_id  TEXT,
    received_at   REAL NOT NULL,
    body          TEXT NOT NULL,            -- redacted Segment message (JSON)
    trace         TEXT NOT NULL,            -- per integration: pipeline, outcome, reason (JSON)
    UNIQUE (source_id, message_id)          -- an SDK retry is stored once
);
CREATE INDEX events_by_received ON events (received_at);

CREATE TABLE outbox (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id   TEXT NOT NULL,
    event_seq        INTEGER NOT NULL,
    event_id         TEXT NOT NULL,
    event_name       TEXT NOT NULL,
    event_time       INTEGER NOT NULL,
    payload          BLOB NOT NULL,         -- the event in Pinterest's wire format (JSON bytes)
    created_at       REAL NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL NOT NULL,
    lease_until      REAL NOT NULL DEFAULT 0,
    last_error       TEXT,
    warning          TEXT,
    updated_at       REAL NOT NULL
);
CREATE INDEX outbox_due ON outbox (integration_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_by_integration ON outbox (integration_id, seq);

CREATE TABLE delivery_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id  TEXT NOT NULL,
    started_at      REAL NOT NULL,
    duration_ms     REAL NOT NULL,
    batch_size      INTEGER NOT NULL,
    http_status     INTEGER,                -- NULL when nothing came back
    outcome         TEXT NOT NULL,          -- delivered | partial | failed | retry | paused
    message         TEXT,
    test            INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_by_integration ON delivery_attempts (integration_id, id);

CREATE TABLE identities (
    source_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- user | anonymous
    subject     TEXT NOT NULL,              -- the userId or anonymousId
    match_keys  TEXT NOT NULL,              -- {"em": ["<sha256>"], ...}: hashes only
    updated_at  REAL NOT NULL,
    PRIMARY KEY (source_id, kind, subject)
) WITHOUT ROWID;
