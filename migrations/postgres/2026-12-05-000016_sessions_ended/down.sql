ALTER TABLE users DROP COLUMN session_kept;
ALTER TABLE users DROP COLUMN sessions_ended_at;
