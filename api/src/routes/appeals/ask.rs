//! `POST /appeals`: a teacher asks a question.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use shared::appeals::{Appeal, Channel, CreateAppeal, QuestionText};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::create::{self, NewAppeal};
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Asks a question. With a confident knowledge-base match the answer is in the response at
/// once (`answered_by_bot`); otherwise the appeal goes to the region's operators (`new`)
/// with a deadline of 5 working days and up to three suggestions.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])), request_body = CreateAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом и телом вернёт то же обращение")),
    responses(
        (status = 201, description = "Обращение создано", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Не учитель или не подтверждён (`teacher_not_verified`)", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Ошибка в тексте, нет региона, ключ использован с другим телом или сообщение — только благодарность или приветствие, а не вопрос (`not_a_question`: обращение не создаётся)", body = shared::Problem, content_type = problems!()),
        (status = 429, description = "Слишком много вопросов за час (см. Retry-After)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals")]
pub async fn create_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateAppeal>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateAppeal)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_appeal", &body);
    let text = QuestionText::parse(&body.text)
        .map_err(|(code, message)| ApiError::field("text", code, message))?;
    // Ranking is CPU work: do it before taking the write turn.
    let decision = state.kb.engine().decide(text.as_str(), 5);
    let calendars = std::sync::Arc::clone(&state.calendars);
    let per_hour = state.config.appeals_per_hour;
    let input = NewAppeal {
        teacher_id: caller.user_id.clone(),
        text,
        anonymous: body.anonymous,
        channel: Channel::MiniApp,
    };
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| create::ask(conn, &calendars, &decision, &input, per_hour),
            )
        })
        .await?;
    Ok(answer.into_response())
}
