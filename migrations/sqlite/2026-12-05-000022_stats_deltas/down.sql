-- Back to one updated row per region and day: the deltas are folded first, so no figure
-- is lost; then the triggers of migrations 000009 and 000014 come back.

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
DROP VIEW stats_daily;
DROP VIEW stats_daily_parts;
INSERT INTO stats_daily_folded (day, region_code, received, answered, answered_by_bot,
        answered_by_operators, answered_late, self_served, escalated, ratings_count, ratings_sum,
        grades_count, grades_points, bot_ratings_count, bot_ratings_sum, operator_ratings_count,
        operator_ratings_sum, bot_clicks, bot_helpful)
SELECT day, region_code, SUM(received), SUM(answered), SUM(answered_by_bot),
       SUM(answered_by_operators), SUM(answered_late), SUM(self_served), SUM(escalated),
       SUM(ratings_count), SUM(ratings_sum), SUM(grades_count), SUM(grades_points),
       SUM(bot_ratings_count), SUM(bot_ratings_sum), SUM(operator_ratings_count),
       SUM(operator_ratings_sum), SUM(bot_clicks), SUM(bot_helpful)
FROM stats_deltas WHERE true GROUP BY day, region_code
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
    grades_points = grades_points + excluded.grades_points,
    bot_ratings_count = bot_ratings_count + excluded.bot_ratings_count,
    bot_ratings_sum = bot_ratings_sum + excluded.bot_ratings_sum,
    operator_ratings_count = operator_ratings_count + excluded.operator_ratings_count,
    operator_ratings_sum = operator_ratings_sum + excluded.operator_ratings_sum,
    bot_clicks = bot_clicks + excluded.bot_clicks,
    bot_helpful = bot_helpful + excluded.bot_helpful;
DROP TABLE stats_deltas;
ALTER TABLE stats_daily_folded RENAME TO stats_daily;

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

CREATE TRIGGER stats_source_ratings_insert AFTER INSERT ON ratings
BEGIN
    UPDATE stats_daily SET
        bot_ratings_count = bot_ratings_count + (src.source = 'bot'),
        bot_ratings_sum = bot_ratings_sum + CASE WHEN src.source = 'bot' THEN NEW.score ELSE 0 END,
        operator_ratings_count = operator_ratings_count + (src.source = 'operator'),
        operator_ratings_sum = operator_ratings_sum + CASE WHEN src.source = 'operator' THEN NEW.score ELSE 0 END
    FROM (SELECT source FROM appeal_answers WHERE id = NEW.answer_id) AS src
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_source_ratings_delete AFTER DELETE ON ratings
BEGIN
    UPDATE stats_daily SET
        bot_ratings_count = bot_ratings_count - (src.source = 'bot'),
        bot_ratings_sum = bot_ratings_sum - CASE WHEN src.source = 'bot' THEN OLD.score ELSE 0 END,
        operator_ratings_count = operator_ratings_count - (src.source = 'operator'),
        operator_ratings_sum = operator_ratings_sum - CASE WHEN src.source = 'operator' THEN OLD.score ELSE 0 END
    FROM (SELECT source FROM appeal_answers WHERE id = OLD.answer_id) AS src
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
END;

CREATE TRIGGER stats_source_ratings_update AFTER UPDATE OF score, appeal_id ON ratings
BEGIN
    UPDATE stats_daily SET
        bot_ratings_count = bot_ratings_count - (src.source = 'bot'),
        bot_ratings_sum = bot_ratings_sum - CASE WHEN src.source = 'bot' THEN OLD.score ELSE 0 END,
        operator_ratings_count = operator_ratings_count - (src.source = 'operator'),
        operator_ratings_sum = operator_ratings_sum - CASE WHEN src.source = 'operator' THEN OLD.score ELSE 0 END
    FROM (SELECT source FROM appeal_answers WHERE id = OLD.answer_id) AS src
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = OLD.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = OLD.appeal_id);
    UPDATE stats_daily SET
        bot_ratings_count = bot_ratings_count + (src.source = 'bot'),
        bot_ratings_sum = bot_ratings_sum + CASE WHEN src.source = 'bot' THEN NEW.score ELSE 0 END,
        operator_ratings_count = operator_ratings_count + (src.source = 'operator'),
        operator_ratings_sum = operator_ratings_sum + CASE WHEN src.source = 'operator' THEN NEW.score ELSE 0 END
    FROM (SELECT source FROM appeal_answers WHERE id = NEW.answer_id) AS src
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_clicks_update AFTER UPDATE OF helpful ON appeal_answers
WHEN OLD.helpful IS NOT NEW.helpful AND NEW.source = 'bot'
BEGIN
    UPDATE stats_daily SET
        bot_clicks = bot_clicks + (NEW.helpful IS NOT NULL) - (OLD.helpful IS NOT NULL),
        bot_helpful = bot_helpful + (COALESCE(NEW.helpful, 0) <> 0) - (COALESCE(OLD.helpful, 0) <> 0)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

CREATE TRIGGER stats_feedback_moved
AFTER UPDATE OF region_code, created_at ON appeals
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE stats_daily SET
        bot_ratings_count = bot_ratings_count - (SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
                                                 WHERE r.appeal_id = OLD.id AND s.source = 'bot'),
        bot_ratings_sum = bot_ratings_sum - (SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
                                             WHERE r.appeal_id = OLD.id AND s.source = 'bot'),
        operator_ratings_count = operator_ratings_count - (SELECT COUNT(*) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
                                                           WHERE r.appeal_id = OLD.id AND s.source = 'operator'),
        operator_ratings_sum = operator_ratings_sum - (SELECT IFNULL(SUM(r.score), 0) FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id
                                                       WHERE r.appeal_id = OLD.id AND s.source = 'operator'),
        bot_clicks = bot_clicks - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
        bot_helpful = bot_helpful - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful <> 0)
    WHERE day = date(OLD.created_at, '+3 hours') AND region_code = OLD.region_code;
    INSERT INTO stats_daily (day, region_code, bot_ratings_count, bot_ratings_sum,
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
            (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = NEW.id AND source = 'bot' AND helpful <> 0))
    ON CONFLICT (day, region_code) DO UPDATE SET
        bot_ratings_count = bot_ratings_count + excluded.bot_ratings_count,
        bot_ratings_sum = bot_ratings_sum + excluded.bot_ratings_sum,
        operator_ratings_count = operator_ratings_count + excluded.operator_ratings_count,
        operator_ratings_sum = operator_ratings_sum + excluded.operator_ratings_sum,
        bot_clicks = bot_clicks + excluded.bot_clicks,
        bot_helpful = bot_helpful + excluded.bot_helpful;
END;

CREATE TRIGGER stats_feedback_delete BEFORE DELETE ON appeals
BEGIN
    UPDATE stats_daily SET
        bot_clicks = bot_clicks - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
        bot_helpful = bot_helpful - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful <> 0)
    WHERE day = date(OLD.created_at, '+3 hours') AND region_code = OLD.region_code;
END;

