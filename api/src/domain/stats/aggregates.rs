//! The counts of a period per region: the daily aggregates, the first-answer times (filled
//! by the server where the triggers left them empty) and the live counters of open appeals.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use shared::appeals::AppealStatus;

use super::{Counts, Period, RegionFilter, OPEN};
use crate::calendar;
use crate::db::schema::{
    appeals as ap, regions, stats_daily_parts as sd, stats_first_answers as sfa,
};
use crate::db::{AnyConnection, Db};
use crate::domain::calendar::Calendars;
use crate::error::ApiError;

/// First-answer rows filled per statement batch.
const FILL_BATCH: i64 = 5_000;

/// Whether some first-answer rows wait for their times.
///
/// # Errors
/// A database failure.
pub fn has_pending(conn: &mut AnyConnection) -> QueryResult<bool> {
    let one: Option<String> = sfa::table
        .filter(sfa::hours.is_null())
        .select(sfa::appeal_id)
        .first(conn)
        .optional()?;
    Ok(one.is_some())
}

/// Computes the hours and working days of every first-answer row that lacks them (new
/// answers, or rows the triggers reset); returns how many. Run inside a write.
///
/// # Errors
/// A database failure.
pub fn fill_pending(conn: &mut AnyConnection, calendars: &Calendars) -> QueryResult<usize> {
    let mut filled = 0;
    loop {
        let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = sfa::table
            .filter(sfa::hours.is_null())
            .select((
                sfa::appeal_id,
                sfa::region_code,
                sfa::created_at,
                sfa::answered_at,
            ))
            .limit(FILL_BATCH)
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        let times: Vec<(f64, f64)> = calendars.with(|cal| {
            rows.iter()
                .map(|(_, region, created, answered)| {
                    answer_times(cal, region, calendars.tz(region), *created, *answered)
                })
                .collect()
        });
        for ((id, ..), (hours, working_days)) in rows.iter().zip(times) {
            diesel::update(sfa::table.find(id))
                .set((
                    sfa::hours.eq(Some(hours)),
                    sfa::working_days.eq(Some(working_days)),
                ))
                .execute(conn)?;
        }
        filled += rows.len();
        if i64::try_from(rows.len()).unwrap_or(0) < FILL_BATCH {
            break;
        }
    }
    Ok(filled)
}

/// Hours and working days from arrival to an answer in a region.
#[must_use]
#[allow(clippy::cast_precision_loss)] // milliseconds of a few years fit a double exactly
pub fn answer_times(
    cal: &calendar::WorkCalendar,
    region: &str,
    tz: Tz,
    created: NaiveDateTime,
    answered: NaiveDateTime,
) -> (f64, f64) {
    let hours = ((answered - created).num_milliseconds().max(0) as f64) / 3_600_000.0;
    let working_days = calendar::working_days_between(
        cal,
        Some(region),
        tz,
        created.and_utc(),
        answered.and_utc(),
    );
    (hours, working_days)
}

/// Per-region counts of a period: the daily aggregates, the first-answer times and the
/// live counters. Only regions with something to count appear. Run [`fill_pending`] first.
///
/// # Errors
/// A database failure.
pub fn per_region(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
) -> QueryResult<BTreeMap<String, Counts>> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    daily_sums(conn, filter, period, &mut out)?;
    first_answer_times(conn, filter, period, &mut out)?;
    live(conn, calendars, filter, now, None, &mut out)?;
    Ok(out)
}

/// [`per_region`] with its three parts read at once on three pooled connections (each part
/// is a separate query; together they take the time of the slowest).
///
/// # Errors
/// A database failure, or no connection (503).
pub async fn per_region_concurrent(
    db: &Db,
    calendars: Arc<Calendars>,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, Counts>, ApiError> {
    let (f1, f2, f3) = (filter.clone(), filter.clone(), filter.clone());
    let (daily, times, current) = tokio::try_join!(
        db.read(move |conn| {
            let mut part = BTreeMap::new();
            daily_sums(conn, &f1, period, &mut part)?;
            Ok(part)
        }),
        db.read(move |conn| {
            let mut part = BTreeMap::new();
            first_answer_times(conn, &f2, period, &mut part)?;
            Ok(part)
        }),
        db.read(move |conn| {
            let mut part = BTreeMap::new();
            live(conn, &calendars, &f3, now, None, &mut part)?;
            Ok(part)
        }),
    )?;
    let mut out = daily;
    for part in [times, current] {
        for (region, counts) in part {
            out.entry(region).or_default().absorb(&counts);
        }
    }
    Ok(out)
}

/// A region's code, then the 17 sums `daily_sums` selects, in its order.
type DailyRow = (
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

pub(super) fn total(column: &str) -> diesel::expression::SqlLiteral<BigInt> {
    // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one type on both backends.
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

fn daily_sums(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let mut query = sd::table
        .filter(sd::day.ge(period.from))
        .filter(sd::day.le(period.to))
        .group_by(sd::region_code)
        .select((
            sd::region_code,
            total("received"),
            total("answered"),
            total("answered_by_bot"),
            total("answered_by_operators"),
            total("answered_late"),
            total("self_served"),
            total("escalated"),
            total("ratings_count"),
            total("ratings_sum"),
            total("grades_count"),
            total("grades_points"),
            // Issue #22, migration 000014: ratings split by who answered, and the
            // «Помогло» / «Не помогло» clicks on bot answers. A click is stored on the
            // answer, never as a rating, so the average counts only stars a teacher gave;
            // ratings from before the migration (a «Помогло» was a 5 then) stay as they are.
            total("bot_ratings_count"),
            total("bot_ratings_sum"),
            total("operator_ratings_count"),
            total("operator_ratings_sum"),
            total("bot_clicks"),
            total("bot_helpful"),
        ))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(sd::region_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<DailyRow> = query.load(conn)?;
    for (
        region,
        rec,
        ans_,
        bot,
        ops,
        late,
        selfs,
        esc,
        rc,
        rs,
        gc,
        gp,
        brc,
        brs,
        orc,
        ors,
        clicks,
        helpful,
    ) in rows
    {
        let c = out.entry(region).or_default();
        c.received += rec;
        c.answered += ans_;
        c.answered_by_bot += bot;
        c.answered_by_operators += ops;
        c.answered_late += late;
        c.self_served += selfs;
        c.escalated += esc;
        c.ratings_count += rc;
        c.ratings_sum += rs;
        c.grades_count += gc;
        c.grades_points += gp;
        c.bot_ratings_count += brc;
        c.bot_ratings_sum += brs;
        c.operator_ratings_count += orc;
        c.operator_ratings_sum += ors;
        c.bot_clicks += clicks;
        c.bot_helpful += helpful;
    }
    Ok(())
}

fn first_answer_times(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let mut query = sfa::table
        .filter(sfa::day.ge(period.from))
        .filter(sfa::day.le(period.to))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(sfa::region_code.eq_any(codes.to_vec()));
    }
    // Region codes are two digits: reading them as numbers spares a string per row (a
    // year of a million appeals is a couple of hundred thousand rows here).
    let rows: Vec<(i32, Option<f64>, Option<f64>)> = query
        .select((
            sql::<Integer>("CAST(region_code AS INTEGER)"),
            sfa::hours,
            sfa::working_days,
        ))
        .load(conn)?;
    let mut by_code: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); 100];
    for (code, hours, working_days) in rows {
        if let Some(slot) = usize::try_from(code).ok().and_then(|i| by_code.get_mut(i)) {
            slot.0.extend(hours);
            slot.1.extend(working_days);
        }
    }
    for (code, (hours, working_days)) in by_code.into_iter().enumerate() {
        if !hours.is_empty() || !working_days.is_empty() {
            let c = out.entry(format!("{code:02}")).or_default();
            c.hours.extend(hours);
            c.working_days.extend(working_days);
        }
    }
    Ok(())
}

/// Open appeals of the filter, boxed, for the live counters.
pub(super) fn open_appeals<'a>(
    filter: &RegionFilter,
) -> ap::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut query = ap::table.filter(ap::status.eq_any(OPEN)).into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(ap::region_code.eq_any(codes.to_vec()));
    }
    query
}

/// `SELECT region_code, COUNT(*) … GROUP BY region_code` over appeals, within the filter
/// and the education level.
macro_rules! by_region {
    ($filter:expr, $level:expr, $query:expr) => {{
        let mut boxed = $query
            .group_by(ap::region_code)
            .select((ap::region_code, count_star()))
            .into_boxed();
        if let Some(codes) = $filter.codes() {
            boxed = boxed.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        at_level!(boxed, $level)
    }};
}

/// The live counters (open, overdue, unread, due today) per region, of one education level
/// or of all.
pub(super) fn live(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    filter: &RegionFilter,
    now: DateTime<Utc>,
    level: Option<&str>,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let at = now.naive_utc();
    let open: Vec<(String, i64)> =
        by_region!(filter, level, ap::table.filter(ap::status.eq_any(OPEN))).load(conn)?;
    for (region, n) in open {
        out.entry(region).or_default().open = n;
    }
    let overdue: Vec<(String, i64)> = by_region!(
        filter,
        level,
        ap::table
            .filter(ap::status.eq_any(OPEN))
            .filter(ap::deadline_at.lt(at))
    )
    .load(conn)?;
    for (region, n) in overdue {
        out.entry(region).or_default().overdue = n;
    }
    let unread: Vec<(String, i64)> = by_region!(
        filter,
        level,
        ap::table
            .filter(ap::status.eq(AppealStatus::New))
            .filter(ap::opened_by_staff_at.is_null())
    )
    .load(conn)?;
    for (region, n) in unread {
        out.entry(region).or_default().unread = n;
    }
    // A deadline is the end of a local day, so one due today is at most a day away.
    let soon: Vec<(String, Option<NaiveDateTime>)> = at_level!(open_appeals(filter), level)
        .filter(ap::deadline_at.ge(at))
        .filter(ap::deadline_at.le(at + Duration::hours(25)))
        .select((ap::region_code, ap::deadline_at))
        .load(conn)?;
    for (region, deadline) in soon {
        let tz = calendars.tz(&region);
        let today = calendar::local_date(tz, now);
        if deadline.is_some_and(|d| calendar::local_date(tz, d.and_utc()) == today) {
            out.entry(region).or_default().due_today += 1;
        }
    }
    Ok(())
}

/// Every region of the filter with its name and federal district, by code.
///
/// # Errors
/// A database failure.
pub fn region_list(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
) -> QueryResult<Vec<(String, String, String)>> {
    let mut query = regions::table.into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(regions::code.eq_any(codes.to_vec()));
    }
    query
        .select((regions::code, regions::name, regions::federal_district))
        .order(regions::code.asc())
        .load(conn)
}
