-- A changed password or a new second factor ends the user's other sessions at once: access
-- tokens issued before `sessions_ended_at` are refused, except those of the session that
-- made the change (`session_kept`, its refresh-token family). Refresh tokens of the other
-- sessions are revoked as well, so they cannot get new access tokens either.
ALTER TABLE users ADD COLUMN sessions_ended_at TIMESTAMP;
ALTER TABLE users ADD COLUMN session_kept TEXT;
