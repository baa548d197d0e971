//! The counts of one education level (issue #19: `level=school|spo|doo`). The daily
//! aggregates are kept per day and region only, so a level's figures are counted from the
//! appeals of the period themselves (with their ratings, grades, clicks and first-answer
//! rows), by the same rules the aggregates' triggers follow: an appeal counts in the bucket
//! of its arrival and its current region; its ratings, grades and clicks whenever given.
//! The level is the author's, recorded on the appeal when it was asked; none recorded
//! counts as `school`, as the campaigns' audiences count it.
//!
//! This reads the period's appeals rather than a few thousand daily rows: fine for the
//! dashboards' months, slower than the unfiltered figures over years of a large region.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::users::EducationLevel;

use super::aggregates::live;
use super::{Counts, Period, RegionFilter, PERIOD_TZ};
use crate::calendar;
use crate::db::schema::{
    appeal_answers as aa, appeals as ap, bot_grades as bg, ratings as r, stats_first_answers as sfa,
};
use crate::db::AnyConnection;
use crate::domain::calendar::Calendars;
use crate::error::ApiError;

/// A checked `level` parameter: `school`, `spo` or `doo`.
///
/// # Errors
/// 422 `invalid` on `level`.
pub fn parse_level(raw: Option<&str>) -> Result<Option<&'static str>, ApiError> {
    raw.map(|l| {
        EducationLevel::parse(l.trim())
            .map(EducationLevel::as_str)
            .ok_or_else(|| {
                ApiError::field(
                    "level",
                    "invalid",
                    "Уровень образования — school (школа), spo (СПО) или doo (ДОО).",
                )
            })
    })
    .transpose()
}

/// `SUM(CASE WHEN cond THEN 1 ELSE 0 END)` as a BIGINT on both backends.
fn count_if(condition: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!(
        "CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)"
    ))
}

/// `SUM(expr)` as a BIGINT on both backends.
fn sum_of(expression: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({expression}), 0) AS BIGINT)"))
}

/// Appeals of the period, the region filter and the level, boxed (for the joins below);
/// with `group by region: select`, grouped per region (a boxed query cannot be grouped).
macro_rules! cohort {
    ($query:expr, $filter:expr, $period:expr, $level:expr $(, group by region: $select:expr)?) => {{
        let mut query = $query
            .filter(ap::created_at.ge($period.start_utc()))
            .filter(ap::created_at.lt($period.end_utc()))
            $(.group_by(ap::region_code).select($select))?
            .into_boxed();
        if let Some(codes) = $filter.codes() {
            query = query.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        at_level!(query, Some($level))
    }};
}

type CohortRow = (String, i64, i64, i64, i64, i64, i64, i64);

/// Per-region counts of the appeals of one level received in the period, with the live
/// counters of that level's open appeals. Only regions with something to count appear.
/// Run [`super::fill_pending`] first.
///
/// # Errors
/// A database failure.
pub fn per_region_at_level(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
    level: &str,
) -> QueryResult<BTreeMap<String, Counts>> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    let answered = "appeals.first_answered_at IS NOT NULL";
    let by_people = format!("NOT appeals.engine_confident AND {answered}");
    let rows: Vec<CohortRow> = cohort!(ap::table, filter, period, level, group by region: (
        ap::region_code,
        count_star(),
        count_if(answered),
        count_if("appeals.engine_confident"),
        count_if(&by_people),
        count_if(&format!("{by_people} AND appeals.answered_late")),
        count_if("appeals.close_reason = 'self_served'"),
        count_if("appeals.escalated_at IS NOT NULL"),
    ))
    .load(conn)?;
    for (region, received, ans, bot, ops, late, selfs, esc) in rows {
        let c = out.entry(region).or_default();
        c.received = received;
        c.answered = ans;
        c.answered_by_bot = bot;
        c.answered_by_operators = ops;
        c.answered_late = late;
        c.self_served = selfs;
        c.escalated = esc;
    }
    ratings(conn, filter, period, level, &mut out)?;
    feedback(conn, filter, period, level, &mut out)?;
    let times: Vec<(String, Option<f64>, Option<f64>)> = cohort!(
        sfa::table.inner_join(ap::table.on(ap::id.eq(sfa::appeal_id))),
        filter,
        period,
        level
    )
    .select((sfa::region_code, sfa::hours, sfa::working_days))
    .load(conn)?;
    for (region, hours, working_days) in times {
        let c = out.entry(region).or_default();
        c.hours.extend(hours);
        c.working_days.extend(working_days);
    }
    live(conn, calendars, filter, now, Some(level), &mut out)?;
    Ok(out)
}

type RatingRow = (String, i64, i64, i64, i64, i64, i64);

/// Ratings of the cohort's answers: all, and split by who gave the answer.
fn ratings(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    level: &str,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let rows: Vec<RatingRow> = cohort!(
        r::table
            .inner_join(ap::table.on(ap::id.eq(r::appeal_id)))
            .left_join(aa::table.on(aa::id.eq(r::answer_id))),
        filter,
        period,
        level,
        group by region: (
            ap::region_code,
            count_star(),
            sum_of("ratings.score"),
            count_if("appeal_answers.source = 'bot'"),
            sum_of("CASE WHEN appeal_answers.source = 'bot' THEN ratings.score ELSE 0 END"),
            count_if("appeal_answers.source = 'operator'"),
            sum_of("CASE WHEN appeal_answers.source = 'operator' THEN ratings.score ELSE 0 END"),
        )
    )
    .load(conn)?;
    for (region, n, sum, bn, bs, on, os) in rows {
        let c = out.entry(region).or_default();
        c.ratings_count = n;
        c.ratings_sum = sum;
        c.bot_ratings_count = bn;
        c.bot_ratings_sum = bs;
        c.operator_ratings_count = on;
        c.operator_ratings_sum = os;
    }
    Ok(())
}

/// Operator grades of the bot's answers, and the teachers' clicks on them.
fn feedback(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    level: &str,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let grades: Vec<(String, i64, i64)> = cohort!(
        bg::table.inner_join(ap::table.on(ap::id.eq(bg::appeal_id))),
        filter,
        period,
        level,
        group by region: (
            ap::region_code,
            count_star(),
            sum_of("CASE bot_grades.grade WHEN 'correct' THEN 2 WHEN 'partly' THEN 1 ELSE 0 END"),
        )
    )
    .load(conn)?;
    for (region, n, points) in grades {
        let c = out.entry(region).or_default();
        c.grades_count = n;
        c.grades_points = points;
    }
    let clicks: Vec<(String, i64, i64)> = cohort!(
        aa::table
            .inner_join(ap::table.on(ap::id.eq(aa::appeal_id)))
            .filter(aa::source.eq("bot")),
        filter,
        period,
        level,
        group by region: (
            ap::region_code,
            count_if("appeal_answers.helpful IS NOT NULL"),
            count_if("appeal_answers.helpful"),
        )
    )
    .load(conn)?;
    for (region, n, yes) in clicks {
        let c = out.entry(region).or_default();
        c.bot_clicks = n;
        c.bot_helpful = yes;
    }
    Ok(())
}

/// One day's counts of a level's appeals received that day (for the time series).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Appeals received.
    pub received: i64,
    /// Of them, answered (by the bot or by people).
    pub answered: i64,
    /// Of them, first answered by operators after the deadline.
    pub answered_late: i64,
    /// Ratings of their answers.
    pub ratings_count: i64,
    /// The ratings' sum.
    pub ratings_sum: i64,
}

/// Per Moscow day of arrival, the counts of the appeals of one level received in the
/// period, as the daily aggregates count them. Days with nothing are left out.
///
/// # Errors
/// A database failure.
pub fn daily_at_level(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    level: &str,
) -> QueryResult<BTreeMap<NaiveDate, DayCounts>> {
    let day_of = |at: NaiveDateTime| calendar::local_date(PERIOD_TZ, at.and_utc());
    let mut out: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
    let appeals: Vec<(NaiveDateTime, Option<NaiveDateTime>, bool, bool)> =
        cohort!(ap::table, filter, period, level)
            .select((
                ap::created_at,
                ap::first_answered_at,
                ap::engine_confident,
                ap::answered_late,
            ))
            .load(conn)?;
    for (created, first_answer, bot, late) in appeals {
        let d = out.entry(day_of(created)).or_default();
        d.received += 1;
        d.answered += i64::from(first_answer.is_some());
        d.answered_late += i64::from(!bot && first_answer.is_some() && late);
    }
    let scores: Vec<(NaiveDateTime, i32)> = cohort!(
        r::table.inner_join(ap::table.on(ap::id.eq(r::appeal_id))),
        filter,
        period,
        level
    )
    .select((ap::created_at, r::score))
    .load(conn)?;
    for (created, score) in scores {
        let d = out.entry(day_of(created)).or_default();
        d.ratings_count += 1;
        d.ratings_sum += i64::from(score);
    }
    Ok(out)
}
