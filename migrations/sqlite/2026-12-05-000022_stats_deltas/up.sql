-- Statistics without a hot row (issue #20, item 3): the same mechanism as on PostgreSQL.
--
-- The triggers no longer update the one stats_daily row of a region and day: they APPEND a
-- delta row to stats_deltas; the server's job folds the deltas into stats_daily_folded
-- periodically (jobs/stats_fold.rs, domain/stats/fold.rs), and stats_daily is a view:
-- folded figures plus the unfolded tail, exact at any moment. SQLite has a single writer
-- and no row locks, so it gains little here; it keeps the same tables, view and fold so
-- that both backends have one schema, one reading code and one `db copy`.
--
-- The cohort rules of migrations 000009 and 000014 are unchanged; only where a difference
-- is written changes. Every trigger that wrote stats_daily is replaced (same names).

DROP TRIGGER stats_appeals_insert;
DROP TRIGGER stats_appeals_update_flags;
DROP TRIGGER stats_appeals_update_moved;
DROP TRIGGER stats_appeals_delete;
DROP TRIGGER stats_ratings_insert;
DROP TRIGGER stats_ratings_delete;
DROP TRIGGER stats_ratings_update;
DROP TRIGGER stats_grades_insert;
DROP TRIGGER stats_grades_delete;
DROP TRIGGER stats_grades_update;
DROP TRIGGER stats_source_ratings_insert;
DROP TRIGGER stats_source_ratings_delete;
DROP TRIGGER stats_source_ratings_update;
DROP TRIGGER stats_clicks_update;
DROP TRIGGER stats_feedback_moved;
DROP TRIGGER stats_feedback_delete;

ALTER TABLE stats_daily RENAME TO stats_daily_folded;

-- Append-only: written by the triggers, read by the view, deleted only by the fold.
CREATE TABLE stats_deltas (
    id INTEGER PRIMARY KEY NOT NULL,
    day DATE NOT NULL,
    region_code TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    answered_by_bot BIGINT NOT NULL DEFAULT 0,
    answered_by_operators BIGINT NOT NULL DEFAULT 0,
    answered_late BIGINT NOT NULL DEFAULT 0,
    self_served BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    ratings_count BIGINT NOT NULL DEFAULT 0,
    ratings_sum BIGINT NOT NULL DEFAULT 0,
    grades_count BIGINT NOT NULL DEFAULT 0,
    grades_points BIGINT NOT NULL DEFAULT 0,
    bot_ratings_count BIGINT NOT NULL DEFAULT 0,
    bot_ratings_sum BIGINT NOT NULL DEFAULT 0,
    operator_ratings_count BIGINT NOT NULL DEFAULT 0,
    operator_ratings_sum BIGINT NOT NULL DEFAULT 0,
    bot_clicks BIGINT NOT NULL DEFAULT 0,
    bot_helpful BIGINT NOT NULL DEFAULT 0
);

-- Every figure, folded or not: several rows per (day, region). The statistics read
-- this and sum per their own grouping; a plain UNION ALL lets both planners push the
-- day and region filters into each part (the folded part's indexes serve them).
CREATE VIEW stats_daily_parts AS
SELECT day, region_code, received, answered, answered_by_bot, answered_by_operators,
       answered_late, self_served, escalated, ratings_count, ratings_sum, grades_count,
       grades_points, bot_ratings_count, bot_ratings_sum, operator_ratings_count,
       operator_ratings_sum, bot_clicks, bot_helpful
FROM stats_daily_folded
UNION ALL
SELECT day, region_code, received, answered, answered_by_bot, answered_by_operators,
       answered_late, self_served, escalated, ratings_count, ratings_sum, grades_count,
       grades_points, bot_ratings_count, bot_ratings_sum, operator_ratings_count,
       operator_ratings_sum, bot_clicks, bot_helpful
FROM stats_deltas;

-- The exact figures, one row per (day, region) as stats_daily always had (checks,
-- `db copy`, manual queries).
CREATE VIEW stats_daily AS
SELECT day, region_code,
       CAST(SUM(received) AS BIGINT) AS received,
       CAST(SUM(answered) AS BIGINT) AS answered,
       CAST(SUM(answered_by_bot) AS BIGINT) AS answered_by_bot,
       CAST(SUM(answered_by_operators) AS BIGINT) AS answered_by_operators,
       CAST(SUM(answered_late) AS BIGINT) AS answered_late,
       CAST(SUM(self_served) AS BIGINT) AS self_served,
       CAST(SUM(escalated) AS BIGINT) AS escalated,
       CAST(SUM(ratings_count) AS BIGINT) AS ratings_count,
       CAST(SUM(ratings_sum) AS BIGINT) AS ratings_sum,
       CAST(SUM(grades_count) AS BIGINT) AS grades_count,
       CAST(SUM(grades_points) AS BIGINT) AS grades_points,
       CAST(SUM(bot_ratings_count) AS BIGINT) AS bot_ratings_count,
       CAST(SUM(bot_ratings_sum) AS BIGINT) AS bot_ratings_sum,
       CAST(SUM(operator_ratings_count) AS BIGINT) AS operator_ratings_count,
       CAST(SUM(operator_ratings_sum) AS BIGINT) AS operator_ratings_sum,
       CAST(SUM(bot_clicks) AS BIGINT) AS bot_clicks,
       CAST(SUM(bot_helpful) AS BIGINT) AS bot_helpful
FROM stats_daily_parts
GROUP BY day, region_code;

-- A new appeal: its own figures (it has no ratings or grades yet).
CREATE TRIGGER stats_appeals_insert AFTER INSERT ON appeals
BEGIN
    INSERT INTO stats_deltas (day, region_code, received, answered, answered_by_bot,
                              answered_by_operators, answered_late, self_served, escalated)
    VALUES (date(NEW.created_at, '+3 hours'), NEW.region_code, 1,
            NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident <> 0,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL,
            NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL AND NEW.answered_late <> 0,
            NEW.close_reason IS 'self_served',
            NEW.escalated_at IS NOT NULL);
    INSERT INTO stats_first_answers (appeal_id, region_code, day, created_at, answered_at, answered_by)
    SELECT NEW.id, NEW.region_code, date(NEW.created_at, '+3 hours'), NEW.created_at,
           NEW.first_answered_at, NEW.assignee_id
    WHERE NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL;
END;

-- The appeal's state changed within the same region and day: append the difference.
CREATE TRIGGER stats_appeals_update_flags
AFTER UPDATE OF first_answered_at, engine_confident, answered_late, close_reason, escalated_at ON appeals
WHEN OLD.region_code IS NEW.region_code AND OLD.created_at IS NEW.created_at
 AND (OLD.first_answered_at IS NOT NEW.first_answered_at OR OLD.engine_confident IS NOT NEW.engine_confident
      OR OLD.answered_late IS NOT NEW.answered_late OR OLD.close_reason IS NOT NEW.close_reason
      OR OLD.escalated_at IS NOT NEW.escalated_at)
BEGIN
    INSERT INTO stats_deltas (day, region_code, answered, answered_by_bot, answered_by_operators,
                              answered_late, self_served, escalated)
    VALUES (date(NEW.created_at, '+3 hours'), NEW.region_code,
        (NEW.first_answered_at IS NOT NULL) - (OLD.first_answered_at IS NOT NULL),
        (NEW.engine_confident <> 0) - (OLD.engine_confident <> 0),
        (NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL)
            - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
        (NEW.engine_confident = 0 AND NEW.first_answered_at IS NOT NULL AND NEW.answered_late <> 0)
            - (OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
        (NEW.close_reason IS 'self_served') - (OLD.close_reason IS 'self_served'),
        (NEW.escalated_at IS NOT NULL) - (OLD.escalated_at IS NOT NULL));
END;

-- Transferred to another region (or its arrival time rewritten): everything it counts in,
-- ratings and grades included, leaves the old bucket and enters the new one.
CREATE TRIGGER stats_appeals_update_moved
AFTER UPDATE OF region_code, created_at ON appeals
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO stats_deltas (day, region_code, received, answered, answered_by_bot,
                              answered_by_operators, answered_late, self_served, escalated,
                              ratings_count, ratings_sum, grades_count, grades_points)
    VALUES (date(OLD.created_at, '+3 hours'), OLD.region_code, -1,
            -(OLD.first_answered_at IS NOT NULL),
            -(OLD.engine_confident <> 0),
            -(OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
            -(OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
            -(OLD.close_reason IS 'self_served'),
            -(OLD.escalated_at IS NOT NULL),
            -(SELECT COUNT(*) FROM ratings WHERE appeal_id = OLD.id),
            -(SELECT IFNULL(SUM(score), 0) FROM ratings WHERE appeal_id = OLD.id),
            -(SELECT COUNT(*) FROM bot_grades WHERE appeal_id = OLD.id),
            -(SELECT IFNULL(SUM(CASE grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END), 0)
              FROM bot_grades WHERE appeal_id = OLD.id));
    INSERT INTO stats_deltas (day, region_code, received, answered, answered_by_bot,
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
             FROM bot_grades WHERE appeal_id = NEW.id));
END;

-- Removing an appeal (nothing in the service does; kept exact anyway): its ratings and
-- grades go first, through their own triggers, while the appeal still names the bucket.
CREATE TRIGGER stats_appeals_delete BEFORE DELETE ON appeals
BEGIN
    DELETE FROM ratings WHERE appeal_id = OLD.id;
    DELETE FROM bot_grades WHERE appeal_id = OLD.id;
    INSERT INTO stats_deltas (day, region_code, received, answered, answered_by_bot,
                              answered_by_operators, answered_late, self_served, escalated)
    VALUES (date(OLD.created_at, '+3 hours'), OLD.region_code, -1,
            -(OLD.first_answered_at IS NOT NULL),
            -(OLD.engine_confident <> 0),
            -(OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL),
            -(OLD.engine_confident = 0 AND OLD.first_answered_at IS NOT NULL AND OLD.answered_late <> 0),
            -(OLD.close_reason IS 'self_served'),
            -(OLD.escalated_at IS NOT NULL));
    DELETE FROM stats_first_answers WHERE appeal_id = OLD.id;
END;

CREATE TRIGGER stats_ratings_insert AFTER INSERT ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
    SELECT date(created_at, '+3 hours'), region_code, 1, NEW.score FROM appeals WHERE id = NEW.appeal_id;
END;

CREATE TRIGGER stats_ratings_delete AFTER DELETE ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
    SELECT date(created_at, '+3 hours'), region_code, -1, -OLD.score FROM appeals WHERE id = OLD.appeal_id;
END;

CREATE TRIGGER stats_ratings_update AFTER UPDATE OF score, appeal_id ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
    SELECT date(created_at, '+3 hours'), region_code, -1, -OLD.score FROM appeals WHERE id = OLD.appeal_id;
    INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
    SELECT date(created_at, '+3 hours'), region_code, 1, NEW.score FROM appeals WHERE id = NEW.appeal_id;
END;

CREATE TRIGGER stats_grades_insert AFTER INSERT ON bot_grades
BEGIN
    INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
    SELECT date(created_at, '+3 hours'), region_code, 1,
           CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END
    FROM appeals WHERE id = NEW.appeal_id;
END;

CREATE TRIGGER stats_grades_delete AFTER DELETE ON bot_grades
BEGIN
    INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
    SELECT date(created_at, '+3 hours'), region_code, -1,
           -(CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    FROM appeals WHERE id = OLD.appeal_id;
END;

CREATE TRIGGER stats_grades_update AFTER UPDATE OF grade, appeal_id ON bot_grades
BEGIN
    INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
    SELECT date(created_at, '+3 hours'), region_code, -1,
           -(CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
    FROM appeals WHERE id = OLD.appeal_id;
    INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
    SELECT date(created_at, '+3 hours'), region_code, 1,
           CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END
    FROM appeals WHERE id = NEW.appeal_id;
END;

-- Ratings split by who gave the answer (migration 000014).
CREATE TRIGGER stats_source_ratings_insert AFTER INSERT ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum)
    SELECT date(a.created_at, '+3 hours'), a.region_code,
           src.source = 'bot', CASE WHEN src.source = 'bot' THEN NEW.score ELSE 0 END,
           src.source = 'operator', CASE WHEN src.source = 'operator' THEN NEW.score ELSE 0 END
    FROM appeals a, appeal_answers src WHERE a.id = NEW.appeal_id AND src.id = NEW.answer_id;
END;

CREATE TRIGGER stats_source_ratings_delete AFTER DELETE ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum)
    SELECT date(a.created_at, '+3 hours'), a.region_code,
           -(src.source = 'bot'), -(CASE WHEN src.source = 'bot' THEN OLD.score ELSE 0 END),
           -(src.source = 'operator'), -(CASE WHEN src.source = 'operator' THEN OLD.score ELSE 0 END)
    FROM appeals a, appeal_answers src WHERE a.id = OLD.appeal_id AND src.id = OLD.answer_id;
END;

CREATE TRIGGER stats_source_ratings_update AFTER UPDATE OF score, appeal_id ON ratings
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum)
    SELECT date(a.created_at, '+3 hours'), a.region_code,
           -(src.source = 'bot'), -(CASE WHEN src.source = 'bot' THEN OLD.score ELSE 0 END),
           -(src.source = 'operator'), -(CASE WHEN src.source = 'operator' THEN OLD.score ELSE 0 END)
    FROM appeals a, appeal_answers src WHERE a.id = OLD.appeal_id AND src.id = OLD.answer_id;
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum)
    SELECT date(a.created_at, '+3 hours'), a.region_code,
           src.source = 'bot', CASE WHEN src.source = 'bot' THEN NEW.score ELSE 0 END,
           src.source = 'operator', CASE WHEN src.source = 'operator' THEN NEW.score ELSE 0 END
    FROM appeals a, appeal_answers src WHERE a.id = NEW.appeal_id AND src.id = NEW.answer_id;
END;

-- A click on a bot answer (set once; kept exact for any change anyway).
CREATE TRIGGER stats_clicks_update AFTER UPDATE OF helpful ON appeal_answers
WHEN OLD.helpful IS NOT NEW.helpful AND NEW.source = 'bot'
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_clicks, bot_helpful)
    SELECT date(created_at, '+3 hours'), region_code,
           (NEW.helpful IS NOT NULL) - (OLD.helpful IS NOT NULL),
           (COALESCE(NEW.helpful, 0) <> 0) - (COALESCE(OLD.helpful, 0) <> 0)
    FROM appeals WHERE id = NEW.appeal_id;
END;

-- Transferred (or its arrival time rewritten): the figures of migration 000014 move too.
CREATE TRIGGER stats_feedback_moved
AFTER UPDATE OF region_code, created_at ON appeals
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum, bot_clicks, bot_helpful)
    VALUES (date(OLD.created_at, '+3 hours'), OLD.region_code,
            -(SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
              WHERE r.appeal_id = OLD.id AND s.source = 'bot'),
            -(SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
              WHERE r.appeal_id = OLD.id AND s.source = 'bot'),
            -(SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
              WHERE r.appeal_id = OLD.id AND s.source = 'operator'),
            -(SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
              WHERE r.appeal_id = OLD.id AND s.source = 'operator'),
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful <> 0));
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum, bot_clicks, bot_helpful)
    VALUES (date(NEW.created_at, '+3 hours'), NEW.region_code,
            (SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
             WHERE r.appeal_id = NEW.id AND s.source = 'bot'),
            (SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
             WHERE r.appeal_id = NEW.id AND s.source = 'bot'),
            (SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
             WHERE r.appeal_id = NEW.id AND s.source = 'operator'),
            (SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
             WHERE r.appeal_id = NEW.id AND s.source = 'operator'),
            (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = NEW.id AND source = 'bot' AND helpful IS NOT NULL),
            (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = NEW.id AND source = 'bot' AND helpful <> 0));
END;

-- Removing an appeal (nothing in the service does): its clicks leave its bucket first.
CREATE TRIGGER stats_feedback_delete BEFORE DELETE ON appeals
BEGIN
    INSERT INTO stats_deltas (day, region_code, bot_clicks, bot_helpful)
    VALUES (date(OLD.created_at, '+3 hours'), OLD.region_code,
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful <> 0));
END;
