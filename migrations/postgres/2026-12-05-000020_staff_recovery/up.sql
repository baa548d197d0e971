-- Staff sign-in people can recover (issue #22, item 6).
-- One-time recovery codes of the second factor: the SHA-256 of each unused code, one per
-- line (NULL: none). Using one removes its line with a compare-and-set on the whole value,
-- so a code signs in once even under concurrent attempts.
ALTER TABLE users ADD COLUMN totp_recovery TEXT;
-- A staff link is a first-sign-in invitation (`invite`) or a password reset (`reset`,
-- «Забыли пароль?», valid an hour); both set a new password through the same page.
ALTER TABLE staff_invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invite';
