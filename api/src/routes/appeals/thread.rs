//! `POST /appeals/{id}/messages`: a message in the thread.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use shared::appeals::{Appeal, PostMessage};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::lifecycle;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// A message in the thread: a teacher's follow-up (on an answered appeal it returns the
/// appeal to work with a new deadline), or an operator's clarifying question (the status
/// stays; the teacher is notified).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/messages", tag = "appeals", security(("bearer" = [])), request_body = PostMessage,
    params(("id" = String, Path, description = "Обращение"), ("Idempotency-Key" = Option<String>, Header, description = "Защита от повтора")),
    responses(
        (status = 201, description = "Сообщение добавлено; обращение целиком", body = Appeal),
        (status = 403, description = "Роль не может писать в обращение", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение закрыто", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Ошибка в тексте", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/messages")]
pub async fn post_message(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    id: web::Path<String>,
    body: web::Json<PostMessage>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::PostMessage)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&format!("message {id}"), &body);
    let text = lifecycle::message_text(&body.text)?;
    let calendars = std::sync::Arc::clone(&state.calendars);
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| lifecycle::post_message(conn, &calendars, &caller, &id, &text),
            )
        })
        .await?;
    Ok(answer.into_response())
}
