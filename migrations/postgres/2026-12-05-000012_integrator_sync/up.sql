-- Integrators stay in sync.
--
-- `change_xid`, `change_seq`: the position of an appeal's latest visible change (every
-- change sets `updated_at`). `GET /api/v1/appeals?updated_since=` pages in the order
-- (change_xid, change_seq) and reads only rows whose writing transaction is older than the
-- oldest transaction still in flight (`pg_snapshot_xmin`), so a change that commits late
-- (a lower position committed after a higher one) is never skipped: every later change
-- gets a transaction id at or above that horizon, so it sorts after what was read.
-- `event_seq`: the last sequence number of the appeal's webhook events.
ALTER TABLE appeals ADD COLUMN change_xid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

CREATE SEQUENCE appeal_change_seq;
UPDATE appeals SET change_seq = nextval('appeal_change_seq');
CREATE INDEX appeals_change_idx ON appeals (change_xid, change_seq);

-- A row copied with its position (`api db copy`) keeps it; a new row or a change gets the
-- writer's transaction id and the next number.
CREATE FUNCTION appeals_stamp_change() RETURNS trigger AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    NEW.change_seq := nextval('appeal_change_seq');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER appeals_change_insert BEFORE INSERT ON appeals
FOR EACH ROW WHEN (NEW.change_seq = 0) EXECUTE FUNCTION appeals_stamp_change();

CREATE TRIGGER appeals_change_update BEFORE UPDATE OF updated_at ON appeals
FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at)
EXECUTE FUNCTION appeals_stamp_change();

-- What an API key may do, chosen when it is created; keys created before read as before.
ALTER TABLE api_keys ADD COLUMN permissions TEXT NOT NULL DEFAULT '["appeals:read","stats:read"]';
