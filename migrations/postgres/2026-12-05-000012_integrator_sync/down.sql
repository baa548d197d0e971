ALTER TABLE api_keys DROP COLUMN permissions;
DROP TRIGGER appeals_change_update ON appeals;
DROP TRIGGER appeals_change_insert ON appeals;
DROP FUNCTION appeals_stamp_change();
DROP INDEX appeals_change_idx;
DROP SEQUENCE appeal_change_seq;
ALTER TABLE appeals DROP COLUMN event_seq;
ALTER TABLE appeals DROP COLUMN change_seq;
ALTER TABLE appeals DROP COLUMN change_xid;
