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

-- name: insert_event
INSERT INTO events (source_id, message_id, type, name, user_id, anonymous_id, received_at,
                    body, trace)
VALUES (:source_id, :message_id, :type, :name, :user_id, :anonymous_id, :received_at,
        :body, :trace)
ON CONFLICT (source_id, message_id) DO NOTHING;

-- name: insert_outbox
INSERT INTO outbox (integration_id, event_seq, event_id, event_name, event_time, payload,
                    created_at, next_attempt_at, updated_at)
VALUES (:integration_id, :event_seq, :event_id, :event_name, :event_time, :payload,
        :now, :now, :now);

-- name: upsert_identity
INSERT INTO identities (source_id, kind, subject, match_keys, updated_at)
VALUES (:source_id, :kind, :subject, :match_keys, :now)
ON CONFLICT (source_id, kind, subject)
DO UPDATE SET match_keys = excluded.match_keys, updated_at = excluded.updated_at;

-- name: select_identity
SELECT match_keys FROM identities WHERE source_id = :source_id AND kind = :kind AND subject = :subject;

-- name: claim_batch
-- Reserve up to :limit due events of one integration, oldest first, until :lease_until.
UPDATE outbox SET lease_until = :lease_until
WHERE seq IN (
    SELECT seq FROM outbox
    WHERE integration_id = :integration_id AND status = 'pending'
      AND next_attempt_at <= :now AND lease_until <= :now
    ORDER BY seq LIMIT :limit
)
RETURNING seq, event_id, event_name, event_time, payload, attempts, created_at;

-- name: mark_delivered
UPDATE outbox SET status = 'delivered', attempts = attempts + 1, lease_until = 0,
                  warning = :warning, last_error = NULL, updated_at = :now
WHERE seq = :seq;

-- name: mark_dead
UPDATE outbox SET status = 'dead', attempts = attempts + :attempted, lease_until = 0,
                  last_error = :error, updated_at = :now
WHERE seq = :seq;

-- name: mark_retry
UPDATE outbox SET attempts = attempts + 1, lease_until = 0, next_attempt_at = :next_attempt_at,
                  last_error = :error, updated_at = :now
WHERE seq = :seq;

-- name: release_lease
UPDATE outbox SET lease_until = 0, last_error = :error, updated_at = :now WHERE seq = :seq;

-- name: release_all_leases
-- On SQLite one process owns the database, so at start no lease can still be held.
UPDATE outbox SET lease_until = 0 WHERE status = 'pending' AND lease_until > 0;

-- name: insert_attempt
INSERT INTO delivery_attempts (integration_id, started_at, duration_ms, batch_size, http_status,
                               outcome, message, test)
VALUES (:integration_id, :started_at, :duration_ms, :batch_size, :http_status, :outcome,
        :message, :test);

-- name: next_due
SELECT MIN(next_attempt_at) FROM outbox
WHERE integration_id = :integration_id AND status = 'pending';

-- name: select_outbox
SELECT seq, integration_id, event_id, event_name, event_time, status, attempts,
       next_attempt_at, last_error, warning, created_at, updated_at
FROM outbox
WHERE integration_id = :integration_id AND (:status IS NULL OR status = :status)
  AND seq < :before
ORDER BY seq DESC LIMIT :limit;

-- name: count_outbox
SELECT status, COUNT(*) FROM outbox WHERE integration_id = :integration_id GROUP BY status;

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

-- name: oldest_pending
SELECT MIN(created_at) FROM outbox WHERE integration_id = :integration_id AND status = 'pending';

-- name: rotate_write_key
UPDATE sources SET write_key_hash = :write_key_hash, write_key_hint = :write_key_hint,
                   updated_at = :now
WHERE id = :id;
-- name: select_source_countries
SELECT id, default_country FROM sources;

-- name: update_source
UPDATE sources SET name = :name, default_country = :default_country, updated_at = :now
WHERE id = :id;

-- name: select_identity_click
SELECT match_keys, click_id, click_id_at FROM identities
WHERE source_id = :source_id AND kind = :kind AND subject = :subject;

-- name: update_identity_click
UPDATE identities SET click_id = :click_id, click_id_at = :click_id_at
WHERE source_id = :source_id AND kind = :kind AND subject = :subject;

-- name: add_match_key_counts
INSERT INTO match_key_counts (integration_id, hour, key, events)
VALUES (:integration_id, :hour, :key, :events)
ON CONFLICT (integration_id, hour, key) DO UPDATE SET events = events + excluded.events;

-- name: select_match_key_counts
SELECT key, SUM(events) FROM match_key_counts
WHERE integration_id = :integration_id AND hour >= :since_hour
GROUP BY key;
