ALTER TABLE api_keys DROP COLUMN permissions;
DROP TRIGGER appeals_change_update;
DROP TRIGGER appeals_change_insert;
DROP INDEX appeals_change_seq_idx;
DROP INDEX appeals_change_idx;
ALTER TABLE appeals DROP COLUMN event_seq;
ALTER TABLE appeals DROP COLUMN change_seq;
ALTER TABLE appeals DROP COLUMN change_xid;
