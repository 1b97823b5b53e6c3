-- Offline imports (issue 15): one row per uploaded file, its state and figures. The figures
-- (JSON) hold rows_read, where an interrupted import resumes.
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    source_id   TEXT,
    file_name   TEXT NOT NULL,
    file_bytes  INTEGER NOT NULL,
    status      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    spec        TEXT NOT NULL,
    figures     TEXT NOT NULL,
    bytes_read  INTEGER NOT NULL DEFAULT 0,
    message     TEXT,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX imports_by_created ON imports (created_at);
