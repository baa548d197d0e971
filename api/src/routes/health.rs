//! Liveness, readiness and metrics for load balancers and monitoring.

use actix_web::{get, http::header, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// Liveness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` while the process serves requests.
    pub status: &'static str,
}

/// Readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: &'static str,
    /// `sqlite` or `postgresql`.
    pub database: &'static str,
    /// Every migration is applied.
    pub migrated: bool,
    /// Things an operator should fix that do not stop the service (e.g. a missing calendar year).
    pub warnings: Vec<String>,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Процесс работает", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database is reachable and migrated; otherwise 503.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Готов принимать запросы", body = Readiness),
        (status = 503, description = "База данных недоступна или не обновлена", body = shared::Problem,
            content_type = "application/problem+json"),
    ))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    let migrated = state
        .db
        .read(|conn| {
            db::is_migrated(conn).map_err(|e| {
                tracing::warn!(error = %e, "readiness check failed");
                ApiError::Unavailable
            })
        })
        .await;
    let up = matches!(migrated, Ok(true));
    state.metrics.database_up.set(i64::from(up));
    if !up {
        return Err(ApiError::Unavailable);
    }
    let missing = state.calendars.missing_years(chrono::Utc::now());
    state
        .metrics
        .calendar_missing_years
        .set(i64::try_from(missing.len()).unwrap_or(0));
    let warnings = missing
        .iter()
        .map(|y| {
            format!(
                "Нет производственного календаря на {y} год: сроки считаются по пятидневке без переносов. \
                 Загрузите календарь (PUT /api/v1/calendar/{y})."
            )
        })
        .collect();
    Ok(web::Json(Readiness {
        status: "ready",
        database: state.db.backend().name(),
        migrated: true,
        warnings,
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Метрики Prometheus", body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // The database-wide gauges are counted per scrape; a failed count leaves the last value
    // (and `database_up` tells the database is gone).
    let now = chrono::Utc::now();
    let counted = state
        .db
        .read(move |conn| {
            crate::domain::stats::gauges::read(conn, now).map_err(|e| {
                tracing::warn!(error = %e, "metrics gauges failed");
                ApiError::Unavailable
            })
        })
        .await;
    if let Ok(g) = counted {
        state.metrics.outbox_pending.set(g.outbox_pending);
        state.metrics.outbox_dead.set(g.outbox_dead);
        state.metrics.appeals_overdue.set(g.appeals_overdue);
    }
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(state.metrics.render())
}
