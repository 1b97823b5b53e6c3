-- Browser collection (issue 6): what a source allows and sets for pinrelay.js on a website.
ALTER TABLE sources ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';  -- JSON list; "*" = any
ALTER TABLE sources ADD COLUMN cookie_domain TEXT;                          -- NULL: the request host
ALTER TABLE sources ADD COLUMN consent_required INTEGER NOT NULL DEFAULT 0; -- nothing sent until granted
ALTER TABLE sources ADD COLUMN tag_dedup INTEGER NOT NULL DEFAULT 0;        -- pinrelay.js fires the Pinterest Tag
