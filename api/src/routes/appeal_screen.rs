//! What the operator's appeal screen reads beside the appeal: the presence heartbeat
//! («Сейчас открыто также») and the teacher's context. The rules are in
//! [`crate::domain::appeals::screen`].

use actix_web::{get, post, web};
use shared::operator::{AppealContext, Presence};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::screen;
use crate::error::ApiError;
use crate::state::AppState;

/// A heartbeat of the open appeal screen: records that the caller has the appeal open
/// (for about 45 seconds) and answers which colleagues have it open now.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/presence", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Коллеги, у которых обращение открыто сейчас", body = Presence),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/appeals/{id}/presence")]
pub async fn appeal_presence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Presence>, ApiError> {
    caller.may(Action::AppealPresence)?;
    let id = id.into_inner();
    let presence = state
        .db
        .write(move |conn| screen::heartbeat(conn, &caller, &id))
        .await?;
    Ok(web::Json(presence))
}

/// The teacher's school, position and region and their earlier appeals in the caller's
/// regions (nothing for an anonymous appeal).
#[utoipa::path(get, path = "/api/v1/appeals/{id}/context", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Контекст учителя", body = AppealContext),
        (status = 403, description = "Только оператор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/appeals/{id}/context")]
pub async fn appeal_context(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<AppealContext>, ApiError> {
    caller.may(Action::GetAppealContext)?;
    let id = id.into_inner();
    let context = state
        .db
        .read(move |conn| screen::context(conn, &caller, &id))
        .await?;
    Ok(web::Json(context))
}
