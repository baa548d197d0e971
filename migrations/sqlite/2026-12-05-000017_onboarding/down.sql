ALTER TABLE appeals DROP COLUMN education_level;
ALTER TABLE users DROP COLUMN verification_unseen;
ALTER TABLE users DROP COLUMN consent_declined_at;
ALTER TABLE users DROP COLUMN consent_declined_version;
ALTER TABLE users DROP COLUMN org_ogrn;
ALTER TABLE users DROP COLUMN org_inn;
ALTER TABLE users DROP COLUMN education_level;
