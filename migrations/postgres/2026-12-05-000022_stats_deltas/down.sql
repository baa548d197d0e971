-- Back to one updated row per region and day: the deltas are folded first, so no figure
-- is lost; then the trigger functions of migrations 000009 and 000014 come back.

DROP VIEW stats_daily;
DROP VIEW stats_daily_parts;
INSERT INTO stats_daily_folded AS s (day, region_code, received, answered, answered_by_bot,
        answered_by_operators, answered_late, self_served, escalated, ratings_count, ratings_sum,
        grades_count, grades_points, bot_ratings_count, bot_ratings_sum, operator_ratings_count,
        operator_ratings_sum, bot_clicks, bot_helpful)
SELECT day, region_code, SUM(received), SUM(answered), SUM(answered_by_bot),
       SUM(answered_by_operators), SUM(answered_late), SUM(self_served), SUM(escalated),
       SUM(ratings_count), SUM(ratings_sum), SUM(grades_count), SUM(grades_points),
       SUM(bot_ratings_count), SUM(bot_ratings_sum), SUM(operator_ratings_count),
       SUM(operator_ratings_sum), SUM(bot_clicks), SUM(bot_helpful)
FROM stats_deltas GROUP BY day, region_code
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
    grades_points = s.grades_points + EXCLUDED.grades_points,
    bot_ratings_count = s.bot_ratings_count + EXCLUDED.bot_ratings_count,
    bot_ratings_sum = s.bot_ratings_sum + EXCLUDED.bot_ratings_sum,
    operator_ratings_count = s.operator_ratings_count + EXCLUDED.operator_ratings_count,
    operator_ratings_sum = s.operator_ratings_sum + EXCLUDED.operator_ratings_sum,
    bot_clicks = s.bot_clicks + EXCLUDED.bot_clicks,
    bot_helpful = s.bot_helpful + EXCLUDED.bot_helpful;
DROP TABLE stats_deltas;
ALTER INDEX stats_daily_folded_region_idx RENAME TO stats_daily_region_idx;
ALTER TABLE stats_daily_folded RENAME CONSTRAINT stats_daily_folded_pkey TO stats_daily_pkey;
ALTER TABLE stats_daily_folded RENAME TO stats_daily;

CREATE OR REPLACE FUNCTION stats_apply(a appeals, sign INTEGER, children BOOLEAN) RETURNS VOID
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

CREATE OR REPLACE FUNCTION stats_children_trigger() RETURNS TRIGGER
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

CREATE OR REPLACE FUNCTION stats_feedback_apply(a appeals, sign INTEGER) RETURNS VOID
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

CREATE OR REPLACE FUNCTION stats_feedback_appeals_trigger() RETURNS TRIGGER
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

CREATE OR REPLACE FUNCTION stats_feedback_children_trigger() RETURNS TRIGGER
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

