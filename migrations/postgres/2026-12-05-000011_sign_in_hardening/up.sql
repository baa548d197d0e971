-- The last TOTP time step a sign-in used: a code is accepted once (replay refused).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- ESIA: the link `start` returns works once, for a few minutes (`ticket_hash`); opening it
-- sets a cookie whose nonce (`nonce_hash`) the callback must bring back, so a flow started
-- by someone else cannot complete in this browser. `esia_url` is where the link leads.
ALTER TABLE esia_states ADD COLUMN ticket_hash TEXT;
ALTER TABLE esia_states ADD COLUMN esia_url TEXT;
ALTER TABLE esia_states ADD COLUMN opened_at TIMESTAMP;
ALTER TABLE esia_states ADD COLUMN nonce_hash TEXT;
CREATE UNIQUE INDEX esia_states_ticket ON esia_states (ticket_hash);
