-- Named queries of the offline imports table (migration 0008), see store/sqlite/imports.py.

-- name: upsert_import
INSERT INTO imports (id, source_id, file_name, file_bytes, status, actor, spec, figures,
                     bytes_read, message, created_at, updated_at, finished_at)
VALUES (:id, :source_id, :file_name, :file_bytes, :status, :actor, :spec, :figures,
        :bytes_read, :message, :created_at, :updated_at, :finished_at)
ON CONFLICT (id) DO UPDATE SET
    source_id = excluded.source_id, status = excluded.status, spec = excluded.spec,
    figures = excluded.figures, bytes_read = excluded.bytes_read, message = excluded.message,
    updated_at = excluded.updated_at, finished_at = excluded.finished_at;

-- name: select_import
SELECT id, source_id, file_name, file_bytes, status, actor, spec, figures, bytes_read, message,
       created_at, updated_at, finished_at
FROM imports WHERE id = :id;

-- name: select_imports
SELECT id, source_id, file_name, file_bytes, status, actor, spec, figures, bytes_read, message,
       created_at, updated_at, finished_at
FROM imports ORDER BY created_at DESC, id DESC LIMIT :limit;
