DROP INDEX attachments_message_idx;
ALTER TABLE attachments DROP COLUMN uploader_role;
ALTER TABLE attachments DROP COLUMN message_id;
