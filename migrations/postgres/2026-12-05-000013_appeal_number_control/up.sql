-- One human number per appeal, «16-000123»: the region where it was asked and a sequence
-- of that region, assigned when the row is inserted (by the trigger below, so every way of
-- inserting an appeal gets one) and never changed, not even by a transfer. Existing
-- appeals are numbered by their current region in the order they were asked.
ALTER TABLE appeals ADD COLUMN number TEXT;

UPDATE appeals SET number = n.number
FROM (
    SELECT id, region_code || '-' || lpad(
               CAST(ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY created_at, id) AS TEXT),
               6, '0') AS number
    FROM appeals
) AS n
WHERE n.id = appeals.id;

ALTER TABLE appeals ALTER COLUMN number SET NOT NULL;
CREATE UNIQUE INDEX appeals_number_idx ON appeals (number);

-- The last number given in each region (the upsert's row lock orders concurrent inserts).
CREATE TABLE appeal_numbers (
    region_code TEXT PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);

INSERT INTO appeal_numbers (region_code, last_value)
SELECT region_code, COUNT(*) FROM appeals GROUP BY region_code;

CREATE FUNCTION appeals_assign_number() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    IF NEW.number IS NULL THEN
        INSERT INTO appeal_numbers (region_code, last_value) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET last_value = appeal_numbers.last_value + 1
        RETURNING last_value INTO n;
        -- lpad would cut a seventh digit off.
        NEW.number := NEW.region_code || '-' ||
            CASE WHEN n < 1000000 THEN lpad(CAST(n AS TEXT), 6, '0') ELSE CAST(n AS TEXT) END;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER appeals_assign_number BEFORE INSERT ON appeals
    FOR EACH ROW EXECUTE FUNCTION appeals_assign_number();

-- «На контроле»: a regional head or a federal supervisor marks an appeal for the
-- operators' attention, with a comment; the row is deleted when the mark is taken off.
CREATE TABLE appeal_controls (
    appeal_id TEXT PRIMARY KEY NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    controlled_by TEXT,
    controlled_at TIMESTAMP NOT NULL
);
