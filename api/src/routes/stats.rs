//! Monitoring for supervisors and integrators: the summary of a period, the same per
//! region (sortable), a time series, and per-operator figures. Everything is scoped by role:
//! operators, regional heads and integrators see their regions, federal users all of them;
//! teachers and administrators none (403). A `region` outside the scope answers 403
//! `region_out_of_scope`. Periods are Moscow dates, both ends included, the last 30 days by
//! default, at most 3 years.

use actix_web::{get, web};
use shared::stats::{
    LevelQuery, RegionsQuery, StatsOperators, StatsRegions, StatsSummary, StatsTimeseries,
    SummaryQuery, TimeseriesQuery,
};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::stats::query::{self, Ask};
use crate::error::ApiError;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// Figures of a period for the caller's scope or one region of it: appeals received,
/// answered (by the bot, by operators, within the SLA), median time to the first answer
/// (hours and working days), ratings, bot share and accuracy, self-served share,
/// escalations; and the live counters (open, overdue, due today, unread) as of now. With
/// `level`, only the appeals of teachers of that education level.
#[utoipa::path(get, path = "/api/v1/stats/summary", tag = "stats", security(("bearer" = [])), params(SummaryQuery, LevelQuery),
    responses(
        (status = 200, description = "Сводка за период", body = StatsSummary),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике или регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, регион или уровень образования", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/summary")]
pub async fn stats_summary(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SummaryQuery>,
    level: web::Query<LevelQuery>,
) -> Result<web::Json<StatsSummary>, ApiError> {
    caller.may(Action::StatsSummary)?;
    let ask = Ask {
        level: level.level.as_deref(),
        ..(&*query).into()
    };
    let summary = query::summary(&state.db, &state.calendars, &caller, ask).await?;
    Ok(web::Json(summary))
}

/// The figures of a period per region of the caller's scope, with the federal district;
/// every region appears, also with nothing to count. Sortable by any figure. A region whose
/// number of teachers a federal user imported also has its appeals per 1,000 teachers.
/// With `level`, only the appeals of teachers of that education level.
#[utoipa::path(get, path = "/api/v1/stats/regions", tag = "stats", security(("bearer" = [])), params(RegionsQuery, LevelQuery),
    responses(
        (status = 200, description = "Показатели по регионам", body = StatsRegions),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, сортировка или уровень образования", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/regions")]
pub async fn stats_regions(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RegionsQuery>,
    level: web::Query<LevelQuery>,
) -> Result<web::Json<StatsRegions>, ApiError> {
    caller.may(Action::StatsRegions)?;
    let ask = Ask {
        from: query.from.as_deref(),
        to: query.to.as_deref(),
        region: None,
        level: level.level.as_deref(),
    };
    let (sort, order) = (query.sort.as_deref(), query.order.as_deref());
    let table =
        query::regions_table(&state.db, &state.calendars, &caller, ask, sort, order).await?;
    Ok(web::Json(table))
}

/// Appeals received per day, week or month of the period, with how many of them were
/// answered, became overdue (answered late or still waiting past the deadline), and the
/// average rating of their answers. Every bucket appears, also empty ones. With `level`,
/// only the appeals of teachers of that education level.
#[utoipa::path(get, path = "/api/v1/stats/timeseries", tag = "stats", security(("bearer" = [])), params(TimeseriesQuery, LevelQuery),
    responses(
        (status = 200, description = "Динамика за период", body = StatsTimeseries),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Роль без доступа к статистике или регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, шаг, регион или уровень образования", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/timeseries")]
pub async fn stats_timeseries(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TimeseriesQuery>,
    level: web::Query<LevelQuery>,
) -> Result<web::Json<StatsTimeseries>, ApiError> {
    caller.may(Action::StatsTimeseries)?;
    let ask = Ask {
        from: query.from.as_deref(),
        to: query.to.as_deref(),
        region: query.region.as_deref(),
        level: level.level.as_deref(),
    };
    let series = query::time_series(&state.db, &caller, ask, query.bucket.as_deref()).await?;
    Ok(web::Json(series))
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
    caller.may(Action::StatsOperators)?;
    let table =
        query::operators_table(&state.db, &state.calendars, &caller, (&*query).into()).await?;
    Ok(web::Json(table))
}

/// «Моя статистика»: the calling operator's own figures of the period, as in
/// `/stats/operators` (answers given, first answers and their median time, ratings, overdue
/// appeals held now); `items` holds the caller's row.
#[utoipa::path(get, path = "/api/v1/stats/me", tag = "stats", security(("bearer" = [])), params(SummaryQuery),
    responses(
        (status = 200, description = "Показатели оператора", body = StatsOperators),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/stats/me")]
pub async fn stats_mine(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SummaryQuery>,
) -> Result<web::Json<StatsOperators>, ApiError> {
    caller.may(Action::StatsMine)?;
    let ask = Ask {
        from: query.from.as_deref(),
        to: query.to.as_deref(),
        region: None,
        level: None,
    };
    let mine = query::own_figures(&state.db, &state.calendars, &caller, ask).await?;
    Ok(web::Json(mine))
}
