-- Pipelines an integration gets through the admin API (issue 5), versioned.
-- integration_pipelines holds the current version of each; integration_pipeline_versions
-- every version ever saved (yaml NULL: the version that deleted it), so versions keep
-- counting up after a delete and an old mapping can be read back.

CREATE TABLE integration_pipelines (
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    yaml           TEXT NOT NULL,
    created_at     REAL NOT NULL,
    updated_at     REAL NOT NULL,
    PRIMARY KEY (integration_id, name)
);

CREATE TABLE integration_pipeline_versions (
    integration_id TEXT NOT NULL,
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    yaml           TEXT,
    created_at     REAL NOT NULL,
    PRIMARY KEY (integration_id, name, version)
);
