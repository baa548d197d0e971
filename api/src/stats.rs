//! Monitoring figures, read from the aggregate tables of migration `000009_stats` and from
//! the few open appeals, never from the whole history: a year of a million appeals is a few
//! thousand daily rows plus the compact first-answer rows of the period.
//!
//! - `stats_daily` (day × region) holds the counts of appeals *received* that day in that
//!   region and what became of them (answers, ratings, grades, escalations), kept exact by
//!   database triggers in the same transaction as each change;
//! - `stats_first_answers` holds one row per appeal an operator answered first, with the time
//!   to that answer; the working-day value needs the production calendar, so the server
//!   fills it ([`fill_pending`]) for rows the triggers created or reset since the last read;
//! - the live counters (open, overdue, due today, unread) count open appeals directly through
//!   the `(status, region_code, deadline_at, …)` index.
//!
//! Days are Moscow dates ([`PERIOD_TZ`]); the definitions of the figures are on
//! [`shared::stats::StatsFigures`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use shared::stats::{OperatorStats, StatsBucket, StatsFigures, TimeseriesPoint};

use crate::auth::Scope;
use crate::calendar;
use crate::db::schema::{
    appeal_answers as ans, appeals as ap, ratings, regions, stats_daily as sd,
    stats_first_answers as sfa, user_regions, users,
};
use crate::db::{AnyConnection, Db};
use crate::error::ApiError;
use crate::workcal::Calendars;

/// The time zone of period dates (and of the `day` column of the aggregates): Moscow,
/// UTC+3 all year since 2014, as the migration's triggers assume.
pub const PERIOD_TZ: Tz = chrono_tz::Europe::Moscow;

/// Longest period the statistics accept.
pub const MAX_PERIOD_MONTHS: u32 = 36;

/// Statuses of appeals waiting for people.
const OPEN: [&str; 2] = ["new", "in_progress"];

/// A period of whole Moscow days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// The first instant of the period, as the naive UTC timestamps the database stores.
    #[must_use]
    pub fn start_utc(&self) -> NaiveDateTime {
        calendar::start_of_local_day(PERIOD_TZ, self.from).naive_utc()
    }

    /// The first instant after the period.
    #[must_use]
    pub fn end_utc(&self) -> NaiveDateTime {
        let next = self.to.succ_opt().unwrap_or(self.to);
        calendar::start_of_local_day(PERIOD_TZ, next).naive_utc()
    }

    /// The day after `from` plus the longest period (the first day a period may not reach).
    #[must_use]
    pub fn limit_of(from: NaiveDate) -> NaiveDate {
        from.checked_add_months(Months::new(MAX_PERIOD_MONTHS))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Today's Moscow date.
#[must_use]
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    calendar::local_date(PERIOD_TZ, now)
}

/// Which regions a figure covers: the caller's scope, narrowed by a `region` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionFilter {
    /// Every region.
    All,
    /// Only these.
    Only(Vec<String>),
}

impl RegionFilter {
    /// From the caller's scope and an (already scope-checked) `region` filter.
    #[must_use]
    pub fn of(scope: &Scope, region: Option<&str>) -> Self {
        match (region, scope) {
            (Some(code), _) => Self::Only(vec![code.to_owned()]),
            (None, Scope::All) => Self::All,
            (None, Scope::Regions(codes)) => Self::Only(codes.clone()),
            (None, Scope::Own(_) | Scope::Nothing) => Self::Only(Vec::new()),
        }
    }

    /// The codes, or `None` for all.
    #[must_use]
    pub fn codes(&self) -> Option<&[String]> {
        match self {
            Self::All => None,
            Self::Only(codes) => Some(codes),
        }
    }
}

/// Raw counts of one region (or of a whole scope), from which [`figures`] derives shares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// See `stats_daily`.
    pub received: i64,
    /// See `stats_daily`.
    pub answered: i64,
    /// See `stats_daily`.
    pub answered_by_bot: i64,
    /// See `stats_daily`.
    pub answered_by_operators: i64,
    /// See `stats_daily`.
    pub answered_late: i64,
    /// See `stats_daily`.
    pub self_served: i64,
    /// See `stats_daily`.
    pub escalated: i64,
    /// See `stats_daily`.
    pub ratings_count: i64,
    /// See `stats_daily`.
    pub ratings_sum: i64,
    /// See `stats_daily`.
    pub grades_count: i64,
    /// Half points: correct 2, partly 1, wrong 0.
    pub grades_points: i64,
    /// Live.
    pub open: i64,
    /// Live.
    pub overdue: i64,
    /// Live.
    pub due_today: i64,
    /// Live.
    pub unread: i64,
    /// Hours to the first operator answer, one per appeal.
    pub hours: Vec<f64>,
    /// Working days to the first operator answer, one per appeal.
    pub working_days: Vec<f64>,
}

impl Counts {
    /// Adds another region's counts (the medians keep every value).
    pub fn absorb(&mut self, other: &Counts) {
        self.received += other.received;
        self.answered += other.answered;
        self.answered_by_bot += other.answered_by_bot;
        self.answered_by_operators += other.answered_by_operators;
        self.answered_late += other.answered_late;
        self.self_served += other.self_served;
        self.escalated += other.escalated;
        self.ratings_count += other.ratings_count;
        self.ratings_sum += other.ratings_sum;
        self.grades_count += other.grades_count;
        self.grades_points += other.grades_points;
        self.open += other.open;
        self.overdue += other.overdue;
        self.due_today += other.due_today;
        self.unread += other.unread;
        self.hours.extend_from_slice(&other.hours);
        self.working_days.extend_from_slice(&other.working_days);
    }
}

/// Rounds to 4 decimal places (the API's precision for shares and averages).
#[must_use]
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| round4(numerator as f64 / denominator as f64))
}

/// The median (the mean of the two middle values for an even count); reorders `values`
/// (a selection in linear time, not a full sort).
#[must_use]
pub fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (lower, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    let m = if n % 2 == 1 {
        upper
    } else {
        // The other middle value is the largest of the lower part.
        let below = lower
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .unwrap_or(upper);
        (below + upper) / 2.0
    };
    Some(round4(m))
}

/// The figures of some counts.
#[must_use]
pub fn figures(counts: &mut Counts) -> StatsFigures {
    let within = counts.answered_by_operators - counts.answered_late;
    StatsFigures {
        received: counts.received,
        open: counts.open,
        overdue: counts.overdue,
        due_today: counts.due_today,
        unread: counts.unread,
        answered: counts.answered,
        answered_by_bot: counts.answered_by_bot,
        answered_by_operators: counts.answered_by_operators,
        answered_within_sla: within,
        answered_within_sla_share: ratio(within, counts.answered_by_operators),
        median_first_answer_hours: median(&mut counts.hours),
        median_first_answer_working_days: median(&mut counts.working_days),
        rating_avg: ratio(counts.ratings_sum, counts.ratings_count),
        ratings_count: counts.ratings_count,
        bot_share: ratio(counts.answered_by_bot, counts.received),
        self_served: counts.self_served,
        self_served_share: ratio(counts.self_served, counts.received),
        bot_grades_count: counts.grades_count,
        bot_accuracy: ratio(counts.grades_points, counts.grades_count * 2),
        escalated: counts.escalated,
        escalation_rate: ratio(counts.escalated, counts.answered),
    }
}

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
    live(conn, calendars, filter, now, &mut out)?;
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
            live(conn, &calendars, &f3, now, &mut part)?;
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
);

fn total(column: &str) -> diesel::expression::SqlLiteral<BigInt> {
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
        ))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(sd::region_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<DailyRow> = query.load(conn)?;
    for (region, rec, ans_, bot, ops, late, selfs, esc, rc, rs, gc, gp) in rows {
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
fn open_appeals<'a>(filter: &RegionFilter) -> ap::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut query = ap::table.filter(ap::status.eq_any(OPEN)).into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(ap::region_code.eq_any(codes.to_vec()));
    }
    query
}

/// `SELECT region_code, COUNT(*) … GROUP BY region_code` over appeals, within the filter.
macro_rules! by_region {
    ($filter:expr, $query:expr) => {{
        let mut boxed = $query
            .group_by(ap::region_code)
            .select((ap::region_code, count_star()))
            .into_boxed();
        if let Some(codes) = $filter.codes() {
            boxed = boxed.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        boxed
    }};
}

fn live(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    filter: &RegionFilter,
    now: DateTime<Utc>,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let at = now.naive_utc();
    let open: Vec<(String, i64)> =
        by_region!(filter, ap::table.filter(ap::status.eq_any(OPEN))).load(conn)?;
    for (region, n) in open {
        out.entry(region).or_default().open = n;
    }
    let overdue: Vec<(String, i64)> = by_region!(
        filter,
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
        ap::table
            .filter(ap::status.eq("new"))
            .filter(ap::opened_by_staff_at.is_null())
    )
    .load(conn)?;
    for (region, n) in unread {
        out.entry(region).or_default().unread = n;
    }
    // A deadline is the end of a local day, so one due today is at most a day away.
    let soon: Vec<(String, Option<NaiveDateTime>)> = open_appeals(filter)
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

/// The first day of the bucket holding `day`.
#[must_use]
pub fn bucket_start(bucket: StatsBucket, day: NaiveDate) -> NaiveDate {
    match bucket {
        StatsBucket::Day => day,
        StatsBucket::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        StatsBucket::Month => day.with_day(1).unwrap_or(day),
    }
}

fn bucket_end(bucket: StatsBucket, start: NaiveDate) -> NaiveDate {
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
/// order, empty ones included.
///
/// # Errors
/// A database failure.
pub fn timeseries(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    bucket: StatsBucket,
    now: DateTime<Utc>,
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
    // Still waiting past the deadline: counted in the bucket they arrived in.
    let waiting: Vec<NaiveDateTime> = open_appeals(filter)
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

/// Per-operator figures of the operators working for the filter's regions: answers given
/// in the period (to appeals of those regions), first answers with their median times,
/// ratings of those answers, and the overdue appeals they hold now. Sorted by name.
///
/// # Errors
/// A database failure.
#[allow(clippy::too_many_lines)] // one query per figure, in order
pub fn operators(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
) -> QueryResult<Vec<OperatorStats>> {
    type Person = (String, Option<String>, Option<String>, Option<String>);
    let mut people = users::table.filter(users::role.eq("operator")).into_boxed();
    if let Some(codes) = filter.codes() {
        people = people.filter(
            users::id.eq_any(
                user_regions::table
                    .filter(user_regions::region_code.eq_any(codes.to_vec()))
                    .select(user_regions::user_id),
            ),
        );
    }
    let people: Vec<Person> = people
        .select((users::id, users::surname, users::name, users::patronymic))
        .load(conn)?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = people.iter().map(|p| p.0.clone()).collect();
    let mut their_regions: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = user_regions::table
            .filter(user_regions::user_id.eq_any(chunk))
            .select((user_regions::user_id, user_regions::region_code))
            .order((user_regions::user_id, user_regions::region_code))
            .load(conn)?;
        for (user, region) in rows {
            their_regions.entry(user).or_default().push(region);
        }
    }
    let (start, end) = (period.start_utc(), period.end_utc());

    let mut answered: HashMap<String, i64> = HashMap::new();
    let mut rated: HashMap<String, (i64, i64)> = HashMap::new();
    let mut times: HashMap<String, (Vec<f64>, Vec<f64>)> = HashMap::new();
    let mut held: HashMap<String, i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        // Only operators answer with their name, so `answered_by` alone picks operator
        // answers (through the `(answered_by, answered_at)` index); appeals are joined only
        // to keep a region filter.
        let rows: Vec<(Option<String>, i64)> = match filter.codes() {
            None => ans::table
                .filter(ans::answered_by.eq_any(chunk))
                .filter(ans::answered_at.ge(start))
                .filter(ans::answered_at.lt(end))
                .group_by(ans::answered_by)
                .select((ans::answered_by, count_star()))
                .load(conn)?,
            Some(codes) => ans::table
                .inner_join(ap::table)
                .filter(ans::answered_by.eq_any(chunk))
                .filter(ans::answered_at.ge(start))
                .filter(ans::answered_at.lt(end))
                .filter(ap::region_code.eq_any(codes))
                .group_by(ans::answered_by)
                .select((ans::answered_by, count_star()))
                .load(conn)?,
        };
        answered.extend(rows.into_iter().filter_map(|(id, n)| Some((id?, n))));

        let score_sum = || sql::<BigInt>("CAST(COALESCE(SUM(ratings.score), 0) AS BIGINT)");
        let rows: Vec<(Option<String>, i64, i64)> = match filter.codes() {
            None => ratings::table
                .inner_join(ans::table)
                .filter(ans::answered_by.eq_any(chunk))
                .filter(ans::answered_at.ge(start))
                .filter(ans::answered_at.lt(end))
                .group_by(ans::answered_by)
                .select((ans::answered_by, count_star(), score_sum()))
                .load(conn)?,
            Some(codes) => ratings::table
                .inner_join(ans::table.inner_join(ap::table))
                .filter(ans::answered_by.eq_any(chunk))
                .filter(ans::answered_at.ge(start))
                .filter(ans::answered_at.lt(end))
                .filter(ap::region_code.eq_any(codes))
                .group_by(ans::answered_by)
                .select((ans::answered_by, count_star(), score_sum()))
                .load(conn)?,
        };
        rated.extend(
            rows.into_iter()
                .filter_map(|(id, n, sum)| Some((id?, (n, sum)))),
        );

        let mut q = sfa::table
            .filter(sfa::answered_by.eq_any(chunk))
            .filter(sfa::answered_at.ge(start))
            .filter(sfa::answered_at.lt(end))
            .into_boxed();
        if let Some(codes) = filter.codes() {
            q = q.filter(sfa::region_code.eq_any(codes.to_vec()));
        }
        let rows: Vec<(Option<String>, Option<f64>, Option<f64>)> = q
            .select((sfa::answered_by, sfa::hours, sfa::working_days))
            .load(conn)?;
        for (id, hours, working_days) in rows {
            if let Some(id) = id {
                let entry = times.entry(id).or_default();
                entry.0.extend(hours);
                entry.1.extend(working_days);
            }
        }

        let mut q = ap::table
            .filter(ap::status.eq_any(OPEN))
            .filter(ap::assignee_id.eq_any(chunk))
            .filter(ap::deadline_at.lt(now.naive_utc()))
            .group_by(ap::assignee_id)
            .select((ap::assignee_id, count_star()))
            .into_boxed();
        if let Some(codes) = filter.codes() {
            q = q.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        let rows: Vec<(Option<String>, i64)> = q.load(conn)?;
        held.extend(rows.into_iter().filter_map(|(id, n)| Some((id?, n))));
    }

    let mut out: Vec<OperatorStats> = people
        .into_iter()
        .map(|(id, surname, name, patronymic)| {
            let full: Vec<String> = [surname, name, patronymic]
                .into_iter()
                .flatten()
                .filter(|p| !p.trim().is_empty())
                .collect();
            let (mut hours, mut working_days) = times.remove(&id).unwrap_or_default();
            let (ratings_count, ratings_sum) = rated.get(&id).copied().unwrap_or((0, 0));
            OperatorStats {
                name: (!full.is_empty()).then(|| full.join(" ")),
                regions: their_regions.remove(&id).unwrap_or_default(),
                answered: answered.get(&id).copied().unwrap_or(0),
                first_answers: i64::try_from(hours.len()).unwrap_or(i64::MAX),
                median_first_answer_hours: median(&mut hours),
                median_first_answer_working_days: median(&mut working_days),
                overdue_held: held.get(&id).copied().unwrap_or(0),
                ratings_count,
                rating_avg: ratio(ratings_sum, ratings_count),
                id,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(ratio(1, 3), Some(0.3333));
        assert_eq!(ratio(1, 0), None);
        let mut counts = Counts {
            grades_count: 3,
            grades_points: 3, // correct + partly + wrong = 1 + 0.5 + 0
            answered_by_operators: 4,
            answered_late: 1,
            ..Counts::default()
        };
        let f = figures(&mut counts);
        assert_eq!(f.bot_accuracy, Some(0.5));
        assert_eq!(f.answered_within_sla, 3);
        assert_eq!(f.answered_within_sla_share, Some(0.75));
    }

    #[test]
    fn periods_are_moscow_days_and_buckets_cover_them() {
        let p = Period {
            from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        };
        assert_eq!(p.start_utc().to_string(), "2026-02-28 21:00:00");
        assert_eq!(p.end_utc().to_string(), "2026-03-31 21:00:00");
        let sunday = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            bucket_start(StatsBucket::Week, sunday).to_string(),
            "2026-02-23"
        );
        assert_eq!(
            bucket_end(
                StatsBucket::Month,
                NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()
            )
            .to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Period::limit_of(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).to_string(),
            "2027-01-01"
        );
    }
}
