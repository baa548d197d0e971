ALTER TABLE staff_invitations DROP COLUMN purpose;
ALTER TABLE users DROP COLUMN totp_recovery;
