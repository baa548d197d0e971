-- Issue #18: appeals per 1,000 teachers on the map. A federal user imports each region's
-- number of teachers (none is shipped with the service); the statistics divide a region's
-- appeals of a period by it. One row per region; who set the figure and when is kept.
CREATE TABLE region_teachers (
    region_code TEXT PRIMARY KEY NOT NULL REFERENCES regions(code),
    teachers BIGINT NOT NULL CHECK (teachers > 0),
    set_at TIMESTAMP NOT NULL,
    set_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
