//! Monitoring: the figures of a period and scope (summary), the same per region, over time
//! and per operator. Shared with the mini-app's dashboards.
//!
//! Two kinds of figures:
//! - **live** (`open`, `overdue`, `due_today`, `unread`): the state right now, whatever the
//!   period;
//! - **period** (everything else): about the appeals *received* in the period (Moscow dates,
//!   inclusive), counted in the region they are in now — their answers, ratings, bot grades
//!   and escalations too, whenever those happened.
//!
//! Shares are fractions from 0 to 1 (`null` when the base is zero), rounded to 4 places.

use serde::{Deserialize, Serialize};

/// Figures of one scope (the caller's regions, one region, or a region of the table).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct StatsFigures {
    /// Appeals received in the period.
    pub received: i64,
    /// Live: appeals waiting for people now (`new` or `in_progress`), whatever the period.
    pub open: i64,
    /// Live: open appeals past their deadline (more than 5 working days) now.
    pub overdue: i64,
    /// Live: open appeals whose deadline falls today by the region's own date.
    pub due_today: i64,
    /// Live: `new` appeals no operator has opened yet.
    pub unread: i64,
    /// Appeals of the period that got an answer (from the bot or an operator).
    pub answered: i64,
    /// Appeals of the period the bot answered at once.
    pub answered_by_bot: i64,
    /// Appeals of the period routed to people on arrival that an operator answered.
    pub answered_by_operators: i64,
    /// Of `answered_by_operators`, the first answer came by the deadline.
    pub answered_within_sla: i64,
    /// `answered_within_sla / answered_by_operators`.
    pub answered_within_sla_share: Option<f64>,
    /// Median time from arrival to the first operator answer, in hours (over
    /// `answered_by_operators`).
    pub median_first_answer_hours: Option<f64>,
    /// The same median in working days of the region's calendar: each working day counts
    /// 1.0 for its 24 local hours, days off 0, a part of a working day pro rata.
    pub median_first_answer_working_days: Option<f64>,
    /// Average rating (1–5) of the answers to appeals of the period: stars a teacher gave
    /// (a «Помогло» click is not a rating; before issue #22 it was stored as a 5 and such
    /// earlier ratings stay counted).
    pub rating_avg: Option<f64>,
    /// How many ratings `rating_avg` is made of.
    pub ratings_count: i64,
    /// Average rating of the bot's answers.
    #[serde(default)]
    pub rating_avg_bot: Option<f64>,
    /// How many ratings `rating_avg_bot` is made of.
    #[serde(default)]
    pub ratings_count_bot: i64,
    /// Average rating of the operators' answers.
    #[serde(default)]
    pub rating_avg_operators: Option<f64>,
    /// How many ratings `rating_avg_operators` is made of.
    #[serde(default)]
    pub ratings_count_operators: i64,
    /// Teachers' clicks on bot answers («Помогло» or «Не помогло»).
    #[serde(default)]
    pub bot_clicks: i64,
    /// The bot's «помогло» share: «Помогло» clicks / `bot_clicks`.
    #[serde(default)]
    pub bot_helpful_share: Option<f64>,
    /// `answered_by_bot / received`.
    pub bot_share: Option<f64>,
    /// Appeals of the period closed by the teacher accepting a suggested article.
    pub self_served: i64,
    /// `self_served / received`.
    pub self_served_share: Option<f64>,
    /// Operator grades of bot answers to appeals of the period.
    pub bot_grades_count: i64,
    /// Bot accuracy from operator grades: `correct` = 1, `partly` = 0.5, `wrong` = 0,
    /// averaged over `bot_grades_count`.
    pub bot_accuracy: Option<f64>,
    /// Appeals of the period returned to people after an answer (the teacher's «не помогло»
    /// on a bot answer, or a follow-up after an answer).
    pub escalated: i64,
    /// `escalated / answered`.
    pub escalation_rate: Option<f64>,
}

impl StatsFigures {
    /// Names accepted by `sort=` on the per-region table, each a figure of this struct.
    pub const SORT_KEYS: [&'static str; 27] = [
        "received",
        "open",
        "overdue",
        "due_today",
        "unread",
        "answered",
        "answered_by_bot",
        "answered_by_operators",
        "answered_within_sla",
        "answered_within_sla_share",
        "median_first_answer_hours",
        "median_first_answer_working_days",
        "rating_avg",
        "ratings_count",
        "bot_share",
        "self_served",
        "self_served_share",
        "bot_grades_count",
        "bot_accuracy",
        "escalated",
        "escalation_rate",
        "rating_avg_bot",
        "ratings_count_bot",
        "rating_avg_operators",
        "ratings_count_operators",
        "bot_clicks",
        "bot_helpful_share",
    ];

    /// The figure called `key` (one of [`StatsFigures::SORT_KEYS`]) as a number; `None` for
    /// an unknown name or a figure without a value.
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
    pub fn value(&self, key: &str) -> Option<f64> {
        let count = |n: i64| Some(n as f64);
        match key {
            "received" => count(self.received),
            "open" => count(self.open),
            "overdue" => count(self.overdue),
            "due_today" => count(self.due_today),
            "unread" => count(self.unread),
            "answered" => count(self.answered),
            "answered_by_bot" => count(self.answered_by_bot),
            "answered_by_operators" => count(self.answered_by_operators),
            "answered_within_sla" => count(self.answered_within_sla),
            "answered_within_sla_share" => self.answered_within_sla_share,
            "median_first_answer_hours" => self.median_first_answer_hours,
            "median_first_answer_working_days" => self.median_first_answer_working_days,
            "rating_avg" => self.rating_avg,
            "ratings_count" => count(self.ratings_count),
            "bot_share" => self.bot_share,
            "self_served" => count(self.self_served),
            "self_served_share" => self.self_served_share,
            "bot_grades_count" => count(self.bot_grades_count),
            "bot_accuracy" => self.bot_accuracy,
            "escalated" => count(self.escalated),
            "escalation_rate" => self.escalation_rate,
            "rating_avg_bot" => self.rating_avg_bot,
            "ratings_count_bot" => count(self.ratings_count_bot),
            "rating_avg_operators" => self.rating_avg_operators,
            "ratings_count_operators" => count(self.ratings_count_operators),
            "bot_clicks" => count(self.bot_clicks),
            "bot_helpful_share" => self.bot_helpful_share,
            _ => None,
        }
    }
}

/// `GET /api/v1/stats/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct StatsSummary {
    /// First day of the period (Moscow date, inclusive), `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the period (inclusive).
    pub to: String,
    /// The region asked for; `null` for the caller's whole scope.
    pub region: Option<String>,
    /// The education level asked for; `null` for every level.
    #[serde(default)]
    pub level: Option<String>,
    /// When the live figures were taken (UTC).
    pub generated_at: String,
    /// The figures.
    pub figures: StatsFigures,
}

/// One row of the per-region table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionStats {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Federal district.
    pub federal_district: String,
    /// The region's figures.
    pub figures: StatsFigures,
    /// The region's number of teachers as imported by a federal user; `null` when none
    /// was imported (the service ships none).
    #[serde(default)]
    pub teachers: Option<i64>,
    /// Appeals received in the period per 1,000 teachers of the region
    /// (`received × 1000 / teachers`, 4 places); `null` without a number of teachers.
    #[serde(default)]
    pub appeals_per_1000: Option<f64>,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortOrder {
    /// Parses `asc` / `desc`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }
}

/// `GET /api/v1/stats/regions`: every region of the caller's scope, also those with nothing
/// to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct StatsRegions {
    /// First day of the period.
    pub from: String,
    /// Last day of the period.
    pub to: String,
    /// The sort key used (`code`, `name`, `federal_district` or a figure name).
    pub sort: String,
    /// The direction used; regions without a value of the key always come last.
    pub order: SortOrder,
    /// When the live figures were taken (UTC).
    pub generated_at: String,
    /// One row per region.
    pub items: Vec<RegionStats>,
}

/// Width of one point of a time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum StatsBucket {
    /// A day.
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

impl StatsBucket {
    /// Parses `day` / `week` / `month`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// One point of a time series: appeals received within it and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TimeseriesPoint {
    /// First day of the bucket (clipped to the period).
    pub start: String,
    /// Last day of the bucket (clipped to the period).
    pub end: String,
    /// Appeals received.
    pub received: i64,
    /// Of them, answered (bot or operator).
    pub answered: i64,
    /// Of them, overdue: answered by an operator after the deadline, or still waiting past it.
    pub overdue: i64,
    /// Ratings of their answers.
    pub ratings_count: i64,
    /// Average of those ratings.
    pub rating_avg: Option<f64>,
}

/// `GET /api/v1/stats/timeseries`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct StatsTimeseries {
    /// First day of the period.
    pub from: String,
    /// Last day of the period.
    pub to: String,
    /// The bucket width.
    pub bucket: StatsBucket,
    /// The region asked for; `null` for the caller's whole scope.
    pub region: Option<String>,
    /// The education level asked for; `null` for every level.
    #[serde(default)]
    pub level: Option<String>,
    /// Every bucket of the period in order, also empty ones.
    pub items: Vec<TimeseriesPoint>,
}

/// One operator's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct OperatorStats {
    /// User id.
    pub id: String,
    /// Full name.
    pub name: Option<String>,
    /// The operator's regions.
    pub regions: Vec<String>,
    /// Answers the operator gave in the period (to appeals of the scope).
    pub answered: i64,
    /// Of the appeals routed to people on arrival, those whose first answer the operator
    /// gave in the period.
    pub first_answers: i64,
    /// Median time from arrival to the operator's first answer, in hours.
    pub median_first_answer_hours: Option<f64>,
    /// The same in working days (as in [`StatsFigures`]).
    pub median_first_answer_working_days: Option<f64>,
    /// Live: open appeals assigned to the operator that are past their deadline now.
    pub overdue_held: i64,
    /// Ratings of the operator's answers given in the period.
    pub ratings_count: i64,
    /// Their average.
    pub rating_avg: Option<f64>,
}

/// `GET /api/v1/stats/operators`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct StatsOperators {
    /// First day of the period.
    pub from: String,
    /// Last day of the period.
    pub to: String,
    /// The region asked for; `null` for the caller's whole scope.
    pub region: Option<String>,
    /// Operators of the scope, by name.
    pub items: Vec<OperatorStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_key_names_a_figure() {
        let figures = StatsFigures {
            answered_within_sla_share: Some(0.5),
            median_first_answer_hours: Some(1.0),
            median_first_answer_working_days: Some(1.0),
            rating_avg: Some(4.0),
            bot_share: Some(0.1),
            self_served_share: Some(0.1),
            bot_accuracy: Some(0.9),
            escalation_rate: Some(0.2),
            rating_avg_bot: Some(4.0),
            rating_avg_operators: Some(4.0),
            bot_helpful_share: Some(0.5),
            ..StatsFigures::default()
        };
        for key in StatsFigures::SORT_KEYS {
            assert!(figures.value(key).is_some(), "{key}");
        }
        assert_eq!(figures.value("nope"), None);
        assert_eq!(StatsBucket::parse("week"), Some(StatsBucket::Week));
        assert_eq!(SortOrder::parse("up"), None);
    }
}

// Query parameters of the statistics and report operations.

/// Period and region of a summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SummaryQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// Only this region (within the caller's regions); default: the caller's whole scope.
    pub region: Option<String>,
}

/// Period and sorting of the per-region table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct RegionsQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// `code` (default), `name`, `federal_district`, or a figure name (`overdue`,
    /// `rating_avg`, … — the fields of the figures).
    pub sort: Option<String>,
    /// `asc` or `desc`; default `asc` for code and names, `desc` for figures.
    pub order: Option<String>,
}

/// Period, bucket and region of a time series.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TimeseriesQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// `day` (default), `week` (Monday to Sunday) or `month`.
    pub bucket: Option<String>,
    /// Only this region (within the caller's regions).
    pub region: Option<String>,
}

/// Filters of a report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// Only this region (within the caller's regions).
    pub region: Option<String>,
    /// Only this status: `answered_by_bot`, `new`, `in_progress`, `answered`, `closed`.
    pub status: Option<String>,
}

// Each region's number of teachers (issue #18: appeals per 1,000 teachers).

/// One region's number of teachers, as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionTeachersItem {
    /// Region code, two digits (`16`).
    pub code: String,
    /// Number of teachers, 1 to 10,000,000.
    pub teachers: i64,
}

/// `PUT /api/v1/regions/teachers` as JSON: the regions to set, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionTeachersImport {
    /// One line per region (at most one per region, at most 100 lines).
    pub items: Vec<RegionTeachersItem>,
}

/// A region's stored number of teachers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionTeachers {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Number of teachers.
    pub teachers: i64,
    /// When it was set (UTC).
    pub set_at: String,
    /// Who set it (user id); `null` once that account is gone.
    pub set_by: Option<String>,
}

/// The answer of an import: how many regions it set, and every region's stored figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionTeachersImported {
    /// Regions set by this import.
    pub imported: i64,
    /// Every region with a number of teachers, by code.
    pub items: Vec<RegionTeachers>,
}

/// The education level filter of the summary, the per-region table, the time series and
/// the reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct LevelQuery {
    /// Only appeals of teachers of this education level, as recorded on the appeal when it
    /// was asked (none recorded counts as `school`): `school`, `spo` or `doo`.
    pub level: Option<String>,
}
