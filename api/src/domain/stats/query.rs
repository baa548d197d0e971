//! The rules of a statistics request: the period (Moscow dates, the last 30 days by
//! default, at most 3 years), the regions of the caller's scope, sorting; and the
//! operations behind the HTTP handlers. A `region` outside the scope is 403
//! `region_out_of_scope`; one missing from the reference list is 422.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use shared::stats::{
    RegionStats, SortOrder, StatsBucket, StatsFigures, StatsOperators, StatsRegions, StatsSummary,
    StatsTimeseries, SummaryQuery,
};
use shared::{FieldError, Region};

use super::levels::{parse_level, per_region_at_level};
use super::{figures, operators, per_region, per_region_concurrent, region_list, round4};
use super::{has_pending, timeseries, today, Counts, Period, RegionFilter};
use crate::auth::Caller;
use crate::db::models::RegionRow;
use crate::db::schema::regions;
use crate::db::{self, AnyConnection, Db};
use crate::domain::calendar::Calendars;
use crate::domain::regions::teachers_of;
use crate::domain::validate;
use crate::error::ApiError;

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

/// Parses and checks a period; collects every field error.
///
/// # Errors
/// 422 `validation_failed` with `invalid_date` (not `YYYY-MM-DD`), `after_to` (`from` later
/// than `to`) or `period_too_long` (over 3 years).
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
    let to = to_given.unwrap_or_else(|| today(now));
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

/// The single region a request asked for (to echo it in the answer).
fn asked_region(filter: &RegionFilter, asked: bool) -> Option<String> {
    match (filter, asked) {
        (RegionFilter::Only(codes), true) => codes.first().cloned(),
        _ => None,
    }
}

/// Fills the first-answer times the triggers left for the server (usually none or a few).
///
/// # Errors
/// A database failure.
pub async fn ensure_filled(db: &Db, calendars: &Arc<Calendars>) -> Result<(), ApiError> {
    let pending = db.read(|conn| Ok(has_pending(conn)?)).await?;
    if pending {
        let calendars = Arc::clone(calendars);
        db.write(move |conn| Ok(super::fill_pending(conn, &calendars)?))
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
    if asked && region_list(conn, filter)?.is_empty() {
        return Err(ApiError::field(
            "region",
            "unknown",
            "Такого региона нет в справочнике.",
        ));
    }
    Ok(())
}

/// The per-region rows of a period (every region of the filter), of one education level or
/// of all, and their total.
///
/// # Errors
/// A database failure.
pub fn region_rows(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
    level: Option<&str>,
) -> Result<(Vec<RegionStats>, StatsFigures), ApiError> {
    let counts = match level {
        Some(level) => per_region_at_level(conn, calendars, filter, period, now, level)?,
        None => per_region(conn, calendars, filter, period, now)?,
    };
    let mut total = Counts::default();
    for c in counts.values() {
        total.absorb(c);
    }
    let teachers = teachers_of(conn, filter)?;
    let rows = rows_of(region_list(conn, filter)?, counts, &teachers);
    Ok((rows, figures(&mut total)))
}

/// Appeals received per 1,000 teachers; `None` without a number of teachers.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn per_1000(received: i64, teachers: Option<i64>) -> Option<f64> {
    teachers
        .filter(|t| *t > 0)
        .map(|t| round4(received as f64 * 1000.0 / t as f64))
}

/// One row per listed region, with its counts (zeros for a region with nothing) and, where
/// its number of teachers is known, its appeals per 1,000 teachers.
fn rows_of(
    regions: Vec<(String, String, String)>,
    mut counts: BTreeMap<String, Counts>,
    teachers: &BTreeMap<String, i64>,
) -> Vec<RegionStats> {
    regions
        .into_iter()
        .map(|(code, name, federal_district)| {
            let mut c = counts.remove(&code).unwrap_or_default();
            let teachers = teachers.get(&code).copied();
            RegionStats {
                appeals_per_1000: per_1000(c.received, teachers),
                teachers,
                figures: figures(&mut c),
                code,
                name,
                federal_district,
            }
        })
        .collect()
}

/// A row's value for sorting: a figure, or the teachers' figures beside them.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn sort_value(row: &RegionStats, key: &str) -> Option<f64> {
    match key {
        "appeals_per_1000" => row.appeals_per_1000,
        "teachers" => row.teachers.map(|t| t as f64),
        _ => row.figures.value(key),
    }
}

/// Sort keys of the per-region table beside the figures.
const ROW_KEYS: [&str; 2] = ["appeals_per_1000", "teachers"];

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
            _ => match (sort_value(a, key), sort_value(b, key)) {
                (Some(x), Some(y)) => directed(x.total_cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary.then_with(|| a.code.cmp(&b.code))
    });
}

/// A period and an optional region, as a request gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask<'a> {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<&'a str>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<&'a str>,
    /// One region of the caller's scope.
    pub region: Option<&'a str>,
    /// One education level (`school`, `spo`, `doo`), unchecked.
    pub level: Option<&'a str>,
}

impl<'a> From<&'a SummaryQuery> for Ask<'a> {
    fn from(q: &'a SummaryQuery) -> Self {
        Self {
            from: q.from.as_deref(),
            to: q.to.as_deref(),
            region: q.region.as_deref(),
            level: None,
        }
    }
}

/// The figures of a period for the caller's scope or one region of it.
///
/// # Errors
/// 422 for a bad period or region, 403 `region_out_of_scope`, or a database failure.
pub async fn summary(
    db: &Db,
    calendars: &Arc<Calendars>,
    caller: &Caller,
    ask: Ask<'_>,
) -> Result<StatsSummary, ApiError> {
    let now = Utc::now();
    let period = parse_period(ask.from, ask.to, now)?;
    let filter = region_filter(caller, ask.region)?;
    let level = parse_level(ask.level)?;
    let asked = ask.region.is_some();
    ensure_filled(db, calendars).await?;
    let region = asked_region(&filter, asked);
    let check = filter.clone();
    db.read(move |conn| known_region(conn, &check, asked))
        .await?;
    let counts = counts_of(db, calendars, &filter, period, now, level).await?;
    let mut total = Counts::default();
    for c in counts.values() {
        total.absorb(c);
    }
    Ok(StatsSummary {
        from: period.from.to_string(),
        to: period.to.to_string(),
        region,
        level: level.map(str::to_owned),
        generated_at: db::rfc3339(now.naive_utc()),
        figures: figures(&mut total),
    })
}

/// The per-region counts of a period: from the aggregates, or for one education level from
/// the appeals themselves.
async fn counts_of(
    db: &Db,
    calendars: &Arc<Calendars>,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
    level: Option<&'static str>,
) -> Result<BTreeMap<String, Counts>, ApiError> {
    match level {
        None => per_region_concurrent(db, Arc::clone(calendars), filter, period, now).await,
        Some(level) => {
            let (calendars, filter) = (Arc::clone(calendars), filter.clone());
            db.read(move |conn| {
                Ok(per_region_at_level(
                    conn, &calendars, &filter, period, now, level,
                )?)
            })
            .await
        }
    }
}

/// The figures of a period per region of the caller's scope, sorted by `sort` (`code` by
/// default, or a name or a figure) in `order` (`asc` for texts, `desc` for figures by
/// default).
///
/// # Errors
/// 422 for a bad period, sort key or order; a database failure.
pub async fn regions_table(
    db: &Db,
    calendars: &Arc<Calendars>,
    caller: &Caller,
    ask: Ask<'_>,
    sort: Option<&str>,
    order: Option<&str>,
) -> Result<StatsRegions, ApiError> {
    let now = Utc::now();
    let period = parse_period(ask.from, ask.to, now)?;
    let sort = sort.unwrap_or("code").trim().to_owned();
    let is_text = matches!(sort.as_str(), "code" | "name" | "federal_district");
    let known =
        StatsFigures::SORT_KEYS.contains(&sort.as_str()) || ROW_KEYS.contains(&sort.as_str());
    if !is_text && !known {
        return Err(ApiError::field(
            "sort",
            "unknown",
            "Сортировать можно по code, name, federal_district или по названию показателя.",
        ));
    }
    let order = match order {
        None if is_text => SortOrder::Asc,
        None => SortOrder::Desc,
        Some(raw) => SortOrder::parse(raw.trim())
            .ok_or_else(|| ApiError::field("order", "invalid", "Порядок — asc или desc."))?,
    };
    let filter = region_filter(caller, None)?;
    let level = parse_level(ask.level)?;
    ensure_filled(db, calendars).await?;
    let counts = counts_of(db, calendars, &filter, period, now, level).await?;
    let mut items = db
        .read(move |conn| {
            let teachers = teachers_of(conn, &filter)?;
            Ok(rows_of(region_list(conn, &filter)?, counts, &teachers))
        })
        .await?;
    sort_regions(&mut items, &sort, order);
    Ok(StatsRegions {
        from: period.from.to_string(),
        to: period.to.to_string(),
        sort,
        order,
        generated_at: db::rfc3339(now.naive_utc()),
        items,
    })
}

/// Appeals received per `bucket` (`day` by default, `week`, `month`) of the period, of
/// every education level or of `ask.level`.
///
/// # Errors
/// 422 for a bad period, bucket, region or level, 403 `region_out_of_scope`, a database failure.
pub async fn time_series(
    db: &Db,
    caller: &Caller,
    ask: Ask<'_>,
    bucket: Option<&str>,
) -> Result<StatsTimeseries, ApiError> {
    let now = Utc::now();
    let period = parse_period(ask.from, ask.to, now)?;
    let bucket = match bucket {
        None => StatsBucket::Day,
        Some(raw) => StatsBucket::parse(raw.trim())
            .ok_or_else(|| ApiError::field("bucket", "invalid", "Шаг — day, week или month."))?,
    };
    let filter = region_filter(caller, ask.region)?;
    let level = parse_level(ask.level)?;
    let asked = ask.region.is_some();
    let region = asked_region(&filter, asked);
    let items = db
        .read(move |conn| {
            known_region(conn, &filter, asked)?;
            Ok(timeseries(conn, &filter, period, bucket, now, level)?)
        })
        .await?;
    Ok(StatsTimeseries {
        from: period.from.to_string(),
        to: period.to.to_string(),
        bucket,
        region,
        level: level.map(str::to_owned),
        items,
    })
}

/// Per operator of the caller's scope (or one region of it): the figures of the period.
///
/// # Errors
/// 422 for a bad period or region, 403 `region_out_of_scope`, a database failure.
pub async fn operators_table(
    db: &Db,
    calendars: &Arc<Calendars>,
    caller: &Caller,
    ask: Ask<'_>,
) -> Result<StatsOperators, ApiError> {
    let now = Utc::now();
    let period = parse_period(ask.from, ask.to, now)?;
    let filter = region_filter(caller, ask.region)?;
    let asked = ask.region.is_some();
    let region = asked_region(&filter, asked);
    ensure_filled(db, calendars).await?;
    let items = db
        .read(move |conn| {
            known_region(conn, &filter, asked)?;
            Ok(operators(conn, &filter, period, now)?)
        })
        .await?;
    Ok(StatsOperators {
        from: period.from.to_string(),
        to: period.to.to_string(),
        region,
        items,
    })
}

/// The caller's own row of [`operators_table`] over their whole scope.
///
/// # Errors
/// As [`operators_table`].
pub async fn own_figures(
    db: &Db,
    calendars: &Arc<Calendars>,
    caller: &Caller,
    ask: Ask<'_>,
) -> Result<StatsOperators, ApiError> {
    let mut table = operators_table(db, calendars, caller, ask).await?;
    table.items.retain(|o| o.id == caller.user_id);
    Ok(table)
}

/// The reference list of regions, ordered by code.
///
/// # Errors
/// A database failure.
pub async fn all_regions(db: &Db) -> Result<Vec<Region>, ApiError> {
    let rows = db
        .read(|conn| {
            regions::table
                .select(RegionRow::as_select())
                .order(regions::code.asc())
                .load(conn)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(rows.into_iter().map(Region::from).collect())
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
            teachers: None,
            appeals_per_1000: None,
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
