-- issue 3: match keys and identity.
-- A source's default country reads phone numbers written without their country code.
ALTER TABLE sources ADD COLUMN default_country TEXT NOT NULL DEFAULT 'US';

-- The Pinterest click id remembered for a user or a device (raw: pinterest-capi.md §5.4 says
-- it is never hashed), with the event time of the landing that brought it: the freshest wins.
ALTER TABLE identities ADD COLUMN click_id TEXT;
ALTER TABLE identities ADD COLUMN click_id_at REAL NOT NULL DEFAULT 0;

-- Match quality: per integration and hour, how many queued events carried each key.
-- Counters, not rows per event: the ingest commit adds to a few rows per group.
-- key '_events' counts the events themselves.
CREATE TABLE match_key_counts (
    integration_id  TEXT NOT NULL,
    hour            INTEGER NOT NULL,         -- unix time // 3600 of the ingest
    key             TEXT NOT NULL,            -- em, ph, ..., click_id, ip_ua, _events
    events          INTEGER NOT NULL,
    PRIMARY KEY (integration_id, hour, key)
) WITHOUT ROWID;
