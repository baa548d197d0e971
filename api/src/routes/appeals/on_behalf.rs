//! `POST /appeals/on-behalf`: an operator's quick appeal (a call or a letter) or an
//! integrator's forwarded question, registered for a teacher or a person without an account.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use shared::appeals::{Appeal, CreateAppealOnBehalf, QuestionText};

use crate::auth::policy::Action;
use crate::auth::{AuthMethod, Caller};
use crate::domain::appeals::on_behalf;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Регистрирует обращение от имени педагога региона (по `teacher_id`, а оператор — и по
/// `teacher_email`) или заявителя без учётной записи (`person`: имя, телефон или почта,
/// регион). Оператор указывает канал `phone` или `email`, ключ API — `api` (нужно право
/// `appeals:create` и заголовок `Idempotency-Key`). Основание хранения имени и контакта
/// (`consent`) записывается с обращением. Дальше — как вопрос самого педагога: тот же
/// подбор ответа, тот же срок; педагог видит обращение в «Мои вопросы». Имя и контакт
/// заявителя без учётной записи удаляются через 30 дней после закрытия обращения.
#[utoipa::path(post, path = "/api/v1/appeals/on-behalf", tag = "appeals", security(("bearer" = [])), request_body = CreateAppealOnBehalf,
    params(("Idempotency-Key" = Option<String>, Header, description = "Обязателен для ключа API; повтор с тем же ключом и телом вернёт то же обращение")),
    responses(
        (status = 201, description = "Обращение зарегистрировано", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Не оператор и не ключ с правом `appeals:create`, или регион заявителя вне ваших (`region_out_of_scope`)", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Педагог не найден среди педагогов ваших регионов", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Ошибка в тексте, канале, согласии или данных заявителя, нет заголовка Idempotency-Key у ключа API, ключ использован с другим телом, или сообщение — не вопрос (`not_a_question`)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/on-behalf")]
pub async fn create_appeal_on_behalf(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateAppealOnBehalf>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateAppealOnBehalf)?;
    if caller.method == AuthMethod::ApiKey && key.0.is_none() {
        return Err(ApiError::field(
            "Idempotency-Key",
            "required",
            "Ключ API передаёт заголовок Idempotency-Key: повтор запроса с тем же ключом не создаст второе обращение.",
        ));
    }
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_appeal_on_behalf", &body);
    let text = QuestionText::parse(&body.text)
        .map_err(|(code, message)| ApiError::field("text", code, message))?;
    // Ranking is CPU work: do it before taking the write turn.
    let decision = state.kb.engine().decide(text.as_str(), 5);
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
                |conn| on_behalf::register(conn, &calendars, &decision, &caller, &body, text),
            )
        })
        .await?;
    Ok(answer.into_response())
}
