-- Invitations of new staff by e-mail: a first-sign-in link `{PUBLIC_URL}/#/invite/{token}`.
-- Only the SHA-256 of the token is stored. The outbox letter carries the invitation's id,
-- not the token: the worker issues the token when it sends the letter (`token_hash`,
-- `sent_at` and `expires_at` stay NULL until then), so no secret rests in the database.
-- A new invitation of the same user revokes the open ones; accepting one sets `used_at`.
CREATE TABLE staff_invitations (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    token_hash TEXT UNIQUE,
    sent_at TIMESTAMP,
    expires_at TIMESTAMP,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX staff_invitations_user_idx ON staff_invitations (user_id, created_at);

-- Failed attempts of sign-in steps that name no account (an invitation token), per client
-- (the SHA-256 of its address): after LOGIN_MAX_FAILURES failures they are refused for
-- 1, 2, 4 … minutes, as a staff sign-in is. Kept in the database so the limit holds across
-- instances.
CREATE TABLE auth_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
