DROP TABLE job_marks;
DROP INDEX outbox_webhook_idx;
ALTER TABLE outbox DROP COLUMN webhook_id;
