//! The reference list of regions, and each region's number of teachers (imported by a
//! federal user for the appeals-per-1,000-teachers figure).

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest};
use shared::stats::{RegionTeachersImport, RegionTeachersImported};
use shared::{ItemList, Region};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::regions as teachers;
use crate::domain::stats::query;
use crate::error::ApiError;
use crate::state::AppState;

/// All 89 subjects of the Russian Federation, ordered by code. A small reference list, so
/// it comes whole.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions",
    responses((status = 200, description = "Список регионов", body = ItemList<Region>)))]
#[get("/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
) -> Result<web::Json<ItemList<Region>>, ApiError> {
    let items = query::all_regions(&state.db).await?;
    Ok(web::Json(ItemList { items }))
}

/// Sets regions' numbers of teachers, for the figure «appeals per 1,000 teachers»: a JSON
/// list, or a CSV file (`text/csv`, UTF-8) of `code;teachers` lines with an optional header.
/// The listed regions are set, the others stay; a list with any error saves nothing and
/// names every bad line. Setting the same figures again changes nothing (no idempotency key
/// needed). Federal users only; audit-logged.
#[utoipa::path(put, path = "/api/v1/regions/teachers", tag = "regions", security(("bearer" = [])),
    request_body(content(
        (RegionTeachersImport = "application/json"),
        (String = "text/csv", example = json!("code;teachers\n16;45210\n77;120000\n")),
    )),
    responses(
        (status = 200, description = "Сохранено: сколько регионов задано и все заданные числа", body = RegionTeachersImported),
        (status = 400, description = "Тело запроса не разобрано", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только федеральный уровень", body = shared::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Не JSON и не CSV", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибки в списке: неизвестный или повторённый регион, число вне 1–10 000 000, неверная строка", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[put("/regions/teachers")]
pub async fn import_region_teachers(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<web::Json<RegionTeachersImported>, ApiError> {
    caller.may(Action::ImportRegionTeachers)?;
    let kind = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let items = if kind.starts_with("application/json") {
        serde_json::from_slice::<RegionTeachersImport>(&body)
            .map_err(|_| {
                ApiError::MalformedBody(
                    "Ожидался JSON вида {\"items\": [{\"code\": \"16\", \"teachers\": 45210}]}."
                        .to_owned(),
                )
            })?
            .items
    } else if kind.starts_with("text/csv") {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::MalformedBody("Файл CSV — в кодировке UTF-8.".to_owned()))?;
        teachers::parse_csv(text)?
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let answer = state
        .db
        .write(move |conn| teachers::import(conn, &caller, &items))
        .await?;
    Ok(web::Json(answer))
}
