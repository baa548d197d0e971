//! The working-day calendar over HTTP: read a year whole; import a year (or a region's
//! overlay) from the common xmlcalendar XML.

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest};
use shared::calendar::{CalendarYear, RegionQuery};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::calendar::years;
use crate::error::ApiError;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// A calendar year whole: each day's kind, holidays and moved days; `published: false`
/// with a warning while the year has not been imported.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar", security(("bearer" = [])),
    params(("year" = i32, Path, description = "Год"), RegionQuery),
    responses(
        (status = 200, description = "Календарь года", body = CalendarYear),
        (status = 400, description = "Неверный год", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только сотрудники", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный год или регион", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/calendar/{year}")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<i32>,
    query: web::Query<RegionQuery>,
) -> Result<web::Json<CalendarYear>, ApiError> {
    caller.may(Action::GetCalendar)?;
    let view = years::get(&state.calendars, year.into_inner(), query.region.as_deref())?;
    Ok(web::Json(view))
}

/// Imports a year from xmlcalendar XML (`Content-Type: application/xml`); with `?region=`
/// as that region's overlay. Replaces what was stored for that year and scope; deadlines use
/// it at once.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar", security(("bearer" = [])),
    params(("year" = i32, Path, description = "Год"), RegionQuery),
    request_body(content = String, content_type = "application/xml", description = "Календарь в формате xmlcalendar"),
    responses(
        (status = 200, description = "Календарь загружен", body = CalendarYear),
        (status = 400, description = "Неверный год", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = PROBLEM),
        (status = 413, description = "Файл больше 1 МБ", body = shared::Problem, content_type = PROBLEM),
        (status = 415, description = "Нужен Content-Type: application/xml", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "XML не разобран или год не тот", body = shared::Problem, content_type = PROBLEM),
    ))]
#[put("/calendar/{year}")]
pub async fn put_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    year: web::Path<i32>,
    query: web::Query<RegionQuery>,
    body: web::Bytes,
) -> Result<web::Json<CalendarYear>, ApiError> {
    caller.may(Action::PutCalendar)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let view = years::import(
        &state.db,
        std::sync::Arc::clone(&state.calendars),
        caller,
        year.into_inner(),
        query.region.as_deref(),
        content_type,
        &body,
    )
    .await?;
    Ok(web::Json(view))
}
