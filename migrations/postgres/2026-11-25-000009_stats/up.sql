-- Statistics (monitoring): aggregates kept exact by triggers, in the same transaction as
-- every change of an appeal, a rating or a bot grade, so that figures for a year of a
-- million appeals read a few thousand rows instead of the appeals themselves.
--
-- A "day" is the Moscow date (UTC+3, no daylight saving since 2014) of the appeal's
-- arrival: periods of the statistics are Moscow dates. Every figure of stats_daily belongs
-- to the appeal's current region and arrival day (a cohort), including the ratings and bot
-- grades of its answers; a transfer to another region moves all of them.

CREATE TABLE stats_daily (
    day DATE NOT NULL,
    region_code TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    -- Got a first answer (bot or operator).
    answered BIGINT NOT NULL DEFAULT 0,
    answered_by_bot BIGINT NOT NULL DEFAULT 0,
    -- Routed to people at arrival and answered by an operator; of them, answered late.
    answered_by_operators BIGINT NOT NULL DEFAULT 0,
    answered_late BIGINT NOT NULL DEFAULT 0,
    self_served BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    ratings_count BIGINT NOT NULL DEFAULT 0,
    ratings_sum BIGINT NOT NULL DEFAULT 0,
    grades_count BIGINT NOT NULL DEFAULT 0,
    -- correct = 2, partly = 1, wrong = 0 (half points, so the sum stays an integer).
    grades_points BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, region_code)
-- Every change of an appeal rewrites a row here: room on each page keeps those updates
-- HOT (in place, no index change), so the table stays small between vacuums.
) WITH (fillfactor = 50);
CREATE INDEX stats_daily_region_idx ON stats_daily (region_code, day);

-- One row per appeal routed to people at arrival and answered by an operator: the time to
-- its first answer. hours and working_days are computed by the server (the working-day
-- calendar is not SQL) and reset to NULL by the triggers when their inputs change.
CREATE TABLE stats_first_answers (
    appeal_id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL,
    day DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP NOT NULL,
    answered_by TEXT,
    hours DOUBLE PRECISION,
    working_days DOUBLE PRECISION
);
CREATE INDEX stats_first_answers_day_idx ON stats_first_answers (day, region_code, hours, working_days);
CREATE INDEX stats_first_answers_by_idx ON stats_first_answers (answered_by, answered_at);
CREATE INDEX stats_first_answers_pending_idx ON stats_first_answers (appeal_id) WHERE hours IS NULL;

-- Live counters (open, overdue, due today, unread) and per-operator figures.
CREATE INDEX appeals_open_stats_idx ON appeals (status, region_code, deadline_at, opened_by_staff_at, created_at);
CREATE INDEX appeal_answers_by_idx ON appeal_answers (answered_by, answered_at);
CREATE INDEX bot_grades_appeal_idx ON bot_grades (appeal_id);
-- Reports page through appeals of a period in (created_at, id) order.
CREATE INDEX appeals_created_id_idx ON appeals (created_at, id);

-- The Moscow date of a stored (naive UTC) timestamp.
CREATE FUNCTION stats_day(at TIMESTAMP) RETURNS DATE
    LANGUAGE SQL IMMUTABLE AS $$ SELECT CAST(at + INTERVAL '3 hours' AS DATE) $$;

-- Adds (sign = 1) or removes (sign = -1) what one appeal counts in its bucket; with
-- children, its ratings and grades too.
CREATE FUNCTION stats_apply(a appeals, sign INTEGER, children BOOLEAN) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    r_count BIGINT := 0;
    r_sum BIGINT := 0;
    g_count BIGINT := 0;
    g_points BIGINT := 0;
BEGIN
    IF children THEN
        SELECT COUNT(*), COALESCE(SUM(score), 0) INTO r_count, r_sum FROM ratings WHERE appeal_id = a.id;
        SELECT COUNT(*), COALESCE(SUM(CASE grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END), 0)
          INTO g_count, g_points FROM bot_grades WHERE appeal_id = a.id;
    END IF;
    INSERT INTO stats_daily AS s (day, region_code, received, answered, answered_by_bot,
                                  answered_by_operators, answered_late, self_served, escalated,
                                  ratings_count, ratings_sum, grades_count, grades_points)
    VALUES (stats_day(a.created_at), a.region_code, sign,
            sign * (a.first_answered_at IS NOT NULL)::INT,
            sign * (a.engine_confident)::INT,
            sign * (NOT a.engine_confident AND a.first_answered_at IS NOT NULL)::INT,
            sign * (NOT a.engine_confident AND a.first_answered_at IS NOT NULL AND a.answered_late)::INT,
            sign * (a.close_reason IS NOT DISTINCT FROM 'self_served')::INT,
            sign * (a.escalated_at IS NOT NULL)::INT,
            sign * r_count, sign * r_sum, sign * g_count, sign * g_points)
    ON CONFLICT (day, region_code) DO UPDATE SET
        received = s.received + EXCLUDED.received,
        answered = s.answered + EXCLUDED.answered,
        answered_by_bot = s.answered_by_bot + EXCLUDED.answered_by_bot,
        answered_by_operators = s.answered_by_operators + EXCLUDED.answered_by_operators,
        answered_late = s.answered_late + EXCLUDED.answered_late,
        self_served = s.self_served + EXCLUDED.self_served,
        escalated = s.escalated + EXCLUDED.escalated,
        ratings_count = s.ratings_count + EXCLUDED.ratings_count,
        ratings_sum = s.ratings_sum + EXCLUDED.ratings_sum,
        grades_count = s.grades_count + EXCLUDED.grades_count,
        grades_points = s.grades_points + EXCLUDED.grades_points;
END $$;

-- The first-answer row of an appeal, as its current state says.
CREATE FUNCTION stats_follow_first_answer(a appeals) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    IF a.engine_confident OR a.first_answered_at IS NULL THEN
        DELETE FROM stats_first_answers WHERE appeal_id = a.id;
        RETURN;
    END IF;
    INSERT INTO stats_first_answers AS f (appeal_id, region_code, day, created_at, answered_at, answered_by)
    VALUES (a.id, a.region_code, stats_day(a.created_at), a.created_at, a.first_answered_at, a.assignee_id)
    ON CONFLICT (appeal_id) DO UPDATE SET
        region_code = EXCLUDED.region_code, day = EXCLUDED.day, created_at = EXCLUDED.created_at,
        answered_at = EXCLUDED.answered_at, hours = NULL, working_days = NULL
    WHERE f.region_code IS DISTINCT FROM EXCLUDED.region_code
       OR f.created_at IS DISTINCT FROM EXCLUDED.created_at
       OR f.answered_at IS DISTINCT FROM EXCLUDED.answered_at;
END $$;

CREATE FUNCTION stats_appeals_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new appeal has no ratings or grades yet.
        PERFORM stats_apply(NEW, 1, FALSE);
        PERFORM stats_follow_first_answer(NEW);
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
            -- Moved: everything it counts, ratings and grades included, changes bucket.
            -- Buckets are touched in key order, so two opposite moves cannot deadlock.
            IF (stats_day(OLD.created_at), OLD.region_code) < (stats_day(NEW.created_at), NEW.region_code) THEN
                PERFORM stats_apply(OLD, -1, TRUE);
                PERFORM stats_apply(NEW, 1, TRUE);
            ELSE
                PERFORM stats_apply(NEW, 1, TRUE);
                PERFORM stats_apply(OLD, -1, TRUE);
            END IF;
        ELSIF OLD.first_answered_at IS DISTINCT FROM NEW.first_answered_at
           OR OLD.engine_confident IS DISTINCT FROM NEW.engine_confident
           OR OLD.answered_late IS DISTINCT FROM NEW.answered_late
           OR OLD.close_reason IS DISTINCT FROM NEW.close_reason
           OR OLD.escalated_at IS DISTINCT FROM NEW.escalated_at THEN
            PERFORM stats_apply(OLD, -1, FALSE);
            PERFORM stats_apply(NEW, 1, FALSE);
        END IF;
        IF OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.created_at IS DISTINCT FROM NEW.created_at
           OR OLD.first_answered_at IS DISTINCT FROM NEW.first_answered_at
           OR OLD.engine_confident IS DISTINCT FROM NEW.engine_confident THEN
            PERFORM stats_follow_first_answer(NEW);
        END IF;
        RETURN NULL;
    ELSE
        -- Removing an appeal (nothing in the service does; kept exact anyway): its ratings
        -- and grades go first, through their own triggers, while the appeal names the bucket.
        DELETE FROM ratings WHERE appeal_id = OLD.id;
        DELETE FROM bot_grades WHERE appeal_id = OLD.id;
        PERFORM stats_apply(OLD, -1, FALSE);
        DELETE FROM stats_first_answers WHERE appeal_id = OLD.id;
        RETURN OLD;
    END IF;
END $$;

CREATE TRIGGER stats_appeals_insert AFTER INSERT ON appeals
    FOR EACH ROW EXECUTE FUNCTION stats_appeals_trigger();
CREATE TRIGGER stats_appeals_update
    AFTER UPDATE OF region_code, created_at, first_answered_at, engine_confident, answered_late,
                    close_reason, escalated_at ON appeals
    FOR EACH ROW EXECUTE FUNCTION stats_appeals_trigger();
CREATE TRIGGER stats_appeals_delete BEFORE DELETE ON appeals
    FOR EACH ROW EXECUTE FUNCTION stats_appeals_trigger();

-- A rating or grade counts in the bucket of its appeal.
CREATE FUNCTION stats_children_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    r_delta BIGINT;
    g_delta BIGINT;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF TG_TABLE_NAME = 'ratings' THEN
            UPDATE stats_daily s SET ratings_count = s.ratings_count - 1, ratings_sum = s.ratings_sum - OLD.score
            FROM appeals a WHERE a.id = OLD.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
        ELSE
            g_delta := CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END;
            UPDATE stats_daily s SET grades_count = s.grades_count - 1, grades_points = s.grades_points - g_delta
            FROM appeals a WHERE a.id = OLD.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF TG_TABLE_NAME = 'ratings' THEN
            r_delta := NEW.score;
            UPDATE stats_daily s SET ratings_count = s.ratings_count + 1, ratings_sum = s.ratings_sum + r_delta
            FROM appeals a WHERE a.id = NEW.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
        ELSE
            g_delta := CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END;
            UPDATE stats_daily s SET grades_count = s.grades_count + 1, grades_points = s.grades_points + g_delta
            FROM appeals a WHERE a.id = NEW.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_ratings_change AFTER INSERT OR DELETE OR UPDATE OF score, appeal_id ON ratings
    FOR EACH ROW EXECUTE FUNCTION stats_children_trigger();
CREATE TRIGGER stats_grades_change AFTER INSERT OR DELETE OR UPDATE OF grade, appeal_id ON bot_grades
    FOR EACH ROW EXECUTE FUNCTION stats_children_trigger();

-- Appeals already stored when this migration runs.
INSERT INTO stats_daily (day, region_code, received, answered, answered_by_bot,
                         answered_by_operators, answered_late, self_served, escalated)
SELECT stats_day(created_at), region_code, COUNT(*),
       COUNT(*) FILTER (WHERE first_answered_at IS NOT NULL),
       COUNT(*) FILTER (WHERE engine_confident),
       COUNT(*) FILTER (WHERE NOT engine_confident AND first_answered_at IS NOT NULL),
       COUNT(*) FILTER (WHERE NOT engine_confident AND first_answered_at IS NOT NULL AND answered_late),
       COUNT(*) FILTER (WHERE close_reason = 'self_served'),
       COUNT(*) FILTER (WHERE escalated_at IS NOT NULL)
FROM appeals GROUP BY 1, 2;
UPDATE stats_daily SET ratings_count = r.n, ratings_sum = r.s
FROM (SELECT stats_day(a.created_at) AS d, a.region_code AS rc, COUNT(*) AS n, SUM(x.score) AS s
      FROM ratings x JOIN appeals a ON a.id = x.appeal_id GROUP BY 1, 2) AS r
WHERE stats_daily.day = r.d AND stats_daily.region_code = r.rc;
UPDATE stats_daily SET grades_count = g.n, grades_points = g.p
FROM (SELECT stats_day(a.created_at) AS d, a.region_code AS rc, COUNT(*) AS n,
             SUM(CASE x.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END) AS p
      FROM bot_grades x JOIN appeals a ON a.id = x.appeal_id GROUP BY 1, 2) AS g
WHERE stats_daily.day = g.d AND stats_daily.region_code = g.rc;
INSERT INTO stats_first_answers (appeal_id, region_code, day, created_at, answered_at, answered_by)
SELECT id, region_code, stats_day(created_at), created_at, first_answered_at, assignee_id
FROM appeals WHERE NOT engine_confident AND first_answered_at IS NOT NULL;
