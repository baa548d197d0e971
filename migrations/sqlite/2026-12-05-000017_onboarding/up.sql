-- Issue #19: the teacher's education level (school, СПО, ДОО) and the organisation's INN and
-- OGRN in the profile, the level snapshotted on every appeal; the decision on a
-- verification request waits to be seen by the teacher (a banner in the mini-app).
-- Issue #18: a teacher may decline the consent version that names every reader; the
-- declined version and its time are kept beside the accepted one (users.consent_version).
ALTER TABLE users ADD COLUMN education_level TEXT;
ALTER TABLE users ADD COLUMN org_inn TEXT;
ALTER TABLE users ADD COLUMN org_ogrn TEXT;
ALTER TABLE users ADD COLUMN consent_declined_version TEXT;
ALTER TABLE users ADD COLUMN consent_declined_at TIMESTAMP;
ALTER TABLE users ADD COLUMN verification_unseen BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE appeals ADD COLUMN education_level TEXT;
