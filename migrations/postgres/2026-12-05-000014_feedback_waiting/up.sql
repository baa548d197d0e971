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
    operator_ratings_count = r.opn, operator_ratings_sum = r.ops
FROM (SELECT stats_day(a.created_at) AS d, a.region_code AS rc,
             COUNT(*) FILTER (WHERE s.source = 'bot') AS bn,
             COALESCE(SUM(x.score) FILTER (WHERE s.source = 'bot'), 0) AS bs,
             COUNT(*) FILTER (WHERE s.source = 'operator') AS opn,
             COALESCE(SUM(x.score) FILTER (WHERE s.source = 'operator'), 0) AS ops
      FROM ratings x JOIN appeals a ON a.id = x.appeal_id JOIN appeal_answers s ON s.id = x.answer_id
      GROUP BY 1, 2) AS r
WHERE stats_daily.day = r.d AND stats_daily.region_code = r.rc;

-- Adds (sign = 1) or removes (sign = -1) the new figures of one appeal in its bucket.
CREATE FUNCTION stats_feedback_apply(a appeals, sign INTEGER) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    bn BIGINT; bs BIGINT; opn BIGINT; ops BIGINT; clicks BIGINT; yes BIGINT;
BEGIN
    SELECT COUNT(*) FILTER (WHERE s.source = 'bot'), COALESCE(SUM(r.score) FILTER (WHERE s.source = 'bot'), 0),
           COUNT(*) FILTER (WHERE s.source = 'operator'), COALESCE(SUM(r.score) FILTER (WHERE s.source = 'operator'), 0)
      INTO bn, bs, opn, ops
      FROM ratings r JOIN appeal_answers s ON s.id = r.answer_id WHERE r.appeal_id = a.id;
    SELECT COUNT(*) FILTER (WHERE helpful IS NOT NULL), COUNT(*) FILTER (WHERE helpful)
      INTO clicks, yes FROM appeal_answers WHERE appeal_id = a.id AND source = 'bot';
    INSERT INTO stats_daily AS s (day, region_code, bot_ratings_count, bot_ratings_sum,
                                  operator_ratings_count, operator_ratings_sum, bot_clicks, bot_helpful)
    VALUES (stats_day(a.created_at), a.region_code, sign * bn, sign * bs, sign * opn, sign * ops,
            sign * clicks, sign * yes)
    ON CONFLICT (day, region_code) DO UPDATE SET
        bot_ratings_count = s.bot_ratings_count + EXCLUDED.bot_ratings_count,
        bot_ratings_sum = s.bot_ratings_sum + EXCLUDED.bot_ratings_sum,
        operator_ratings_count = s.operator_ratings_count + EXCLUDED.operator_ratings_count,
        operator_ratings_sum = s.operator_ratings_sum + EXCLUDED.operator_ratings_sum,
        bot_clicks = s.bot_clicks + EXCLUDED.bot_clicks,
        bot_helpful = s.bot_helpful + EXCLUDED.bot_helpful;
END $$;

-- Transferred (or its arrival time rewritten): the new figures move with the appeal, in
-- key order like stats_appeals_trigger. On removal its clicks leave the bucket first (its
-- ratings leave through their own trigger).
CREATE FUNCTION stats_feedback_appeals_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
            IF (stats_day(OLD.created_at), OLD.region_code) < (stats_day(NEW.created_at), NEW.region_code) THEN
                PERFORM stats_feedback_apply(OLD, -1);
                PERFORM stats_feedback_apply(NEW, 1);
            ELSE
                PERFORM stats_feedback_apply(NEW, 1);
                PERFORM stats_feedback_apply(OLD, -1);
            END IF;
        END IF;
        RETURN NULL;
    END IF;
    UPDATE stats_daily s SET
        bot_clicks = s.bot_clicks - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
        bot_helpful = s.bot_helpful - (SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful)
    WHERE s.day = stats_day(OLD.created_at) AND s.region_code = OLD.region_code;
    RETURN OLD;
END $$;

CREATE TRIGGER stats_feedback_update AFTER UPDATE OF region_code, created_at ON appeals
    FOR EACH ROW EXECUTE FUNCTION stats_feedback_appeals_trigger();
CREATE TRIGGER stats_feedback_delete BEFORE DELETE ON appeals
    FOR EACH ROW EXECUTE FUNCTION stats_feedback_appeals_trigger();

-- A rating counts by who gave the answer; a click on a bot answer counts once.
CREATE FUNCTION stats_feedback_children_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    src TEXT;
BEGIN
    IF TG_TABLE_NAME = 'appeal_answers' THEN
        IF NEW.source = 'bot' AND OLD.helpful IS DISTINCT FROM NEW.helpful THEN
            UPDATE stats_daily s SET
                bot_clicks = s.bot_clicks + (NEW.helpful IS NOT NULL)::INT - (OLD.helpful IS NOT NULL)::INT,
                bot_helpful = s.bot_helpful + COALESCE(NEW.helpful, FALSE)::INT - COALESCE(OLD.helpful, FALSE)::INT
            FROM appeals a WHERE a.id = NEW.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT source INTO src FROM appeal_answers WHERE id = OLD.answer_id;
        UPDATE stats_daily s SET
            bot_ratings_count = s.bot_ratings_count - (src = 'bot')::INT,
            bot_ratings_sum = s.bot_ratings_sum - CASE WHEN src = 'bot' THEN OLD.score ELSE 0 END,
            operator_ratings_count = s.operator_ratings_count - (src = 'operator')::INT,
            operator_ratings_sum = s.operator_ratings_sum - CASE WHEN src = 'operator' THEN OLD.score ELSE 0 END
        FROM appeals a WHERE a.id = OLD.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT source INTO src FROM appeal_answers WHERE id = NEW.answer_id;
        UPDATE stats_daily s SET
            bot_ratings_count = s.bot_ratings_count + (src = 'bot')::INT,
            bot_ratings_sum = s.bot_ratings_sum + CASE WHEN src = 'bot' THEN NEW.score ELSE 0 END,
            operator_ratings_count = s.operator_ratings_count + (src = 'operator')::INT,
            operator_ratings_sum = s.operator_ratings_sum + CASE WHEN src = 'operator' THEN NEW.score ELSE 0 END
        FROM appeals a WHERE a.id = NEW.appeal_id AND s.day = stats_day(a.created_at) AND s.region_code = a.region_code;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_feedback_ratings AFTER INSERT OR DELETE OR UPDATE OF score, appeal_id ON ratings
    FOR EACH ROW EXECUTE FUNCTION stats_feedback_children_trigger();
CREATE TRIGGER stats_feedback_clicks AFTER UPDATE OF helpful ON appeal_answers
    FOR EACH ROW EXECUTE FUNCTION stats_feedback_children_trigger();
