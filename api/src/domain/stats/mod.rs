//! Monitoring figures, read from the aggregate tables of migration `000009_stats` and from
//! the few open appeals, never from the whole history: a year of a million appeals is a few
//! thousand daily rows plus the compact first-answer rows of the period.
//!
//! - `stats_daily` (day × region) holds the counts of appeals *received* that day in that
//!   region and what became of them (answers, ratings, grades, escalations), kept exact by
//!   database triggers in the same transaction as each change. The triggers append a delta
//!   row (`stats_deltas`) rather than update a shared row, so writers of one region never
//!   queue on a row lock; [`fold`] moves deltas into `stats_daily_folded` periodically, and
//!   every read goes through the `stats_daily_parts` view (folded rows plus the unfolded
//!   tail, one statement, one snapshot), so figures are exact at any moment;
//! - `stats_first_answers` holds one row per appeal an operator answered first, with the time
//!   to that answer; the working-day value needs the production calendar, so the server
//!   fills it ([`fill_pending`]) for rows the triggers created or reset since the last read;
//! - the live counters (open, overdue, due today, unread) count open appeals directly through
//!   the `(status, region_code, deadline_at, …)` index.
//!
//! Days are Moscow dates ([`PERIOD_TZ`]); the definitions of the figures are on
//! [`shared::stats::StatsFigures`].
//!
//! [`aggregates`] reads the counts, [`series`] the time series, [`operators`] the
//! per-operator figures, [`fold`] folds the deltas, [`levels`] counts one education level
//! from the appeals themselves (the aggregates have no level); [`query`] holds the rules of a request
//! (period, scope, sorting) and the operations behind the HTTP handlers; [`report`] writes
//! the appeals of a period as CSV or XLSX.

/// Narrows a boxed query that reads `appeals` to the appeals of one education level (the
/// author's level recorded on the appeal; none recorded counts as a school's, as the
/// campaigns' audiences count it). `$level` is an `Option<&str>` already checked.
macro_rules! at_level {
    ($query:expr, $level:expr) => {{
        let query = $query;
        match $level {
            None => query,
            Some("school") => query.filter(
                crate::db::schema::appeals::education_level
                    .is_null()
                    .or(crate::db::schema::appeals::education_level.eq("school")),
            ),
            Some(other) => {
                query.filter(crate::db::schema::appeals::education_level.eq(other.to_owned()))
            }
        }
    }};
}

pub mod aggregates;
pub mod fold;
pub mod gauges;
pub mod levels;
pub mod operators;
pub mod query;
pub mod report;
pub mod series;

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use shared::appeals::AppealStatus;
use shared::stats::StatsFigures;

use crate::auth::Scope;
use crate::calendar;

pub use self::aggregates::{
    answer_times, fill_pending, has_pending, per_region, per_region_concurrent, region_list,
};
pub use self::operators::operators;
pub use self::series::{bucket_start, timeseries};

/// The time zone of period dates (and of the `day` column of the aggregates): Moscow,
/// UTC+3 all year since 2014, as the migration's triggers assume.
pub const PERIOD_TZ: Tz = chrono_tz::Europe::Moscow;

/// Longest period the statistics accept.
pub const MAX_PERIOD_MONTHS: u32 = 36;

/// Statuses of appeals waiting for people.
pub(crate) const OPEN: [AppealStatus; 2] = [AppealStatus::New, AppealStatus::InProgress];

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
    /// Ratings of bot answers (only stars given: a «Помогло» click is counted apart).
    pub bot_ratings_count: i64,
    /// Their sum.
    pub bot_ratings_sum: i64,
    /// Ratings of operator answers.
    pub operator_ratings_count: i64,
    /// Their sum.
    pub operator_ratings_sum: i64,
    /// Clicks («Помогло» / «Не помогло») on bot answers.
    pub bot_clicks: i64,
    /// Of them, «Помогло».
    pub bot_helpful: i64,
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
        self.bot_ratings_count += other.bot_ratings_count;
        self.bot_ratings_sum += other.bot_ratings_sum;
        self.operator_ratings_count += other.operator_ratings_count;
        self.operator_ratings_sum += other.operator_ratings_sum;
        self.bot_clicks += other.bot_clicks;
        self.bot_helpful += other.bot_helpful;
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
pub(crate) fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
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
        rating_avg_bot: ratio(counts.bot_ratings_sum, counts.bot_ratings_count),
        ratings_count_bot: counts.bot_ratings_count,
        rating_avg_operators: ratio(counts.operator_ratings_sum, counts.operator_ratings_count),
        ratings_count_operators: counts.operator_ratings_count,
        bot_clicks: counts.bot_clicks,
        bot_helpful_share: ratio(counts.bot_helpful, counts.bot_clicks),
        bot_share: ratio(counts.answered_by_bot, counts.received),
        self_served: counts.self_served,
        self_served_share: ratio(counts.self_served, counts.received),
        bot_grades_count: counts.grades_count,
        bot_accuracy: ratio(counts.grades_points, counts.grades_count * 2),
        escalated: counts.escalated,
        escalation_rate: ratio(counts.escalated, counts.answered),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::series::bucket_end;
    use super::*;
    use shared::stats::StatsBucket;

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
