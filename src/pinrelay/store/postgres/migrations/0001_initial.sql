-- pinrelay on PostgreSQL, schema version 1 (the SQLite schema as of its migration 0007).
-- Raw PII never lands here: events.body is the redacted message, outbox.payload the
-- Pinterest-ready event (hashed keys only). Unlike SQLite, the outbox row is mutable: its
-- state and its lease live in the row, because several workers on several hosts share it.

-- Bumped in the same transaction as every change of sources, integrations, admin tokens or
-- pipelines: each process polls it and reloads its catalog cache when it moves.
CREATE TABLE catalog_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE sources (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    write_key_hash   TEXT NOT NULL UNIQUE,
    write_key_hint   TEXT NOT NULL,
    default_country  TEXT NOT NULL DEFAULT 'US',
    allowed_origins  TEXT NOT NULL DEFAULT '[]',
    cookie_domain    TEXT,
    consent_required BOOLEAN NOT NULL DEFAULT FALSE,
    tag_dedup        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       DOUBLE PRECISION NOT NULL,
    updated_at       DOUBLE PRECISION NOT NULL
);

CREATE TABLE integrations (
    id                    TEXT PRIMARY KEY,
    source_id             TEXT NOT NULL REFERENCES sources (id),
    vendor                TEXT NOT NULL,
    name                  TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL,
    ad_account_id         TEXT NOT NULL,
    conversion_token_enc  BYTEA NOT NULL,     -- Fernet ciphertext
    conversion_token_hint TEXT NOT NULL,
    test_mode             BOOLEAN NOT NULL DEFAULT FALSE,
    consent_categories    TEXT NOT NULL DEFAULT '[]',
    settings              TEXT NOT NULL DEFAULT '{}',
    paused_reason         TEXT,
    created_at            DOUBLE PRECISION NOT NULL,
    updated_at            DOUBLE PRECISION NOT NULL
);
CREATE INDEX integrations_by_source ON integrations (source_id);

CREATE TABLE events (
    seq           BIGSERIAL PRIMARY KEY,
    source_id     TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    name          TEXT,
    user_id       TEXT,
    anonymous_id  TEXT,
    received_at   DOUBLE PRECISION NOT NULL,
    body          TEXT NOT NULL,            -- redacted Segment message (JSON)
    trace         JSONB NOT NULL,           -- per integration: pipeline, outcome, reason
    UNIQUE (source_id, message_id)          -- an SDK retry is stored once
);
CREATE INDEX events_by_received ON events (received_at);

CREATE TABLE outbox (
    seq              BIGSERIAL PRIMARY KEY,
    integration_id   TEXT NOT NULL,
    event_seq        BIGINT NOT NULL,
    event_id         TEXT NOT NULL,
    event_name       TEXT NOT NULL,
    event_time       BIGINT NOT NULL,
    payload          BYTEA NOT NULL,
    created_at       DOUBLE PRECISION NOT NULL,
    queued_at        DOUBLE PRECISION NOT NULL,  -- received, or replayed
    status           TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DOUBLE PRECISION NOT NULL,
    lease_owner      TEXT,                      -- the store instance (host:pid:nonce) holding it
    lease_until      DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_error       TEXT,
    warning          TEXT,
    updated_at       DOUBLE PRECISION NOT NULL
);
-- Claims: never-tried events by seq, then due retries (two partial indexes, one per kind).
CREATE INDEX outbox_fresh ON outbox (integration_id, seq) WHERE status = 'pending' AND attempts = 0;
CREATE INDEX outbox_retry ON outbox (integration_id, next_attempt_at)
    WHERE status = 'pending' AND attempts > 0;
CREATE INDEX outbox_by_integration ON outbox (integration_id, seq);
CREATE INDEX outbox_by_event ON outbox (event_seq);
CREATE INDEX outbox_dead ON outbox (seq) WHERE status = 'dead';
CREATE INDEX outbox_delivered ON outbox (updated_at) WHERE status = 'delivered';

CREATE TABLE delivery_attempts (
    id              BIGSERIAL PRIMARY KEY,
    integration_id  TEXT NOT NULL,
    started_at      DOUBLE PRECISION NOT NULL,
    duration_ms     DOUBLE PRECISION NOT NULL,
    batch_size      INTEGER NOT NULL,
    http_status     INTEGER,
    outcome         TEXT NOT NULL,
    message         TEXT,
    test            BOOLEAN NOT NULL
);
CREATE INDEX delivery_attempts_by_integration ON delivery_attempts (integration_id, id);
CREATE INDEX delivery_attempts_by_started ON delivery_attempts (started_at);

CREATE TABLE identities (
    source_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    match_keys   TEXT NOT NULL,
    click_id     TEXT,
    click_id_at  DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (source_id, kind, subject)
);

CREATE TABLE match_key_counts (
    integration_id  TEXT NOT NULL,
    hour            BIGINT NOT NULL,
    key             TEXT NOT NULL,
    events          BIGINT NOT NULL,
    PRIMARY KEY (integration_id, hour, key)
);

CREATE TABLE integration_pipelines (
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    yaml           TEXT NOT NULL,
    created_at     DOUBLE PRECISION NOT NULL,
    updated_at     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (integration_id, name)
);

CREATE TABLE integration_pipeline_versions (
    integration_id TEXT NOT NULL,
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    yaml           TEXT,
    created_at     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (integration_id, name, version)
);

CREATE TABLE admin_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    token_hint  TEXT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    revoked_at  DOUBLE PRECISION
);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       DOUBLE PRECISION NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX audit_log_by_at ON audit_log (at);

-- The per-ad-account rate limit shared by every worker: a token bucket in one row, taken
-- from atomically with the database's clock (delivery/ratelimit.py is the in-memory twin).
CREATE TABLE rate_buckets (
    ad_account_id  TEXT PRIMARY KEY,
    tokens         DOUBLE PRECISION NOT NULL,
    updated_at     DOUBLE PRECISION NOT NULL,
    closed_until   DOUBLE PRECISION NOT NULL DEFAULT 0
);
