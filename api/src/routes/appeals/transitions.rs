//! The teacher's transitions of an appeal: escalate a bot answer, withdraw, rate, accept a
//! suggested article.

use actix_web::{post, web};
use shared::appeals::{AcceptSuggestion, Appeal, RateAnswer};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::{feedback, lifecycle};
use crate::error::ApiError;
use crate::state::AppState;

/// «Не помогло» on a bot answer: the appeal goes to the region's operators with a deadline.
/// Allowed once, also after the bot answer was rated 3 or lower.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/escalate", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Передано специалистам", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Нельзя передать (`not_escalatable`)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::Escalate)?;
    let id = id.into_inner();
    let calendars = std::sync::Arc::clone(&state.calendars);
    let appeal = state
        .db
        .write(move |conn| lifecycle::escalate(conn, &calendars, &caller, &id))
        .await?;
    Ok(web::Json(appeal))
}

/// The teacher withdraws an open appeal.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/withdraw", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Отозвано", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Уже закрыто", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::Withdraw)?;
    let id = id.into_inner();
    let appeal = state
        .db
        .write(move |conn| lifecycle::withdraw(conn, &caller, &id))
        .await?;
    Ok(web::Json(appeal))
}

/// Rates the latest answer and closes the appeal.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/rating", tag = "appeals", security(("bearer" = [])), request_body = RateAnswer,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Оценка принята", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Нечего оценивать или уже оценено", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Оценка не от 1 до 5 или слишком длинный комментарий", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/rating")]
pub async fn rate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<RateAnswer>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::Rate)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let comment = lifecycle::rating_comment(body.comment.as_deref())?;
    let appeal = state
        .db
        .write(move |conn| lifecycle::rate(conn, &caller, &id, body.score, comment))
        .await?;
    Ok(web::Json(appeal))
}

/// The teacher says a suggested article answered the question: the appeal closes as
/// self-served and the question becomes a candidate variant of that article.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/accept-suggestion", tag = "appeals", security(("bearer" = [])),
    request_body = AcceptSuggestion,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Закрыто как решённое самостоятельно", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение уже закрыто или в работе", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Статья не из предложенных", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/accept-suggestion")]
pub async fn accept_suggestion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<AcceptSuggestion>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::AcceptSuggestion)?;
    let id = id.into_inner();
    let article_id = body.into_inner().article_id;
    let appeal = state
        .db
        .write(move |conn| lifecycle::accept_suggestion(conn, &caller, &id, &article_id))
        .await?;
    Ok(web::Json(appeal))
}

/// «Помогло» on the bot's answer: recorded as a click (not a rating) and the appeal
/// closes; the teacher may still rate the answer with stars (optional).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/helpful", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Отмечено «Помогло»", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Не ответ из базы или уже отмечено (`not_helpful_target`)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/helpful")]
pub async fn mark_helpful(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::MarkHelpful)?;
    let id = id.into_inner();
    let appeal = state
        .db
        .write(move |conn| feedback::mark_helpful(conn, &caller, &id))
        .await?;
    Ok(web::Json(appeal))
}
