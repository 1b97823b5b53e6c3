-- Named queries of the SQLite store, loaded by name (see pinrelay.store.sql).

-- name: insert_source
INSERT INTO sources (id, name, write_key_hash, write_key_hint, created_at, updated_at)
VALUES (:id, :name, :write_key_hash, :write_key_hint, :now, :now);

-- name: select_sources
SELECT id, name, write_key_hash, write_key_hint, created_at FROM sources ORDER BY created_at, id;

-- name: insert_integration
INSERT INTO integrations (id, source_id, vendor, name, enabled, ad_account_id,
                          conversion_token_enc, conversion_token_hint, test_mode,
                          consent_categories, settings, created_at, updated_at)
VALUES (:id, :source_id, :vendor, :name, :enabled, :ad_account_id, :conversion_token_enc,
        :conversion_token_hint, :test_mode, :consent_categories, :settings, :now, :now);

-- name: update_integration
UPDATE integrations
SET name = :name, enabled = :enabled, ad_account_id = :ad_account_id,
    conversion_token_enc = :conversion_token_enc, conversion_token_hint = :conversion_token_hint,
    test_mode = :test_mode, consent_categories = :consent_categories, settings = :settings,
    paused_reason = :paused_reason, updated_at = :now
WHERE id = :id;

-- name: pause_integration
UPDATE integrations SET paused_reason = :reason, updated_at = :now WHERE id = :id;

-- name: select_integrations
SELECT id, source_id, vendor, name, enabled, ad_account_id, conversion_token_enc,
       conversion_token_hint, test_mode, consent_categories, settings, paused_reason,
       created_at, updated_at
FROM integrations ORDER BY created_at, id;

-- name: insert_events
-- Multi-row: store/sqlite/writes.py repeats the VALUES group once per event of a request.
INSERT INTO events (source_id, message_id, type, name, user_id, anonymous_id, received_at,
                    body, trace)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_id, message_id) DO NOTHING
RETURNING seq, source_id, message_id;

-- name: insert_outbox_rows
-- Multi-row, like insert_events; what it returns is what the in-memory queues need (and
-- event_seq: which request of a merged write each row is from).
INSERT INTO outbox_events (integration_id, event_seq, event_id, event_name, event_time, payload,
                           created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING seq, integration_id, event_time, created_at, event_seq;

-- name: upsert_identities
-- Multi-row; an update without a click id keeps the remembered one.
INSERT INTO identities (source_id, kind, subject, match_keys, updated_at, click_id, click_id_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_id, kind, subject)
DO UPDATE SET match_keys = excluded.match_keys, updated_at = excluded.updated_at,
              click_id = coalesce(excluded.click_id, identities.click_id),
              click_id_at = CASE WHEN excluded.click_id IS NULL THEN identities.click_id_at
                                 ELSE excluded.click_id_at END;

-- name: insert_attempt
INSERT INTO delivery_attempts (integration_id, started_at, duration_ms, batch_size, http_status,
                               outcome, message, test)
VALUES (:integration_id, :started_at, :duration_ms, :batch_size, :http_status, :outcome,
        :message, :test);

-- name: select_outbox
-- The state of an entry is its latest mark; no mark: pending, never tried.
SELECT e.seq, e.integration_id, e.event_id, e.event_name, e.event_time,
       COALESCE(m.status, 'pending') AS status, COALESCE(m.attempts, 0) AS attempts,
       COALESCE(m.next_attempt_at, e.created_at) AS next_attempt_at, m.last_error, m.warning,
       e.created_at, COALESCE(m.at, e.created_at) AS updated_at
FROM outbox_events e
LEFT JOIN outbox_marks m ON m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = e.seq)
WHERE e.integration_id = :integration_id AND e.seq < :before
  AND (:status IS NULL OR COALESCE(m.status, 'pending') = :status)
ORDER BY e.seq DESC LIMIT :limit;

-- name: count_outbox
SELECT COALESCE(m.status, 'pending'), COUNT(*)
FROM outbox_events e
LEFT JOIN outbox_marks m ON m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = e.seq)
WHERE e.integration_id = :integration_id
GROUP BY 1;

-- name: select_attempts
SELECT id, integration_id, started_at, duration_ms, batch_size, http_status, outcome, message, test
FROM delivery_attempts WHERE integration_id = :integration_id ORDER BY id DESC LIMIT :limit;

-- name: select_events
-- The event debugger's filters; each is off when its parameter is NULL. An event's outcomes
-- live in its trace (one entry per integration and pipeline), searched with json_each.
SELECT seq, source_id, message_id, type, name, user_id, anonymous_id, received_at, body, trace
FROM events
WHERE seq < :before AND seq > :after
  AND (:source_id IS NULL OR source_id = :source_id)
  AND (:type IS NULL OR type = :type)
  AND (:name IS NULL OR name = :name)
  AND (:user_id IS NULL OR user_id = :user_id)
  AND (:anonymous_id IS NULL OR anonymous_id = :anonymous_id)
  AND (:since IS NULL OR received_at >= :since)
  AND (:until IS NULL OR received_at < :until)
  AND (:outcome IS NULL OR EXISTS (
        SELECT 1 FROM json_each(events.trace) WHERE json_extract(value, '$.outcome') = :outcome))
ORDER BY seq DESC LIMIT :limit;

-- name: select_event
SELECT seq, source_id, message_id, type, name, user_id, anonymous_id, received_at, body, trace
FROM events WHERE seq = :seq;

-- name: insert_admin_token
INSERT INTO admin_tokens (id, name, token_hash, token_hint, created_at)
VALUES (:id, :name, :token_hash, :token_hint, :now);

-- name: revoke_admin_token
UPDATE admin_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL;

-- name: select_admin_tokens
SELECT id, name, token_hash, token_hint, created_at, revoked_at FROM admin_tokens
ORDER BY created_at, id;

-- name: insert_audit
INSERT INTO audit_log (at, actor, action, target, details)
VALUES (:at, :actor, :action, :target, :details);

-- name: select_audit
SELECT id, at, actor, action, target, details FROM audit_log
WHERE id < :before ORDER BY id DESC LIMIT :limit;

-- name: prune_events
-- Retention: one chunk of the oldest events received before :cutoff (small chunks, so a
-- prune never holds the writer long enough to slow ingest down).
DELETE FROM events WHERE seq IN (
    SELECT seq FROM events WHERE received_at < :cutoff ORDER BY seq LIMIT :chunk
);

-- name: prune_attempts
DELETE FROM delivery_attempts WHERE id IN (
    SELECT id FROM delivery_attempts WHERE started_at < :cutoff ORDER BY id LIMIT :chunk
);

-- name: rotate_write_key
UPDATE sources SET write_key_hash = :write_key_hash, write_key_hint = :write_key_hint,
                   updated_at = :now
WHERE id = :id;
-- name: select_source_countries
SELECT id, default_country FROM sources;

-- name: update_source
UPDATE sources SET name = :name, default_country = :default_country, updated_at = :now
WHERE id = :id;

-- name: select_identities
-- (:subjects) becomes one ? per subject (store/sqlite/identity.py).
SELECT subject, match_keys, click_id, click_id_at FROM identities
WHERE source_id = ? AND kind = ? AND subject IN (:subjects);

-- name: add_match_key_counts
INSERT INTO match_key_counts (integration_id, hour, key, events)
VALUES (:integration_id, :hour, :key, :events)
ON CONFLICT (integration_id, hour, key) DO UPDATE SET events = events + excluded.events;

-- name: select_match_key_counts
SELECT key, SUM(events) FROM match_key_counts
WHERE integration_id = :integration_id AND hour >= :since_hour
GROUP BY key;
-- name: select_pipelines
SELECT integration_id, name, version, yaml, created_at, updated_at
FROM integration_pipelines ORDER BY created_at, name;

-- name: upsert_pipeline
INSERT INTO integration_pipelines (integration_id, name, version, yaml, created_at, updated_at)
VALUES (:integration_id, :name, :version, :yaml, :created_at, :updated_at)
ON CONFLICT (integration_id, name)
DO UPDATE SET version = excluded.version, yaml = excluded.yaml, updated_at = excluded.updated_at;

-- name: insert_pipeline_version
INSERT INTO integration_pipeline_versions (integration_id, name, version, yaml, created_at)
VALUES (:integration_id, :name, :version, :yaml, :created_at);

-- name: delete_pipeline
DELETE FROM integration_pipelines WHERE integration_id = :integration_id AND name = :name;

-- name: last_pipeline_version
SELECT COALESCE(MAX(version), 0) AS version FROM integration_pipeline_versions
WHERE integration_id = :integration_id AND name = :name;

-- name: select_pipeline_versions
SELECT version, yaml, created_at FROM integration_pipeline_versions
WHERE integration_id = :integration_id AND name = :name ORDER BY version;

-- name: select_integration_for_listing
SELECT id, name, settings, updated_at FROM integrations WHERE id = :id;

-- name: select_pipelines_of_integration
SELECT integration_id, name, version, yaml, created_at, updated_at
FROM integration_pipelines WHERE integration_id = :id ORDER BY created_at, name;

-- name: insert_mark_row
-- Every state change of an outbox entry is one narrow appended row (migration 0002).
-- Positional (seq, status, attempts, next_attempt_at, last_error, warning, at): the hot path.
INSERT INTO outbox_marks (seq, status, attempts, next_attempt_at, last_error, warning, at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: select_pending_outbox
-- At start: every pending entry, to rebuild the in-memory queues (store/sqlite/pending.py).
SELECT e.seq, e.integration_id, e.event_time, e.created_at,
       COALESCE(m.attempts, 0) AS attempts, COALESCE(m.next_attempt_at, e.created_at) AS next_at,
       e.created_at AS queued_at
FROM outbox_events e
LEFT JOIN outbox_marks m ON m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = e.seq)
WHERE m.id IS NULL OR m.status = 'pending'
ORDER BY e.seq;

-- name: select_payload_range
-- A claimed batch whose seqs are dense: one range scan of the primary key.
SELECT seq, event_id, event_name, payload FROM outbox_events
WHERE seq BETWEEN :first AND :last AND integration_id = :integration_id;

-- name: select_payload_list
SELECT seq, event_id, event_name, payload FROM outbox_events
WHERE seq IN (SELECT value FROM json_each(:seqs));

-- name: select_dead
-- Dead entries whose latest mark is dead, newest first, with the reason.
SELECT e.seq, e.integration_id, e.event_id, e.event_name, e.event_time, m.attempts,
       m.last_error AS reason, e.created_at, m.at AS dead_at
FROM outbox_marks m
JOIN outbox_events e ON e.seq = m.seq
WHERE m.status = 'dead' AND m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = m.seq)
  AND (:integration_id IS NULL OR e.integration_id = :integration_id)
  AND (:since IS NULL OR e.created_at >= :since)
  AND (:until IS NULL OR e.created_at < :until)
  AND (:seqs IS NULL OR e.seq IN (SELECT value FROM json_each(:seqs)))
  AND e.seq < :before
ORDER BY e.seq DESC LIMIT :limit;

-- name: select_reclaimable
-- Delivered entries whose latest mark is older than :before_time, oldest first.
SELECT m.seq FROM outbox_marks m
WHERE m.status = 'delivered' AND m.at < :before_time
  AND m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = m.seq)
ORDER BY m.seq LIMIT :limit;

-- name: delete_events_range
DELETE FROM outbox_events WHERE seq BETWEEN :first AND :last
  AND seq IN (SELECT value FROM json_each(:seqs));

-- name: delete_marks_range
DELETE FROM outbox_marks WHERE seq BETWEEN :first AND :last
  AND seq IN (SELECT value FROM json_each(:seqs));
-- name: update_source_browser
UPDATE sources
SET allowed_origins = :allowed_origins, cookie_domain = :cookie_domain,
    consent_required = :consent_required, tag_dedup = :tag_dedup, updated_at = :now
WHERE id = :id;

-- name: select_source_browser
SELECT id, allowed_origins, cookie_domain, consent_required, tag_dedup FROM sources;

-- name: count_outcomes
-- The trace is a JSON list of {integration_id, outcome, ...}: one row per integration step.
SELECT json_extract(step.value, '$.integration_id') AS integration_id,
       json_extract(step.value, '$.outcome') AS outcome, COUNT(*) AS n
FROM events, json_each(events.trace) AS step
WHERE (:source_id IS NULL OR events.source_id = :source_id)
GROUP BY 1, 2;

-- name: select_outbox_of_event
-- An event's journey: each Pinterest payload it produced, with its latest delivery state.
SELECT e.seq, e.integration_id, e.event_id, e.event_name, e.event_time, e.payload,
       COALESCE(m.status, 'pending') AS status, COALESCE(m.attempts, 0) AS attempts,
       COALESCE(m.next_attempt_at, e.created_at) AS next_attempt_at, m.last_error, m.warning,
       e.created_at, COALESCE(m.at, e.created_at) AS updated_at
FROM outbox_events e
LEFT JOIN outbox_marks m ON m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = e.seq)
WHERE e.event_seq = :event_seq
ORDER BY e.seq;

-- name: delete_integration_pipelines
DELETE FROM integration_pipelines WHERE integration_id = :id;

-- name: delete_integration_pipeline_versions
DELETE FROM integration_pipeline_versions WHERE integration_id = :id;

-- name: delete_integration
DELETE FROM integrations WHERE id = :id;

-- name: delete_source
DELETE FROM sources WHERE id = :id;
