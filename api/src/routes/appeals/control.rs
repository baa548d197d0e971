//! «На контроль»: a regional head (own regions) or a federal supervisor marks an appeal
//! for the operators' attention, and takes the mark off.

use actix_web::{delete, post, web};
use shared::appeals::{Appeal, ControlRequest};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::control;
use crate::error::ApiError;
use crate::state::AppState;

/// Puts the appeal «На контроль» with a comment (again: replaces the comment). The assigned
/// operator, or every operator of the region while nobody holds it, sees the badge and
/// gets an e-mail (and a MAX message when linked). Audit-logged.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/control", tag = "appeals", security(("bearer" = [])), request_body = ControlRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Обращение на контроле", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только руководитель региона и федеральный уровень", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение закрыто (`appeal_closed`)", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Пустой или слишком длинный комментарий", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/control")]
pub async fn control_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<ControlRequest>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::ControlAppeal)?;
    let id = id.into_inner();
    let comment = control::comment(&body.comment)?;
    let appeal = state
        .db
        .write(move |conn| control::put(conn, &caller, &id, &comment))
        .await?;
    Ok(web::Json(appeal))
}

/// Takes the appeal off control («Снять с контроля»); an appeal not under control is
/// answered as it is. Audit-logged.
#[utoipa::path(delete, path = "/api/v1/appeals/{id}/control", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Обращение снято с контроля", body = Appeal),
        (status = 403, description = "Только руководитель региона и федеральный уровень", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[delete("/appeals/{id}/control")]
pub async fn release_control(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::ReleaseControl)?;
    let id = id.into_inner();
    let appeal = state
        .db
        .write(move |conn| control::release(conn, &caller, &id))
        .await?;
    Ok(web::Json(appeal))
}
