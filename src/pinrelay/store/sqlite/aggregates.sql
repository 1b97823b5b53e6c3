-- Grouped counts for the dashboard and recovered conversions (issue 14), no row limit.
-- Bodies and traces are stored as JSON bytes: CAST them to TEXT for SQLite's JSON functions.

-- name: received_by_bucket
SELECT CAST(received_at / :bucket AS INTEGER) * :bucket AS bucket, source_id, COUNT(*) AS n
FROM events
WHERE received_at >= :since
GROUP BY 1, 2

-- name: outcomes_by_bucket
SELECT CAST(e.received_at / :bucket AS INTEGER) * :bucket AS bucket,
       json_extract(step.value, '$.integration_id') AS integration_id,
       json_extract(step.value, '$.outcome') AS outcome,
       COUNT(*) AS n
FROM events AS e, json_each(CAST(e.trace AS TEXT)) AS step
WHERE e.received_at >= :since
GROUP BY 1, 2, 3

-- name: deliveries_by_bucket
SELECT CAST(m.at / :bucket AS INTEGER) * :bucket AS bucket, o.integration_id,
       m.status AS outcome, COUNT(*) AS n
FROM outbox_marks AS m JOIN outbox_events AS o ON o.seq = m.seq
WHERE m.status IN ('delivered', 'dead') AND m.at >= :since
GROUP BY 1, 2, 3

-- name: recovered_by_day
SELECT CAST(m.at / 86400 AS INTEGER) * 86400 AS day, o.integration_id, COUNT(*) AS n
FROM outbox_marks AS m
JOIN outbox_events AS o ON o.seq = m.seq
JOIN events AS e ON e.seq = o.event_seq
WHERE m.status = 'delivered' AND m.at >= :since
  AND json_extract(CAST(e.body AS TEXT), '$.context.pinterestTag') = 'blocked'
GROUP BY 1, 2
