-- pinrelay schema, version 2: the outbox becomes immutable payload rows plus append-only marks.
-- Why (issue 4): updating the wide outbox row per delivered event capped delivery near 55K
-- events/s; appending a narrow mark per state change and never touching the payload row is
-- several times faster. The latest mark of a seq is its state; no mark means pending, never
-- tried. Delivered rows are reclaimed later in chunks (SQLiteStore.reclaim_delivered).

CREATE TABLE outbox_events (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after reclaim
    integration_id   TEXT NOT NULL,
    event_seq        INTEGER NOT NULL,
    event_id         TEXT NOT NULL,
    event_name       TEXT NOT NULL,
    event_time       INTEGER NOT NULL,
    payload          BLOB NOT NULL,         -- the event in Pinterest's wire format (JSON bytes)
    created_at       REAL NOT NULL
);
CREATE INDEX outbox_events_by_integration ON outbox_events (integration_id, seq);

CREATE TABLE outbox_marks (
    id               INTEGER PRIMARY KEY,   -- larger id = later mark
    seq              INTEGER NOT NULL,      -- outbox_events.seq
    status           TEXT NOT NULL,         -- pending | delivered | dead
    attempts         INTEGER NOT NULL,      -- HTTP attempts so far
    next_attempt_at  REAL NOT NULL,         -- when a pending event is due again
    last_error       TEXT,
    warning          TEXT,                  -- Pinterest's warning_message of a delivered event
    at               REAL NOT NULL
);
CREATE INDEX outbox_marks_by_seq ON outbox_marks (seq, id);
CREATE INDEX outbox_marks_dead ON outbox_marks (seq) WHERE status = 'dead';

-- Existing data of a version 1 database: payloads keep their seq, state becomes one mark.
INSERT INTO outbox_events (seq, integration_id, event_seq, event_id, event_name, event_time,
                           payload, created_at)
SELECT seq, integration_id, event_seq, event_id, event_name, event_time, payload, created_at
FROM outbox ORDER BY seq;

INSERT INTO outbox_marks (seq, status, attempts, next_attempt_at, last_error, warning, at)
SELECT seq, status, attempts, next_attempt_at, last_error, warning, updated_at
FROM outbox
WHERE status <> 'pending' OR attempts > 0 OR last_error IS NOT NULL
ORDER BY seq;

DROP TABLE outbox;
