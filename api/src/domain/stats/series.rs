//! The time series of a period: appeals received per day, week or month and what became of
//! them. Of all levels from the daily aggregates; of one education level from the appeals
//! of the period themselves (the aggregates have no level), by the same rules as
//! [`super::levels`].

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::stats::{StatsBucket, TimeseriesPoint};

use super::aggregates::{open_appeals, total};
use super::levels::daily_at_level;
use super::{ratio, Period, RegionFilter, PERIOD_TZ};
use crate::calendar;
use crate::db::schema::{appeals as ap, stats_daily_parts as sd};
use crate::db::AnyConnection;

/// The first day of the bucket holding `day`.
#[must_use]
pub fn bucket_start(bucket: StatsBucket, day: NaiveDate) -> NaiveDate {
    match bucket {
        StatsBucket::Day => day,
        StatsBucket::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        StatsBucket::Month => day.with_day(1).unwrap_or(day),
    }
}

pub(super) fn bucket_end(bucket: StatsBucket, start: NaiveDate) -> NaiveDate {
    match bucket {
        StatsBucket::Day => start,
        StatsBucket::Week => start + Duration::days(6),
        StatsBucket::Month => start
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start),
    }
}

#[derive(Default)]
struct BucketSums {
    received: i64,
    answered: i64,
    overdue: i64,
    ratings_count: i64,
    ratings_sum: i64,
}

/// Appeals received per bucket and what became of them; every bucket of the period, in
/// order, empty ones included. With `level` (already checked), only the appeals of teachers
/// of that education level.
///
/// # Errors
/// A database failure.
pub fn timeseries(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    bucket: StatsBucket,
    now: DateTime<Utc>,
    level: Option<&str>,
) -> QueryResult<Vec<TimeseriesPoint>> {
    let mut sums: BTreeMap<NaiveDate, BucketSums> = BTreeMap::new();
    let mut start = bucket_start(bucket, period.from);
    while start <= period.to {
        sums.insert(start, BucketSums::default());
        let Some(next) = bucket_end(bucket, start).succ_opt() else {
            break;
        };
        start = next;
    }
    match level {
        None => daily_sums(conn, filter, period, bucket, &mut sums)?,
        Some(level) => level_sums(conn, filter, period, bucket, level, &mut sums)?,
    }
    // Still waiting past the deadline: counted in the bucket they arrived in.
    let waiting: Vec<NaiveDateTime> = at_level!(open_appeals(filter), level)
        .filter(ap::deadline_at.lt(now.naive_utc()))
        .filter(ap::created_at.ge(period.start_utc()))
        .filter(ap::created_at.lt(period.end_utc()))
        .select(ap::created_at)
        .load(conn)?;
    for created in waiting {
        let day = calendar::local_date(PERIOD_TZ, created.and_utc());
        sums.entry(bucket_start(bucket, day)).or_default().overdue += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(start, s)| TimeseriesPoint {
            start: start.max(period.from).to_string(),
            end: bucket_end(bucket, start).min(period.to).to_string(),
            received: s.received,
            answered: s.answered,
            overdue: s.overdue,
            ratings_count: s.ratings_count,
            rating_avg: ratio(s.ratings_sum, s.ratings_count),
        })
        .collect())
}

/// The buckets' sums of every level, from the daily aggregates.
fn daily_sums(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    bucket: StatsBucket,
    sums: &mut BTreeMap<NaiveDate, BucketSums>,
) -> QueryResult<()> {
    let mut query = sd::table
        .filter(sd::day.ge(period.from))
        .filter(sd::day.le(period.to))
        .group_by(sd::day)
        .select((
            sd::day,
            total("received"),
            total("answered"),
            total("answered_late"),
            total("ratings_count"),
            total("ratings_sum"),
        ))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(sd::region_code.eq_any(codes.to_vec()));
    }
    let days: Vec<(NaiveDate, i64, i64, i64, i64, i64)> = query.load(conn)?;
    for (day, received, answered, late, rc, rs) in days {
        let s = sums.entry(bucket_start(bucket, day)).or_default();
        s.received += received;
        s.answered += answered;
        s.overdue += late;
        s.ratings_count += rc;
        s.ratings_sum += rs;
    }
    Ok(())
}

/// The buckets' sums of one education level, from the appeals received in the period (an
/// appeal, and the ratings of its answers, count on the day it arrived, as in the
/// aggregates).
fn level_sums(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    bucket: StatsBucket,
    level: &str,
    sums: &mut BTreeMap<NaiveDate, BucketSums>,
) -> QueryResult<()> {
    for (day, d) in daily_at_level(conn, filter, period, level)? {
        let s = sums.entry(bucket_start(bucket, day)).or_default();
        s.received += d.received;
        s.answered += d.answered;
        s.overdue += d.answered_late;
        s.ratings_count += d.ratings_count;
        s.ratings_sum += d.ratings_sum;
    }
    Ok(())
}
