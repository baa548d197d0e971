-- Statistics without a hot row (issue #20, item 3).
--
-- Until now every create, answer, rating… updated the one stats_daily row of its region and
-- day inside its own transaction, so on PostgreSQL concurrent writers of one region queued
-- on that row's lock. Now the triggers only APPEND a delta row (stats_deltas: an insert
-- locks nothing another writer needs); the server's job folds the deltas into
-- stats_daily_folded periodically (jobs/stats_fold.rs, domain/stats/fold.rs), and
-- stats_daily is a view: folded figures plus the unfolded tail, so every reader still sees
-- exact figures at any moment, in one snapshot.
--
-- The cohort rules of migrations 000009 and 000014 are unchanged; only where a difference
-- is written changes. The trigger functions are replaced in place (same names, same
-- triggers).

ALTER TABLE stats_daily RENAME TO stats_daily_folded;
ALTER TABLE stats_daily_folded RENAME CONSTRAINT stats_daily_pkey TO stats_daily_folded_pkey;
ALTER INDEX stats_daily_region_idx RENAME TO stats_daily_folded_region_idx;

-- Append-only: written by the triggers, read by the view, deleted only by the fold.
CREATE TABLE stats_deltas (
    id BIGSERIAL PRIMARY KEY,
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

-- Adds (sign = 1) or removes (sign = -1) what one appeal counts in its bucket; with
-- children, its ratings and grades too.
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
    INSERT INTO stats_deltas (day, region_code, received, answered, answered_by_bot,
                              answered_by_operators, answered_late, self_served, escalated,
                              ratings_count, ratings_sum, grades_count, grades_points)
    VALUES (stats_day(a.created_at), a.region_code, sign,
            sign * (a.first_answered_at IS NOT NULL)::INT,
            sign * (a.engine_confident)::INT,
            sign * (NOT a.engine_confident AND a.first_answered_at IS NOT NULL)::INT,
            sign * (NOT a.engine_confident AND a.first_answered_at IS NOT NULL AND a.answered_late)::INT,
            sign * (a.close_reason IS NOT DISTINCT FROM 'self_served')::INT,
            sign * (a.escalated_at IS NOT NULL)::INT,
            sign * r_count, sign * r_sum, sign * g_count, sign * g_points);
END $$;

-- A rating or grade counts in the bucket of its appeal.
CREATE OR REPLACE FUNCTION stats_children_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF TG_TABLE_NAME = 'ratings' THEN
            INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
            SELECT stats_day(a.created_at), a.region_code, -1, -OLD.score
            FROM appeals a WHERE a.id = OLD.appeal_id;
        ELSE
            INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
            SELECT stats_day(a.created_at), a.region_code, -1,
                   -(CASE OLD.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END)
            FROM appeals a WHERE a.id = OLD.appeal_id;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF TG_TABLE_NAME = 'ratings' THEN
            INSERT INTO stats_deltas (day, region_code, ratings_count, ratings_sum)
            SELECT stats_day(a.created_at), a.region_code, 1, NEW.score
            FROM appeals a WHERE a.id = NEW.appeal_id;
        ELSE
            INSERT INTO stats_deltas (day, region_code, grades_count, grades_points)
            SELECT stats_day(a.created_at), a.region_code, 1,
                   CASE NEW.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END
            FROM appeals a WHERE a.id = NEW.appeal_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- Adds (sign = 1) or removes (sign = -1) the figures of migration 000014 of one appeal.
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
    INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                              operator_ratings_count, operator_ratings_sum, bot_clicks, bot_helpful)
    VALUES (stats_day(a.created_at), a.region_code, sign * bn, sign * bs, sign * opn, sign * ops,
            sign * clicks, sign * yes);
END $$;

CREATE OR REPLACE FUNCTION stats_feedback_appeals_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
            PERFORM stats_feedback_apply(OLD, -1);
            PERFORM stats_feedback_apply(NEW, 1);
        END IF;
        RETURN NULL;
    END IF;
    INSERT INTO stats_deltas (day, region_code, bot_clicks, bot_helpful)
    VALUES (stats_day(OLD.created_at), OLD.region_code,
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful IS NOT NULL),
            -(SELECT COUNT(*) FROM appeal_answers WHERE appeal_id = OLD.id AND source = 'bot' AND helpful));
    RETURN OLD;
END $$;

-- A rating counts by who gave the answer; a click on a bot answer counts once.
CREATE OR REPLACE FUNCTION stats_feedback_children_trigger() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    src TEXT;
BEGIN
    IF TG_TABLE_NAME = 'appeal_answers' THEN
        IF NEW.source = 'bot' AND OLD.helpful IS DISTINCT FROM NEW.helpful THEN
            INSERT INTO stats_deltas (day, region_code, bot_clicks, bot_helpful)
            SELECT stats_day(a.created_at), a.region_code,
                   (NEW.helpful IS NOT NULL)::INT - (OLD.helpful IS NOT NULL)::INT,
                   COALESCE(NEW.helpful, FALSE)::INT - COALESCE(OLD.helpful, FALSE)::INT
            FROM appeals a WHERE a.id = NEW.appeal_id;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT source INTO src FROM appeal_answers WHERE id = OLD.answer_id;
        INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                                  operator_ratings_count, operator_ratings_sum)
        SELECT stats_day(a.created_at), a.region_code,
               -COALESCE((src = 'bot')::INT, 0),
               -(CASE WHEN src = 'bot' THEN OLD.score ELSE 0 END),
               -COALESCE((src = 'operator')::INT, 0),
               -(CASE WHEN src = 'operator' THEN OLD.score ELSE 0 END)
        FROM appeals a WHERE a.id = OLD.appeal_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT source INTO src FROM appeal_answers WHERE id = NEW.answer_id;
        INSERT INTO stats_deltas (day, region_code, bot_ratings_count, bot_ratings_sum,
                                  operator_ratings_count, operator_ratings_sum)
        SELECT stats_day(a.created_at), a.region_code,
               COALESCE((src = 'bot')::INT, 0),
               CASE WHEN src = 'bot' THEN NEW.score ELSE 0 END,
               COALESCE((src = 'operator')::INT, 0),
               CASE WHEN src = 'operator' THEN NEW.score ELSE 0 END
        FROM appeals a WHERE a.id = NEW.appeal_id;
    END IF;
    RETURN NULL;
END $$;
