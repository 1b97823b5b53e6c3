-- Named queries of the PostgreSQL store, loaded by name (see pinrelay.store.sql).
-- Parameters are psycopg's %(name)s; a parameter that may be NULL carries a cast.

-- catalog ---------------------------------------------------------------------------------

-- name: catalog_version
SELECT version FROM catalog_version WHERE id = 1;

-- name: bump_catalog_version
UPDATE catalog_version SET version = version + 1 WHERE id = 1 RETURNING version;

-- name: select_sources
SELECT id, name, write_key_hash, write_key_hint, default_country, allowed_origins,
       cookie_domain, consent_required, tag_dedup, created_at
FROM sources ORDER BY created_at, id;

-- name: insert_source
INSERT INTO sources (id, name, write_key_hash, write_key_hint, default_country, created_at,
                     updated_at)
VALUES (%(id)s, %(name)s, %(write_key_hash)s, %(write_key_hint)s, %(default_country)s,
        %(now)s, %(now)s);

-- name: rotate_write_key
UPDATE sources SET write_key_hash = %(write_key_hash)s, write_key_hint = %(write_key_hint)s,
                   updated_at = %(now)s
WHERE id = %(id)s;

-- name: update_source
UPDATE sources SET name = %(name)s, default_country = %(default_country)s, updated_at = %(now)s
WHERE id = %(id)s;

-- name: update_source_browser
UPDATE sources
SET allowed_origins = %(allowed_origins)s, cookie_domain = %(cookie_domain)s::text,
    consent_required = %(consent_required)s, tag_dedup = %(tag_dedup)s, updated_at = %(now)s
WHERE id = %(id)s;

-- name: delete_source
DELETE FROM sources WHERE id = %(id)s;

-- name: select_integrations
SELECT id, source_id, vendor, name, enabled, ad_account_id, conversion_token_enc,
       conversion_token_hint, test_mode, consent_categories, settings, paused_reason,
       created_at, updated_at
FROM integrations ORDER BY created_at, id;

-- name: insert_integration
INSERT INTO integrations (id, source_id, vendor, name, enabled, ad_account_id,
                          conversion_token_enc, conversion_token_hint, test_mode,
                          consent_categories, settings, paused_reason, created_at, updated_at)
VALUES (%(id)s, %(source_id)s, %(vendor)s, %(name)s, %(enabled)s, %(ad_account_id)s,
        %(conversion_token_enc)s, %(conversion_token_hint)s, %(test_mode)s,
        %(consent_categories)s, %(settings)s, %(paused_reason)s::text, %(created_at)s, %(now)s);

-- name: update_integration
UPDATE integrations
SET name = %(name)s, enabled = %(enabled)s, ad_account_id = %(ad_account_id)s,
    conversion_token_enc = %(conversion_token_enc)s,
    conversion_token_hint = %(conversion_token_hint)s, test_mode = %(test_mode)s,
    consent_categories = %(consent_categories)s, settings = %(settings)s,
    paused_reason = %(paused_reason)s::text, updated_at = %(now)s
WHERE id = %(id)s;

-- name: pause_integration
UPDATE integrations SET paused_reason = %(reason)s, updated_at = %(now)s WHERE id = %(id)s;

-- name: delete_integration_pipelines
DELETE FROM integration_pipelines WHERE integration_id = %(id)s;

-- name: delete_integration_pipeline_versions
DELETE FROM integration_pipeline_versions WHERE integration_id = %(id)s;

-- name: delete_integration
DELETE FROM integrations WHERE id = %(id)s;

-- name: select_admin_tokens
SELECT id, name, token_hash, token_hint, created_at, revoked_at FROM admin_tokens
ORDER BY created_at, id;

-- name: insert_admin_token
INSERT INTO admin_tokens (id, name, token_hash, token_hint, created_at)
VALUES (%(id)s, %(name)s, %(token_hash)s, %(token_hint)s, %(now)s);

-- name: revoke_admin_token
UPDATE admin_tokens SET revoked_at = %(now)s WHERE id = %(id)s AND revoked_at IS NULL;

-- name: select_pipelines
SELECT integration_id, name, version, yaml, created_at, updated_at
FROM integration_pipelines ORDER BY created_at, name;

-- name: last_pipeline_version
SELECT COALESCE(MAX(version), 0) AS version FROM integration_pipeline_versions
WHERE integration_id = %(integration_id)s AND name = %(name)s;

-- name: upsert_pipeline
INSERT INTO integration_pipelines (integration_id, name, version, yaml, created_at, updated_at)
VALUES (%(integration_id)s, %(name)s, %(version)s, %(yaml)s, %(created_at)s, %(updated_at)s)
ON CONFLICT (integration_id, name)
DO UPDATE SET version = excluded.version, yaml = excluded.yaml, updated_at = excluded.updated_at;

-- name: insert_pipeline_version
INSERT INTO integration_pipeline_versions (integration_id, name, version, yaml, created_at)
VALUES (%(integration_id)s, %(name)s, %(version)s, %(yaml)s::text, %(created_at)s);

-- name: delete_pipeline
DELETE FROM integration_pipelines WHERE integration_id = %(integration_id)s AND name = %(name)s;

-- name: select_pipeline_versions
SELECT version, yaml, created_at FROM integration_pipeline_versions
WHERE integration_id = %(integration_id)s AND name = %(name)s ORDER BY version;

-- name: lock_pipeline_name
-- Two processes saving the same name at once must not pick the same next version.
SELECT pg_advisory_xact_lock(hashtext(%(integration_id)s || '/' || %(name)s));

-- ingest (one transaction per group of requests) ------------------------------------------

-- name: insert_events
INSERT INTO events (source_id, message_id, type, name, user_id, anonymous_id, received_at,
                    body, trace)
SELECT * FROM unnest(%(source_ids)s::text[], %(message_ids)s::text[], %(types)s::text[],
                     %(names)s::text[], %(user_ids)s::text[], %(anonymous_ids)s::text[],
                     %(received_at)s::float8[], %(bodies)s::text[], %(traces)s::jsonb[])
ON CONFLICT (source_id, message_id) DO NOTHING
RETURNING seq, source_id, message_id;

-- name: insert_outbox
INSERT INTO outbox (integration_id, event_seq, event_id, event_name, event_time, payload,
                    created_at, queued_at, next_attempt_at, updated_at)
SELECT i, s, e, n, t, p, c, c, c, c
FROM unnest(%(integration_ids)s::text[], %(event_seqs)s::bigint[], %(event_ids)s::text[],
            %(event_names)s::text[], %(event_times)s::bigint[], %(payloads)s::bytea[],
            %(created_at)s::float8[]) AS v(i, s, e, n, t, p, c);

-- name: upsert_identities
-- A click id is replaced only by a newer one; NULL keeps the remembered one.
INSERT INTO identities (source_id, kind, subject, match_keys, click_id, click_id_at, updated_at)
SELECT * FROM unnest(%(source_ids)s::text[], %(kinds)s::text[], %(subjects)s::text[],
                     %(match_keys)s::text[], %(click_ids)s::text[], %(click_id_at)s::float8[],
                     %(updated_at)s::float8[])
ON CONFLICT (source_id, kind, subject) DO UPDATE
SET match_keys = excluded.match_keys, updated_at = excluded.updated_at,
    click_id = COALESCE(excluded.click_id, identities.click_id),
    click_id_at = CASE WHEN excluded.click_id IS NULL THEN identities.click_id_at
                       ELSE excluded.click_id_at END;

-- name: add_match_key_counts
INSERT INTO match_key_counts (integration_id, hour, key, events)
SELECT * FROM unnest(%(integration_ids)s::text[], %(hours)s::bigint[], %(keys)s::text[],
                     %(events)s::bigint[])
ON CONFLICT (integration_id, hour, key)
DO UPDATE SET events = match_key_counts.events + excluded.events;

-- name: select_identities
SELECT kind, subject, match_keys, click_id, click_id_at FROM identities
WHERE source_id = %(source_id)s
  AND (kind, subject) IN (SELECT * FROM unnest(%(kinds)s::text[], %(subjects)s::text[]));

-- delivery --------------------------------------------------------------------------------

-- name: claim_fresh
-- Never-tried events first, oldest first; rows another worker holds locked are skipped, and
-- so are rows whose lease (in the row) is alive.
WITH picked AS (
    SELECT seq FROM outbox
    WHERE integration_id = %(integration_id)s AND status = 'pending' AND attempts = 0
      AND lease_until <= %(now)s
    ORDER BY seq LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox AS o SET lease_owner = %(owner)s, lease_until = %(lease_until)s
FROM picked WHERE o.seq = picked.seq
RETURNING o.seq, o.event_id, o.event_name, o.event_time, o.payload, o.attempts, o.created_at;

-- name: claim_retries
WITH picked AS (
    SELECT seq FROM outbox
    WHERE integration_id = %(integration_id)s AND status = 'pending' AND attempts > 0
      AND next_attempt_at <= %(now)s AND lease_until <= %(now)s
    ORDER BY next_attempt_at, seq LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox AS o SET lease_owner = %(owner)s, lease_until = %(lease_until)s
FROM picked WHERE o.seq = picked.seq
RETURNING o.seq, o.event_id, o.event_name, o.event_time, o.payload, o.attempts, o.created_at;

-- name: apply_outcomes
-- Only while the row is pending and not leased to another worker: a late answer of a worker
-- whose lease expired and was taken over changes nothing.
UPDATE outbox AS o SET
    status = CASE WHEN v.status IN ('delivered', 'dead') THEN v.status ELSE 'pending' END,
    attempts = o.attempts + CASE WHEN v.attempted AND v.status <> 'release' THEN 1 ELSE 0 END,
    next_attempt_at = CASE WHEN v.status = 'retry' THEN v.due ELSE %(now)s END,
    last_error = CASE WHEN v.status = 'delivered' THEN NULL ELSE v.message END,
    warning = CASE WHEN v.status = 'delivered' THEN v.message ELSE NULL END,
    lease_owner = NULL, lease_until = 0, updated_at = %(now)s
FROM unnest(%(seqs)s::bigint[], %(statuses)s::text[], %(attempted)s::boolean[],
            %(dues)s::float8[], %(messages)s::text[]) AS v(seq, status, attempted, due, message)
WHERE o.seq = v.seq AND o.status = 'pending'
  AND (o.lease_owner IS NULL OR o.lease_owner = %(owner)s OR o.lease_until <= %(now)s);

-- name: insert_attempt
INSERT INTO delivery_attempts (integration_id, started_at, duration_ms, batch_size, http_status,
                               outcome, message, test)
VALUES (%(integration_id)s, %(started_at)s, %(duration_ms)s, %(batch_size)s,
        %(http_status)s::integer, %(outcome)s, %(message)s::text, %(test)s);

-- name: next_due_at
SELECT MIN(CASE WHEN attempts > 0 THEN next_attempt_at ELSE queued_at END) FROM outbox
WHERE integration_id = %(integration_id)s AND status = 'pending';

-- name: take_send_token
-- One request's token from the ad account's bucket, with the database's clock (one clock for
-- every host); no row back: not now.
INSERT INTO rate_buckets AS b (ad_account_id, tokens, updated_at, closed_until)
VALUES (%(account)s, %(capacity)s - 1, extract(epoch FROM clock_timestamp())::float8, 0)
ON CONFLICT (ad_account_id) DO UPDATE
SET tokens = LEAST(%(capacity)s, b.tokens
                   + (extract(epoch FROM clock_timestamp())::float8 - b.updated_at) * %(rate)s) - 1,
    updated_at = extract(epoch FROM clock_timestamp())::float8
WHERE b.closed_until <= extract(epoch FROM clock_timestamp())::float8
  AND LEAST(%(capacity)s, b.tokens
            + (extract(epoch FROM clock_timestamp())::float8 - b.updated_at) * %(rate)s) >= 1
RETURNING b.tokens;

-- name: send_wait_seconds
SELECT GREATEST(
    b.closed_until - extract(epoch FROM clock_timestamp())::float8,
    (1 - LEAST(%(capacity)s, b.tokens
               + (extract(epoch FROM clock_timestamp())::float8 - b.updated_at) * %(rate)s))
        / %(rate)s,
    0) FROM rate_buckets AS b WHERE b.ad_account_id = %(account)s;

-- name: close_send_bucket
INSERT INTO rate_buckets AS b (ad_account_id, tokens, updated_at, closed_until)
VALUES (%(account)s, 0, extract(epoch FROM clock_timestamp())::float8,
        extract(epoch FROM clock_timestamp())::float8 + %(seconds)s)
ON CONFLICT (ad_account_id) DO UPDATE
SET closed_until = GREATEST(b.closed_until, excluded.closed_until);

-- dead letters and reclaim ----------------------------------------------------------------

-- name: select_dead
SELECT seq, integration_id, event_id, event_name, event_time, attempts,
       last_error AS reason, created_at, updated_at AS dead_at
FROM outbox
WHERE status = 'dead'
  AND (%(integration_id)s::text IS NULL OR integration_id = %(integration_id)s::text)
  AND (%(since)s::float8 IS NULL OR created_at >= %(since)s::float8)
  AND (%(until)s::float8 IS NULL OR created_at < %(until)s::float8)
  AND (%(seqs)s::bigint[] IS NULL OR seq = ANY(%(seqs)s::bigint[]))
  AND seq < %(before)s
ORDER BY seq DESC LIMIT %(limit)s;

-- name: replay_dead
-- A replayed event starts over: pending, no attempts, due now, same event_id.
UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = %(now)s,
                  queued_at = created_at, last_error = NULL, warning = NULL,
                  lease_owner = NULL, lease_until = 0, updated_at = %(now)s
WHERE seq = ANY(%(seqs)s::bigint[]) AND status = 'dead';

-- name: reclaim_delivered
DELETE FROM outbox WHERE seq IN (
    SELECT seq FROM outbox WHERE status = 'delivered' AND updated_at < %(before)s
    ORDER BY seq LIMIT %(limit)s
);

-- reads -----------------------------------------------------------------------------------

-- name: select_outbox
SELECT seq, integration_id, event_id, event_name, event_time, status, attempts,
       next_attempt_at, last_error, warning, created_at, updated_at
FROM outbox
WHERE integration_id = %(integration_id)s AND seq < %(before)s
  AND (%(status)s::text IS NULL OR status = %(status)s::text)
ORDER BY seq DESC LIMIT %(limit)s;

-- name: count_outbox
SELECT status, COUNT(*) FROM outbox WHERE integration_id = %(integration_id)s GROUP BY status;

-- name: select_attempts
SELECT integration_id, started_at, duration_ms, batch_size, http_status, outcome, message, test
FROM delivery_attempts WHERE integration_id = %(integration_id)s ORDER BY id DESC
LIMIT %(limit)s;

-- name: oldest_pending
SELECT MIN(queued_at) FROM outbox
WHERE integration_id = %(integration_id)s AND status = 'pending';

-- name: lane_stats
SELECT integration_id, COUNT(*), MIN(queued_at) FROM outbox WHERE status = 'pending'
GROUP BY integration_id;

-- name: select_events
-- The event debugger's filters; each is off when its parameter is NULL. An event's outcomes
-- live in its trace (a JSON list with one entry per integration and pipeline).
SELECT seq, source_id, message_id, type, name, user_id, anonymous_id, received_at, body,
       trace::text AS trace
FROM events
WHERE seq < %(before)s AND seq > %(after)s
  AND (%(source_id)s::text IS NULL OR source_id = %(source_id)s::text)
  AND (%(type)s::text IS NULL OR type = %(type)s::text)
  AND (%(name)s::text IS NULL OR name = %(name)s::text)
  AND (%(user_id)s::text IS NULL OR user_id = %(user_id)s::text)
  AND (%(anonymous_id)s::text IS NULL OR anonymous_id = %(anonymous_id)s::text)
  AND (%(since)s::float8 IS NULL OR received_at >= %(since)s::float8)
  AND (%(until)s::float8 IS NULL OR received_at < %(until)s::float8)
  AND (%(outcome)s::text IS NULL
       OR trace @> jsonb_build_array(jsonb_build_object('outcome', %(outcome)s::text)))
ORDER BY seq DESC LIMIT %(limit)s;

-- name: select_event
SELECT seq, source_id, message_id, type, name, user_id, anonymous_id, received_at, body,
       trace::text AS trace
FROM events WHERE seq = %(seq)s;

-- name: select_outbox_of_event
SELECT seq, integration_id, event_id, event_name, event_time, payload, status, attempts,
       next_attempt_at, last_error, warning, created_at, updated_at
FROM outbox WHERE event_seq = %(event_seq)s ORDER BY seq;

-- name: count_outcomes
SELECT step ->> 'integration_id' AS integration_id, step ->> 'outcome' AS outcome,
       COUNT(*) AS n
FROM events, jsonb_array_elements(events.trace) AS step
WHERE (%(source_id)s::text IS NULL OR events.source_id = %(source_id)s::text)
GROUP BY 1, 2;

-- name: select_match_key_counts
SELECT key, SUM(events) FROM match_key_counts
WHERE integration_id = %(integration_id)s AND hour >= %(since_hour)s
GROUP BY key;

-- name: insert_audit
INSERT INTO audit_log (at, actor, action, target, details)
VALUES (%(at)s, %(actor)s, %(action)s, %(target)s, %(details)s);

-- name: select_audit
SELECT id, at, actor, action, target, details FROM audit_log
WHERE id < %(before)s ORDER BY id DESC LIMIT %(limit)s;

-- name: prune_events
DELETE FROM events WHERE seq IN (
    SELECT seq FROM events WHERE received_at < %(cutoff)s ORDER BY seq LIMIT %(chunk)s
);

-- name: prune_attempts
DELETE FROM delivery_attempts WHERE id IN (
    SELECT id FROM delivery_attempts WHERE started_at < %(cutoff)s ORDER BY id LIMIT %(chunk)s
);

-- Grouped counts for the dashboard and recovered conversions (issue 14), no row limit.

-- name: received_by_bucket
SELECT floor(received_at / %(bucket)s) * %(bucket)s AS bucket, source_id, COUNT(*) AS n
FROM events
WHERE received_at >= %(since)s
GROUP BY 1, 2;

-- name: outcomes_by_bucket
SELECT floor(e.received_at / %(bucket)s) * %(bucket)s AS bucket,
       step ->> 'integration_id' AS integration_id, step ->> 'outcome' AS outcome,
       COUNT(*) AS n
FROM events AS e, jsonb_array_elements(e.trace) AS step
WHERE e.received_at >= %(since)s
GROUP BY 1, 2, 3;

-- name: deliveries_by_bucket
SELECT floor(updated_at / %(bucket)s) * %(bucket)s AS bucket, integration_id,
       status AS outcome, COUNT(*) AS n
FROM outbox
WHERE status IN ('delivered', 'dead') AND updated_at >= %(since)s
GROUP BY 1, 2, 3;

-- name: recovered_by_day
SELECT floor(o.updated_at / 86400) * 86400 AS day, o.integration_id, COUNT(*) AS n
FROM outbox AS o JOIN events AS e ON e.seq = o.event_seq
WHERE o.status = 'delivered' AND o.updated_at >= %(since)s
  AND e.body::jsonb #>> '{context,pinterestTag}' = 'blocked'
GROUP BY 1, 2;

-- Offline imports (issue 15), see store/postgres/imports.py.

-- name: upsert_import
INSERT INTO imports (id, source_id, file_name, file_bytes, status, actor, spec, figures,
                     bytes_read, message, created_at, updated_at, finished_at)
VALUES (%(id)s, %(source_id)s, %(file_name)s, %(file_bytes)s, %(status)s, %(actor)s, %(spec)s,
        %(figures)s, %(bytes_read)s, %(message)s, %(created_at)s, %(updated_at)s,
        %(finished_at)s)
ON CONFLICT (id) DO UPDATE SET
    source_id = excluded.source_id, status = excluded.status, spec = excluded.spec,
    figures = excluded.figures, bytes_read = excluded.bytes_read, message = excluded.message,
    updated_at = excluded.updated_at, finished_at = excluded.finished_at;

-- name: select_import
SELECT id, source_id, file_name, file_bytes, status, actor, spec, figures, bytes_read, message,
       created_at, updated_at, finished_at
FROM imports WHERE id = %(id)s;

-- name: select_imports
SELECT id, source_id, file_name, file_bytes, status, actor, spec, figures, bytes_read, message,
       created_at, updated_at, finished_at
FROM imports ORDER BY created_at DESC, id DESC LIMIT %(limit)s;
