//! The working-day calendar over HTTP: read a year whole; import a year (or a region's
//! overlay) from the common xmlcalendar XML.

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest};
use serde::Deserialize;
use shared::calendar::{CalendarDayView, CalendarYear};
use shared::users::Role;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::calendar::{self, MAX_XML_BYTES};
use crate::db::audit;
use crate::error::ApiError;
use crate::routes::validate;
use crate::state::AppState;
use crate::workcal;

const PROBLEM: &str = "application/problem+json";
const STAFF: &[Role] = &[
    Role::Operator,
    Role::RegionalHead,
    Role::Federal,
    Role::Admin,
];

/// Which calendar.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// A region code for its overlay (absent: the federal calendar).
    pub region: Option<String>,
}

fn check_year(year: i32) -> Result<i32, ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::field(
            "year",
            "out_of_range",
            "Год — от 2000 до 2100.",
        ))
    }
}

/// The year as the service counts it.
pub fn year_view(state: &AppState, year: i32, region: Option<&str>) -> CalendarYear {
    state.calendars.with(|c| {
        let published = c.has_year(year);
        CalendarYear {
            year,
            region: region.map(str::to_owned),
            published,
            warning: (!published).then(|| {
                format!(
                    "Производственный календарь на {year} год не загружен: сроки считаются по пятидневке \
                     с фиксированными праздниками, без переносов. Загрузите календарь, как только он будет опубликован."
                )
            }),
            items: c
                .year_view(region, year)
                .into_iter()
                .map(|d| CalendarDayView {
                    date: d.date.to_string(),
                    kind: d.kind.as_str().to_owned(),
                    holiday: d.holiday,
                    transferred_from: d.transferred_from.map(|f| f.to_string()),
                })
                .collect(),
        }
    })
}

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
    caller.require(STAFF)?;
    let year = check_year(year.into_inner())?;
    let region = query
        .region
        .as_deref()
        .map(|r| validate::region("region", r))
        .transpose()?;
    Ok(web::Json(year_view(&state, year, region.as_deref())))
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
    caller.require(&[Role::Federal])?;
    let year = check_year(year.into_inner())?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime != "application/xml" && mime != "text/xml" {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.len() > MAX_XML_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_XML_BYTES,
        });
    }
    let region = query
        .region
        .as_deref()
        .map(|r| validate::region("region", r))
        .transpose()?;
    let xml = std::str::from_utf8(&body).map_err(|_| {
        ApiError::field(
            "body",
            "invalid_utf8",
            "Файл должен быть в кодировке UTF-8.",
        )
    })?;
    let parsed = calendar::parse_xmlcalendar_for_year(xml, year)
        .map_err(|e| ApiError::field("body", "invalid_calendar", &e.to_string()))?;
    let calendars = std::sync::Arc::clone(&state.calendars);
    let scope = region.clone();
    state
        .db
        .write(move |conn| {
            if let Some(code) = &scope {
                let known: i64 = {
                    use diesel::prelude::*;
                    crate::db::schema::regions::table
                        .filter(crate::db::schema::regions::code.eq(code))
                        .count()
                        .get_result(conn)?
                };
                if known == 0 {
                    return Err(ApiError::field(
                        "region",
                        "unknown",
                        "Такого региона нет в справочнике.",
                    ));
                }
            }
            workcal::store_year(conn, scope.as_deref(), &parsed, Some(&caller.user_id))?;
            audit::record(
                conn,
                &caller.actor(),
                "calendar.import",
                "calendar",
                Some(&format!("{}:{year}", scope.as_deref().unwrap_or("federal"))),
                None,
                Some(&serde_json::json!({ "days": parsed.days.len() })),
            )?;
            calendars.reload(conn)?;
            Ok(())
        })
        .await?;
    Ok(web::Json(year_view(&state, year, region.as_deref())))
}
