-- Notifications: which webhook subscription an outbox row delivers to (the delivery log
-- of a subscription), and marks of scheduled work already done (an overdue event per
-- appeal and deadline, a digest per operator and day), so that work runs exactly once.
ALTER TABLE outbox ADD COLUMN webhook_id TEXT;
CREATE INDEX outbox_webhook_idx ON outbox (webhook_id, created_at);

CREATE TABLE job_marks (
    mark TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX job_marks_created_idx ON job_marks (created_at);
