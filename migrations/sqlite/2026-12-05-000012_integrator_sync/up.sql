-- Integrators stay in sync.
--
-- `change_xid`, `change_seq`: the position of an appeal's latest visible change (every
-- change sets `updated_at`). SQLite has one writer at a time, so the next number, taken
-- inside the writing transaction, already follows the commit order; `change_xid` only
-- carries on the largest one copied from PostgreSQL (`api db copy`), so positions keep
-- growing. `event_seq`: the last sequence number of the appeal's webhook events.
ALTER TABLE appeals ADD COLUMN change_xid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

UPDATE appeals SET change_seq = rowid;
CREATE INDEX appeals_change_idx ON appeals (change_xid, change_seq);
CREATE INDEX appeals_change_seq_idx ON appeals (change_seq);

-- A row copied with its position keeps it; a new row or a change gets the next number.
CREATE TRIGGER appeals_change_insert AFTER INSERT ON appeals
WHEN NEW.change_seq = 0
BEGIN
    UPDATE appeals SET
        change_xid = (SELECT COALESCE(MAX(change_xid), 0) FROM appeals),
        change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM appeals)
    WHERE id = NEW.id;
END;

CREATE TRIGGER appeals_change_update AFTER UPDATE OF updated_at ON appeals
WHEN NEW.updated_at IS NOT OLD.updated_at
BEGIN
    UPDATE appeals SET
        change_xid = (SELECT COALESCE(MAX(change_xid), 0) FROM appeals),
        change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM appeals)
    WHERE id = NEW.id;
END;

-- What an API key may do, chosen when it is created; keys created before read as before.
ALTER TABLE api_keys ADD COLUMN permissions TEXT NOT NULL DEFAULT '["appeals:read","stats:read"]';
