-- Operators attach files to an answer (issue #18). A file belongs to the thread message of
-- the answer it came with (`message_id`); the teacher's files of the question keep it null.
-- `uploader_role` tells a teacher's file from an operator's: an operator's file uploaded
-- before the answer is sent waits with a null `message_id` and is shown to nobody until the
-- answer claims it.
-- No REFERENCES here: SQLite cannot drop a column that takes part in a foreign key.
ALTER TABLE attachments ADD COLUMN message_id TEXT;
ALTER TABLE attachments ADD COLUMN uploader_role TEXT NOT NULL DEFAULT 'teacher';
CREATE INDEX attachments_message_idx ON attachments (message_id);
