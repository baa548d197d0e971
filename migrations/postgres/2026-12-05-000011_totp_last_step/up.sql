-- The last TOTP time step a sign-in used: a code is accepted once (replay refused).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
