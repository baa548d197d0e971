-- A click is not a rating, and an appeal can wait for its teacher (issue #22).
--
-- «Помогло» / «Не помогло» on a bot answer is a click stored on the answer (`helpful`), not
-- a five-star rating: ratings hold only stars a teacher actually gave. Ratings given before
-- this migration cannot be told apart (a «Помогло» then was a rating of 5) and stay as
-- they are.
--
-- An operator's clarifying question sets `waiting_since` (the SLA clock stops: the
-- deadline is cleared) and keeps the working days that were left; the teacher's reply sets
-- a new deadline that many working days after the reply's day.

ALTER TABLE appeal_answers ADD COLUMN helpful BOOLEAN;
ALTER TABLE appeal_answers ADD COLUMN helpful_at TIMESTAMP;
ALTER TABLE appeals ADD COLUMN waiting_since TIMESTAMP;
ALTER TABLE appeals ADD COLUMN waiting_days_left INTEGER;

-- The average rating split by who answered, and the bot's «помогло» share (clicks of
-- either kind on bot answers, and how many of them said «помогло»). Same cohort rule as
-- the other figures of stats_daily: the appeal's arrival day and current region.
ALTER TABLE stats_daily ADD COLUMN bot_ratings_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN bot_ratings_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN operator_ratings_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN operator_ratings_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN bot_clicks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN bot_helpful BIGINT NOT NULL DEFAULT 0;

UPDATE stats_daily SET
    bot_ratings_count = r.bn, bot_ratings_sum = r.bs,
    operator_ratings_count = r.on_, operator_ratings_sum = r.os
FROM (SELECT date(a.created_at, '+3 hours') AS d, a.region_code AS rc,
             SUM(s.source = 'bot') AS bn, SUM(CASE WHEN s.source = 'bot' THEN x.score ELSE 0 END) AS bs,
             SUM(s.source = 'operator') AS on_, SUM(CASE WHEN s.source = 'operator' THEN x.score ELSE 0 END) AS os
      FROM ratings x JOIN appeals a ON a.id = x.appeal_id JOIN appeal_answers s ON s.id = x.answer_id
      GROUP BY 1, 2) AS r
WHERE stats_daily.day = r.d AND stats_daily.region_code = r.rc;

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

-- A click on a bot answer (set once; kept exact for any change anyway).
CREATE TRIGGER stats_clicks_update AFTER UPDATE OF helpful ON appeal_answers
WHEN OLD.helpful IS NOT NEW.helpful AND NEW.source = 'bot'
BEGIN
    UPDATE stats_daily SET
        bot_clicks = bot_clicks + (NEW.helpful IS NOT NULL) - (OLD.helpful IS NOT NULL),
        bot_helpful = bot_helpful + (COALESCE(NEW.helpful, 0) <> 0) - (COALESCE(OLD.helpful, 0) <> 0)
    WHERE day = (SELECT date(created_at, '+3 hours') FROM appeals WHERE id = NEW.appeal_id)
      AND region_code = (SELECT region_code FROM appeals WHERE id = NEW.appeal_id);
END;

-- Transferred (or its arrival time rewritten): the new figures move with the appeal, as
-- the older ones do in stats_appeals_update_moved.
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

-- Removing an appeal (nothing in the service does): its clicks leave its bucket first.
CREATE TRIGGER stats_feedback_delete BEFORE DELETE ON appeals
BEGIN
    UPDATE stats_daily SET
        bot_clicks = bot_clicks - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
        bot_helpful = bot_helpful - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful <> 0)
    WHERE day = date(OLD.created_at, '+3 hours') AND region_code = OLD.region_code;
END;
