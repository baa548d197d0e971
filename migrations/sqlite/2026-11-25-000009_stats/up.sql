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
) WITHOUT ROWID;
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

-- Appeals already stored when this migration runs.
INSERT INTO stats_daily (day, region_code, received, answered, answered_by_bot,
                         answered_by_operators, answered_late, self_served, escalated)
SELECT date(created_at, '+3 hours'), region_code, COUNT(*),
       SUM(first_answered_at IS NOT NULL),
       SUM(engine_confident <> 0),
       SUM(engine_confident = 0 AND first_answered_at IS NOT NULL),
       SUM(engine_confident = 0 AND first_answered_at IS NOT NULL AND answered_late <> 0),
       SUM(close_reason IS 'self_served'),
       SUM(escalated_at IS NOT NULL)
FROM appeals GROUP BY 1, 2;
UPDATE stats_daily SET ratings_count = r.n, ratings_sum = r.s
FROM (SELECT date(a.created_at, '+3 hours') AS d, a.region_code AS rc, COUNT(*) AS n, SUM(x.score) AS s
      FROM ratings x JOIN appeals a ON a.id = x.appeal_id GROUP BY 1, 2) AS r
WHERE stats_daily.day = r.d AND stats_daily.region_code = r.rc;
UPDATE stats_daily SET grades_count = g.n, grades_points = g.p
FROM (SELECT date(a.created_at, '+3 hours') AS d, a.region_code AS rc, COUNT(*) AS n,
             SUM(CASE x.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END) AS p
      FROM bot_grades x JOIN appeals a ON a.id = x.appeal_id GROUP BY 1, 2) AS g
WHERE stats_daily.day = g.d AND stats_daily.region_code = g.rc;
INSERT INTO stats_first_answers (appeal_id, region_code, day, created_at, answered_at, answered_by)
SELECT id, region_code, date(created_at, '+3 hours'), created_at, first_answered_at, assignee_id
FROM appeals WHERE engine_confident = 0 AND first_answered_at IS NOT NULL;

-- A new appeal: its own figures (it has no ratings or grades yet).
CREATE TRIGGER stats_appeals_insert AFTER INSERT ON appeals
BEGIN
    INSERT INTO stats_daily (day, region_code, received, answered, answered_by_bot,
                             answered_by_operators, answered_late, self_served, escalated)
    VALUES (date(NEW.created_at, '+3 hours'), NEW.region_code, 1,
            NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident <> 0,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL AND NEW.answered_late <> 0,
            NEW.close_reason IS 'self_served',
            NEW.escalated_at IS NOT NULL)
    ON CONFLICT (day, region_code) DO UPDATE SET
        received = received + excluded.received,
        answered = answered + excluded.answered,
        answered_by_bot = answered_by_bot + excluded.answered_by_bot,
        answered_by_operators = answered_by_operators + excluded.answered_by_operators,
        answered_late = answered_late + excluded.answered_late,
        self_served = self_served + excluded.self_served,
        escalated = escalated + excluded.escalated;
    INSERT INTO stats_first_answers (appeal_id, region_code, day, created_at, answered_at, answered_by)
    SELECT NEW.id, NEW.region_code, date(NEW.created_at, '+3 hours'), NEW.created_at,
           NEW.first_answered_at, NEW.assignee_id
    WHERE NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL;
END;

-- The appeal's state changed within the same region and day: apply the difference.
CREATE TRIGGER stats_appeals_update_flags
AFTER UPDATE OF first_answered_at, engine_confident, answered_late, close_reason, escalated_at ON appeals
WHEN OLD.region_code IS NEW.region_code AND OLD.created_at IS NEW.created_at
 AND (OLD.first_answered_at IS NOT NEW.first_answered_at OR OLD.engine_confident IS NOT NEW.engine_confident
      OR OLD.answered_late IS NOT NEW.answered_late OR OLD.close_reason IS NOT NEW.close_reason
      OR OLD.escalated_at IS NOT NEW.escalated_at)
BEGIN
    UPDATE stats_daily SET
        answered = answered + (NEW.first_answered_at IS NOT NULL) - (OLD.first_answered_at IS NOT NULL),
        answered_by_bot = answered_by_bot + (NEW.engine_confident <> 0) - (OLD.engine_confident <> 0),
        answered_by_operators = answered_by_operators
            + (NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL)
            - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
        answered_late = answered_late
            + (NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL AND NEW.answered_late <> 0)
            - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
        self_served = self_served + (NEW.close_reason IS 'self_served') - (OLD.close_reason IS 'self_served'),
        escalated = escalated + (NEW.escalated_at IS NOT NULL) - (OLD.escalated_at IS NOT NULL)
    WHERE day = date(NEW.created_at, '+3 hours') AND region_code = NEW.region_code;
END;

-- Transferred to another region (or its arrival time rewritten): move everything it
-- counts in, ratings and grades included, from the old bucket to the new one.
CREATE TRIGGER stats_appeals_update_moved
AFTER UPDATE OF region_code, created_at ON appeals
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE stats_daily SET
        received = received - 1,
        answered = answered - (OLD.first_answered_at IS NOT NULL),
        answered_by_bot = answered_by_bot - (OLD.engine_confident <> 0),
        answered_by_operators = answered_by_operators - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
        answered_late = answered_late - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
        self_served = self_served - (OLD.close_reason IS 'self_served'),
        escalated = escalated - (OLD.escalated_at IS NOT NULL),
        ratings_count = ratings_count - (SELECT COUNT(*) FROM ratings WHERE appeal_id = OLD.id),
        ratings_sum = ratings_sum - (SELECT IFNULL(SUM(score), 0) FROM ratings WHERE appeal_id = OLD.id),
        grades_count = grades_count - (SELECT COUNT(*) FROM bot_grades WHERE appeal_id = OLD.id),
        grades_points = grades_points - (SELECT IFNULL(SUM(CASE grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END), 0)
                                         FROM bot_grades WHERE appeal_id = OLD.id)
    WHERE day = date(OLD.created_at, '+3 hours') AND region_code = OLD.region_code;
    INSERT INTO stats_daily (day, region_code, received, answered, answered_by_bot,
                             answered_by_operators, answered_late, self_served, escalated,
                             ratings_count, ratings_sum, grades_count, grades_points)
    VALUES (date(NEW.created_at, '+3 hours'), NEW.region_code, 1,
            NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident <> 0,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL AND NEW.answered_late <> 0,
            NEW.close_reason IS 'self_served',
            NEW.escalated_at IS NOT NULL,
            (SELECT COUNT(*) FROM ratings WHERE appeal_id = NEW.id),
            (SELECT IFNULL(SUM(score), 0) FROM ratings WHERE appeal_id = NEW.id),
            (SELECT COUNT(*) FROM bot_grades WHERE appeal_id = NEW.id),
            (SELECT IFNULL(SUM(CASE grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END), 0)
             FROM bot_grades WHERE appeal_id = NEW.id))
    ON CONFLICT (day, region_code) DO UPDATE SET
        received = received + excluded.received,
        answered = answered + excluded.answered,
        answered_by_bot = answered_by_bot + excluded.answered_by_bot,
        answered_by_operators = answered_by_operators + excluded.answered_by_operators,
        answered_late = answered_late + excluded.answered_late,
        self_served = self_served + excluded.self_served,
        escalated = escalated + excluded.escalated,
        ratings_count = ratings_count + excluded.ratings_count,
        ratings_sum = ratings_sum + excluded.ratings_sum,
        grades_count = grades_count + excluded.grades_count,
        grades_points = grades_points + excluded.grades_points;
END;

-- The first-answer row follows the appeal: created when an operator's first answer is
-- recorded, reset when its inputs change, removed when it no longer applies.
CREATE TRIGGER stats_first_answers_follow
AFTER UPDATE OF region_code, created_at, first_answered_at, engine_confident ON appeals
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
  OR OLD.first_answered_at IS NOT NEW.first_answered_at OR OLD.engine_confident IS NOT NEW.engine_confident
BEGIN
    DELETE FROM stats_first_answers
    WHERE appeal_id = NEW.id AND (NEW.engine_confident <> 0 OR NEW.first_answered_at IS NULL);
    UPDATE stats_first_answers SET
        region_code = NEW.region_code, day = date(NEW.created_at, '+3 hours'),
        created_at = NEW.created_at, answered_at = NEW.first_answered_at,
        hours = NULL, working_days = NULL
    WHERE appeal_id = NEW.id
      AND NOT (region_code IS NEW.region_code AND created_at IS NEW.created_at
               AND answered_at IS NEW.first_answered_at);
    INSERT INTO stats_first_answers (appeal_id, region_code, day, created_at, answered_at, answered_by)
    SELECT NEW.id, NEW.region_code, date(NEW.created_at, '+3 hours'), NEW.created_at,
           NEW.first_answered_at, NEW.assignee_id
    WHERE NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM stats_first_answers WHERE appeal_id = NEW.id);
END;

-- Removing an appeal (nothing in the service does; kept exact anyway): its ratings and
-- grades go first, through their own triggers, while the appeal still names the bucket.
CREATE TRIGGER stats_appeals_delete BEFORE DELETE ON appeals
BEGIN
    DELETE FROM ratings WHERE appeal_id = OLD.id;
    DELETE FROM bot_grades WHERE appeal_id = OLD.id;
    UPDATE stats_daily SET
        received = received - 1,
        answered = answered - (OLD.first_answered_at IS NOT NULL),
        answered_by_bot = answered_by_bot - (OLD.engine_confident <> 0),
        answered_by_operators = answered_by_operators - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
        answered_late = answered_late - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
        self_served = self_served - (OLD.close_reason IS 'self_served'),
        escalated = escalated - (OLD.escalated_at IS NOT NULL)
    WHERE day = date(OLD.created_at, '+3 hours') AND region_code = OLD.region_code;
    DELETE FROM stats_first_answers WHERE appeal_id = OLD.id;
END;

CREATE TRIGGER stats_ratings_insert AFTER INSERT ON ratings
BEGIN
    UPDATE stats_daily SET ratings_count = ratings_count + 1, ratings_sum = ratings_sum + NEW.score
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_ratings_delete AFTER DELETE ON ratings
BEGIN
    UPDATE stats_daily SET ratings_count = ratings_count - 1, ratings_sum = ratings_sum - OLD.score
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
END;

CREATE TRIGGER stats_ratings_update AFTER UPDATE OF score, appeal_id ON ratings
BEGIN
    UPDATE stats_daily SET ratings_count = ratings_count - 1, ratings_sum = ratings_sum - OLD.score
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
    UPDATE stats_daily SET ratings_count = ratings_count + 1, ratings_sum = ratings_sum + NEW.score
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_grades_insert AFTER INSERT ON bot_grades
BEGIN
    UPDATE stats_daily SET grades_count = grades_count + 1,
        grades_points = grades_points + (CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_grades_delete AFTER DELETE ON bot_grades
BEGIN
    UPDATE stats_daily SET grades_count = grades_count - 1,
        grades_points = grades_points - (CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
END;

CREATE TRIGGER stats_grades_update AFTER UPDATE OF grade, appeal_id ON bot_grades
BEGIN
    UPDATE stats_daily SET grades_count = grades_count - 1,
        grades_points = grades_points - (CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
    UPDATE stats_daily SET grades_count = grades_count + 1,
        grades_points = grades_points + (CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;
