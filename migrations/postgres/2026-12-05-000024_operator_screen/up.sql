-- The operator's appeal screen (issue #22, item 4).
-- Answer templates of a region: the region's operators and its heads write, edit and use
-- them from the composer.
CREATE TABLE answer_templates (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX answer_templates_region_idx ON answer_templates (region_code, created_at, id);
-- «Сейчас открыто также»: the last heartbeat of a staff member who has an appeal open. Rows
-- older than a minute mean nothing and are deleted by the next heartbeat of the appeal.
CREATE TABLE appeal_presence (
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (appeal_id, user_id)
);
