-- One human number per appeal, «16-000123»: the region where it was asked and a sequence
-- of that region, assigned when the row is inserted (by the trigger below, so every way of
-- inserting an appeal gets one) and never changed, not even by a transfer. Existing
-- appeals are numbered by their current region in the order they were asked.
ALTER TABLE appeals ADD COLUMN number TEXT;

UPDATE appeals SET number = (
    SELECT n.number FROM (
        SELECT id, region_code || '-' || printf('%06d',
               ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY created_at, id)) AS number
        FROM appeals
    ) AS n WHERE n.id = appeals.id
);

CREATE UNIQUE INDEX appeals_number_idx ON appeals (number);

-- The last number given in each region.
CREATE TABLE appeal_numbers (
    region_code TEXT PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);

INSERT INTO appeal_numbers (region_code, last_value)
SELECT region_code, COUNT(*) FROM appeals GROUP BY region_code;

-- SQLite cannot change NEW in a BEFORE trigger: the row is numbered right after its insert,
-- inside the same statement (the column stays NULL only in between).
CREATE TRIGGER appeals_assign_number AFTER INSERT ON appeals
WHEN NEW.number IS NULL
BEGIN
    INSERT OR IGNORE INTO appeal_numbers (region_code, last_value) VALUES (NEW.region_code, 0);
    UPDATE appeal_numbers SET last_value = last_value + 1 WHERE region_code = NEW.region_code;
    UPDATE appeals SET number = NEW.region_code || '-' || printf('%06d',
        (SELECT last_value FROM appeal_numbers WHERE region_code = NEW.region_code))
    WHERE id = NEW.id;
END;

-- «На контроле»: a regional head or a federal supervisor marks an appeal for the
-- operators' attention, with a comment; the row is deleted when the mark is taken off.
CREATE TABLE appeal_controls (
    appeal_id TEXT PRIMARY KEY NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    controlled_by TEXT,
    controlled_at TIMESTAMP NOT NULL
);
