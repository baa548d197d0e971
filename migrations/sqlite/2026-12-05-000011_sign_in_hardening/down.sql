DROP INDEX esia_states_ticket;
ALTER TABLE esia_states DROP COLUMN nonce_hash;
ALTER TABLE esia_states DROP COLUMN opened_at;
ALTER TABLE esia_states DROP COLUMN esia_url;
ALTER TABLE esia_states DROP COLUMN ticket_hash;
ALTER TABLE users DROP COLUMN totp_last_step;
