//! Monitoring for supervisors and integrators: the summary of a period, the same per
//! region (sortable), a time series, and per-operator figures. Everything is scoped by role:
//! operators, regional heads and integrators see their regions, federal users all of them;
//! teachers and administrators none (403). A `region` outside the scope answers 403
//! `region_out_of_scope`. Periods are Moscow dates, both ends included, the last 30 days by
//! default, at most 3 years.

use std::sync::Arc;

use actix_web::{get, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use shared::stats::{
    RegionStats, SortOrder, StatsBucket, StatsFigures, StatsOperators, StatsRegions, StatsSummary,
    StatsTimeseries,
};
use shared::users::Role;
use shared::FieldError;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::db::{self, AnyConnection};
use crate::error::ApiError;
use crate::routes::validate;
use crate::state::AppState;
use crate::stats::{self, Counts, Period, RegionFilter};

const PROBLEM: &str = "application/problem+json";

/// Roles that may read statistics.
pub const STATS_ROLES: [Role; 4] = [
    Role::Operator,
    Role::RegionalHead,
    Role::Federal,
    Role::Integrator,
];

/// Period and region of a summary.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// Only this region (within the caller's regions); default: the caller's whole scope.
    pub region: Option<String>,
}

/// Period and sorting of the per-region table.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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

/// Parses and checks a period; collects every field error.
///
/// # Errors
/// 422 `validation_failed` with `invalid_date` (not `YYYY-MM-DD`), `after_to` (`from` later
/// than `to`) or `period_too_long` (over 3 years).
/// A day given as `YYYY-MM-DD` in the query parameter `field`.
///
/// # Errors
/// The field error `invalid_date` with its Russian message.
pub fn parse_day(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let raw = raw.trim();
    (raw.len() == 10)
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| FieldError {
            field: field.to_owned(),
            code: "invalid_date".to_owned(),
            message: "Дата — в формате ГГГГ-ММ-ДД, например 2026-01-31.".to_owned(),
        })
}

pub fn parse_period(
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Period, ApiError> {
    let mut errors = Vec::new();
    let mut date = |field: &str, raw: Option<&str>| -> Option<NaiveDate> {
        parse_day(field, raw?).map_err(|e| errors.push(e)).ok()
    };
    let from_given = date("from", from);
    let to_given = date("to", to);
    if !errors.is_empty() {
        return Err(validation(errors));
    }
    let to = to_given.unwrap_or_else(|| stats::today(now));
    let from = from_given.unwrap_or(to - Duration::days(29));
    if from > to {
        return Err(ApiError::field(
            "from",
            "after_to",
            "Начало периода позже его конца.",
        ));
    }
    if to >= Period::limit_of(from) {
        return Err(ApiError::field(
            "to",
            "period_too_long",
            "Период — не длиннее трёх лет.",
        ));
    }
    Ok(Period { from, to })
}

fn validation(errors: Vec<FieldError>) -> ApiError {
    let detail = errors
        .first()
        .map_or_else(String::new, |e| e.message.clone());
    ApiError::Validation { detail, errors }
}

/// The regions a request covers: the caller's scope, narrowed by a valid `region` inside it.
///
/// # Errors
/// 422 for a malformed code, 403 `region_out_of_scope` outside the scope.
pub fn region_filter(caller: &Caller, region: Option<&str>) -> Result<RegionFilter, ApiError> {
    let region = region.map(|r| validate::region("region", r)).transpose()?;
    if let Some(code) = &region {
        caller.check_region_filter(code)?;
    }
    Ok(RegionFilter::of(&caller.scope(), region.as_deref()))
}

/// Fills the first-answer times the triggers left for the server (usually none or a few).
///
/// # Errors
/// A database failure.
pub async fn ensure_filled(state: &AppState) -> Result<(), ApiError> {
    let pending = state.db.read(|conn| Ok(stats::has_pending(conn)?)).await?;
    if pending {
        let calendars = Arc::clone(&state.calendars);
        state
            .db
            .write(move |conn| Ok(stats::fill_pending(conn, &calendars)?))
            .await?;
    }
    Ok(())
}

/// 422 when a single asked-for region is not in the reference list.
fn known_region(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    asked: bool,
) -> Result<(), ApiError> {
    if asked && stats::region_list(conn, filter)?.is_empty() {
        return Err(ApiError::field(
            "region",
            "unknown",
            "Такого региона нет в справочнике.",
        ));
    }
    Ok(())
}

/// The per-region rows of a period (every region of the filter) and their total.
///
/// # Errors
/// A database failure.
pub fn region_rows(
    conn: &mut AnyConnection,
    state_calendars: &crate::workcal::Calendars,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
) -> Result<(Vec<RegionStats>, StatsFigures), ApiError> {
    let counts = stats::per_region(conn, state_calendars, filter, period, now)?;
    let mut total = Counts::default();
    for c in counts.values() {
        total.absorb(c);
    }
    let rows = rows_of(stats::region_list(conn, filter)?, counts);
    Ok((rows, stats::figures(&mut total)))
}

/// One row per listed region, with its counts (zeros for a region with nothing).
fn rows_of(
    regions: Vec<(String, String, String)>,
    mut counts: std::collections::BTreeMap<String, Counts>,
) -> Vec<RegionStats> {
    regions
        .into_iter()
        .map(|(code, name, federal_district)| {
            let mut c = counts.remove(&code).unwrap_or_default();
            RegionStats {
                figures: stats::figures(&mut c),
                code,
                name,
                federal_district,
            }
        })
        .collect()
}

/// Figures of a period for the caller's scope or one region of it: appeals received,
/// answered (by the bot, by operators, within the SLA), median time to the first answer
/// (hours and working days), ratings, bot share and accuracy, self-served share,
/// escalations; and the live counters (open, overdue, due today, unread) as of now.
#[utoipa::path(get, path = "/api/v1/stats/summary", tag = "stats", security(("bearer" = [])), params(SummaryQuery),
    responses(
        (status = 200, description = "Сводка за период", body = StatsSummary),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике или регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период или регион", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/summary")]
pub async fn stats_summary(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SummaryQuery>,
) -> Result<web::Json<StatsSummary>, ApiError> {
    caller.require(&STATS_ROLES)?;
    let now = Utc::now();
    let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
    let filter = region_filter(&caller, query.region.as_deref())?;
    let asked = query.region.is_some();
    ensure_filled(&state).await?;
    let calendars = Arc::clone(&state.calendars);
    let region = match (&filter, asked) {
        (RegionFilter::Only(codes), true) => codes.first().cloned(),
        _ => None,
    };
    let check = filter.clone();
    state
        .db
        .read(move |conn| known_region(conn, &check, asked))
        .await?;
    let counts = stats::per_region_concurrent(&state.db, calendars, &filter, period, now).await?;
    let mut total = Counts::default();
    for c in counts.values() {
        total.absorb(c);
    }
    let figures = stats::figures(&mut total);
    Ok(web::Json(StatsSummary {
        from: period.from.to_string(),
        to: period.to.to_string(),
        region,
        generated_at: db::rfc3339(now.naive_utc()),
        figures,
    }))
}

/// The figures of a period per region of the caller's scope, with the federal district;
/// every region appears, also with nothing to count. Sortable by any figure.
#[utoipa::path(get, path = "/api/v1/stats/regions", tag = "stats", security(("bearer" = [])), params(RegionsQuery),
    responses(
        (status = 200, description = "Показатели по регионам", body = StatsRegions),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период или сортировка", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/regions")]
pub async fn stats_regions(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RegionsQuery>,
) -> Result<web::Json<StatsRegions>, ApiError> {
    caller.require(&STATS_ROLES)?;
    let now = Utc::now();
    let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
    let sort = query.sort.as_deref().unwrap_or("code").trim().to_owned();
    let is_text = matches!(sort.as_str(), "code" | "name" | "federal_district");
    if !is_text && !StatsFigures::SORT_KEYS.contains(&sort.as_str()) {
        return Err(ApiError::field(
            "sort",
            "unknown",
            "Сортировать можно по code, name, federal_district или по названию показателя.",
        ));
    }
    let order = match query.order.as_deref() {
        None => {
            if is_text {
                SortOrder::Asc
            } else {
                SortOrder::Desc
            }
        }
        Some(raw) => SortOrder::parse(raw.trim())
            .ok_or_else(|| ApiError::field("order", "invalid", "Порядок — asc или desc."))?,
    };
    let filter = region_filter(&caller, None)?;
    ensure_filled(&state).await?;
    let calendars = Arc::clone(&state.calendars);
    let counts = stats::per_region_concurrent(&state.db, calendars, &filter, period, now).await?;
    let mut items = state
        .db
        .read(move |conn| Ok(rows_of(stats::region_list(conn, &filter)?, counts)))
        .await?;
    sort_regions(&mut items, &sort, order);
    Ok(web::Json(StatsRegions {
        from: period.from.to_string(),
        to: period.to.to_string(),
        sort,
        order,
        generated_at: db::rfc3339(now.naive_utc()),
        items,
    }))
}

/// Sorts rows by a text key or a figure; rows without a value of the figure come last in
/// either direction; ties keep code order.
pub fn sort_regions(items: &mut [RegionStats], key: &str, order: SortOrder) {
    use std::cmp::Ordering;
    let directed = |o: Ordering| match order {
        SortOrder::Asc => o,
        SortOrder::Desc => o.reverse(),
    };
    items.sort_by(|a, b| {
        let primary = match key {
            "code" => directed(a.code.cmp(&b.code)),
            "name" => directed(a.name.cmp(&b.name)),
            "federal_district" => directed(a.federal_district.cmp(&b.federal_district)),
            _ => match (a.figures.value(key), b.figures.value(key)) {
                (Some(x), Some(y)) => directed(x.total_cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary.then_with(|| a.code.cmp(&b.code))
    });
}

/// Appeals received per day, week or month of the period, with how many of them were
/// answered, became overdue (answered late or still waiting past the deadline), and the
/// average rating of their answers. Every bucket appears, also empty ones.
#[utoipa::path(get, path = "/api/v1/stats/timeseries", tag = "stats", security(("bearer" = [])), params(TimeseriesQuery),
    responses(
        (status = 200, description = "Динамика за период", body = StatsTimeseries),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике или регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, шаг или регион", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/timeseries")]
pub async fn stats_timeseries(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TimeseriesQuery>,
) -> Result<web::Json<StatsTimeseries>, ApiError> {
    caller.require(&STATS_ROLES)?;
    let now = Utc::now();
    let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
    let bucket = match query.bucket.as_deref() {
        None => StatsBucket::Day,
        Some(raw) => StatsBucket::parse(raw.trim())
            .ok_or_else(|| ApiError::field("bucket", "invalid", "Шаг — day, week или month."))?,
    };
    let filter = region_filter(&caller, query.region.as_deref())?;
    let asked = query.region.is_some();
    let region = match (&filter, asked) {
        (RegionFilter::Only(codes), true) => codes.first().cloned(),
        _ => None,
    };
    let items = state
        .db
        .read(move |conn| {
            known_region(conn, &filter, asked)?;
            Ok(stats::timeseries(conn, &filter, period, bucket, now)?)
        })
        .await?;
    Ok(web::Json(StatsTimeseries {
        from: period.from.to_string(),
        to: period.to.to_string(),
        bucket,
        region,
        items,
    }))
}

/// Per operator of the scope: answers given in the period, first answers and their median
/// time, ratings of their answers, and overdue appeals they hold now. For regional heads
/// (their regions) and federal users.
#[utoipa::path(get, path = "/api/v1/stats/operators", tag = "stats", security(("bearer" = [])), params(SummaryQuery),
    responses(
        (status = 200, description = "Показатели операторов", body = StatsOperators),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только руководители регионов и федеральный уровень; регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период или регион", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/operators")]
pub async fn stats_operators(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SummaryQuery>,
) -> Result<web::Json<StatsOperators>, ApiError> {
    caller.require(&[Role::RegionalHead, Role::Federal])?;
    let now = Utc::now();
    let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
    let filter = region_filter(&caller, query.region.as_deref())?;
    let asked = query.region.is_some();
    let region = match (&filter, asked) {
        (RegionFilter::Only(codes), true) => codes.first().cloned(),
        _ => None,
    };
    ensure_filled(&state).await?;
    let items = state
        .db
        .read(move |conn| {
            known_region(conn, &filter, asked)?;
            Ok(stats::operators(conn, &filter, period, now)?)
        })
        .await?;
    Ok(web::Json(StatsOperators {
        from: period.from.to_string(),
        to: period.to.to_string(),
        region,
        items,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn periods_default_and_validate() {
        // 2026-03-10 23:30 UTC is already 11 March in Moscow.
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 23, 30, 0).unwrap();
        let p = parse_period(None, None, now).unwrap();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2026-02-10".into(), "2026-03-11".into())
        );
        let p = parse_period(None, Some("2026-01-31"), now).unwrap();
        assert_eq!(p.from.to_string(), "2026-01-02");
        assert!(parse_period(Some("2023-01-01"), Some("2025-12-31"), now).is_ok());
        let codes = |r: Result<Period, ApiError>| match r {
            Err(ApiError::Validation { errors, .. }) => errors
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(parse_period(Some("2023-01-01"), Some("2026-01-01"), now)),
            ["to:period_too_long"]
        );
        assert_eq!(
            codes(parse_period(Some("2026-02-01"), Some("2026-01-01"), now)),
            ["from:after_to"]
        );
        assert_eq!(
            codes(parse_period(Some("01.02.2026"), Some("2026-13-01"), now)),
            ["from:invalid_date", "to:invalid_date"]
        );
    }

    #[test]
    fn sorting_puts_missing_values_last() {
        let row = |code: &str, rating: Option<f64>| RegionStats {
            code: code.into(),
            name: code.into(),
            federal_district: String::new(),
            figures: StatsFigures {
                rating_avg: rating,
                ..StatsFigures::default()
            },
        };
        let mut rows = vec![row("01", None), row("02", Some(3.0)), row("03", Some(4.5))];
        sort_regions(&mut rows, "rating_avg", SortOrder::Desc);
        assert_eq!(
            rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            ["03", "02", "01"]
        );
        sort_regions(&mut rows, "rating_avg", SortOrder::Asc);
        assert_eq!(
            rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            ["02", "03", "01"]
        );
    }
}
