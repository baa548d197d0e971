//! The signed-in user's own profile: read, update, erase (152-ФЗ), request verification,
//! link a MAX account to a staff member.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use shared::users::{ChangePassword, ConsentAnswer, Me, Onboarding, UpdateMe, VerificationRequest};

use crate::auth::launch_data::check_launch_data;
use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::users::current_me;
use crate::domain::users::onboarding;
use crate::domain::users::profile::{self, ProfileChange};
use crate::domain::users::verification::{self, CheckedRequest};
use crate::error::ApiError;
use crate::state::AppState;

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Профиль", body = Me),
    ))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<web::Json<Me>, ApiError> {
    caller.may(Action::GetMe)?;
    let me = state
        .db
        .read(move |conn| current_me(conn, &caller.user_id))
        .await?;
    Ok(web::Json(me))
}

/// Updates the profile. Absent fields stay; the name parts of a teacher verified through
/// ESIA come from ESIA and cannot be changed here. `consent_version` records consent to the
/// privacy notice of that version, with the time.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", security(("bearer" = [])), request_body = UpdateMe,
    responses(
        (status = 200, description = "Обновлённый профиль", body = Me),
        (status = 403, description = "Не для сервисных аккаунтов интеграторов", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<UpdateMe>,
) -> Result<web::Json<Me>, ApiError> {
    caller.may(Action::UpdateMe)?;
    let change = ProfileChange::new(&caller, &body)?;
    let me = state
        .db
        .write(move |conn| profile::update_me(conn, &caller, change))
        .await?;
    Ok(web::Json(me))
}

/// Erases the caller's personal data on request (152-ФЗ): name, school, position, contacts
/// and the MAX link are removed, every sign-in is ended, stored answers to the caller's
/// idempotent requests are forgotten; appeals stay for statistics without the name. Signing in again afterwards starts a new, empty profile.
#[utoipa::path(delete, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 204, description = "Персональные данные удалены"),
        (status = 403, description = "Не для сервисных аккаунтов интеграторов", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // A service account is not a person; revoke its key instead.
    caller.may(Action::EraseMe)?;
    state
        .db
        .write(move |conn| profile::erase_me(conn, &caller))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A staff member replaces their password (at first sign-in the one-time password an
/// administrator gave must be replaced before TOTP enrolment).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Пароль изменён", body = Me),
        (status = 403, description = "Только для сотрудников с паролем", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный текущий пароль или неподходящий новый", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ChangePassword>,
) -> Result<web::Json<Me>, ApiError> {
    caller.may(Action::ChangePassword)?;
    let me = profile::change_password(&state.db, caller, body.into_inner()).await?;
    Ok(web::Json(me))
}

/// A teacher asks to be verified, with school and position; an operator of the region or an
/// administrator decides.
#[utoipa::path(post, path = "/api/v1/me/verification", tag = "me", security(("bearer" = [])),
    request_body = VerificationRequest,
    responses(
        (status = 200, description = "Заявка принята, статус pending", body = Me),
        (status = 403, description = "Только для учителей", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Уже подтверждён или заявка ждёт решения", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/verification")]
pub async fn request_verification(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<VerificationRequest>,
) -> Result<web::Json<Me>, ApiError> {
    caller.may(Action::RequestVerification)?;
    let request = CheckedRequest::new(&body)?;
    let me = state
        .db
        .write(move |conn| verification::request_verification(conn, &caller, request))
        .await?;
    Ok(web::Json(me))
}

/// A staff member links their MAX account once, to work inside MAX as well.
#[utoipa::path(post, path = "/api/v1/me/max-link", tag = "me", security(("bearer" = [])),
    request_body = shared::users::MaxAuthRequest,
    responses(
        (status = 200, description = "Аккаунт MAX привязан", body = Me),
        (status = 401, description = "Нет входа или неверные данные запуска", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только для сотрудников", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Этот аккаунт MAX уже привязан", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/max-link")]
pub async fn link_max(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<shared::users::MaxAuthRequest>,
) -> Result<web::Json<Me>, ApiError> {
    caller.may(Action::LinkMax)?;
    let data = check_launch_data(&state.config, &body.init_data)?;
    let me = state
        .db
        .write(move |conn| profile::link_max(conn, &caller, data.user.id))
        .await?;
    Ok(web::Json(me))
}

/// What the teacher's screens still have to ask or tell: the current privacy notice's
/// version and whether it is answered, an unseen verification decision, the organisation's
/// education level and numbers.
#[utoipa::path(get, path = "/api/v1/me/onboarding", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Что ещё спросить или сообщить учителю", body = Onboarding),
        (status = 403, description = "Только для учителей", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/me/onboarding")]
pub async fn get_onboarding(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Onboarding>, ApiError> {
    caller.may(Action::GetOnboarding)?;
    let found = state
        .db
        .read(move |conn| onboarding::state(conn, &caller.user_id))
        .await?;
    Ok(web::Json(found))
}

/// The teacher accepts or declines the current privacy notice, which names every reader.
/// Until it is accepted, regional heads, federal supervisors and integrators see the
/// teacher's appeals without the name; declining keeps the service working that way. The
/// answer and its time are recorded.
#[utoipa::path(put, path = "/api/v1/me/consent", tag = "me", security(("bearer" = [])),
    request_body = ConsentAnswer,
    responses(
        (status = 200, description = "Ответ записан", body = Onboarding),
        (status = 403, description = "Только для учителей", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Не текущая редакция уведомления (`outdated`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[put("/me/consent")]
pub async fn answer_consent(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ConsentAnswer>,
) -> Result<web::Json<Onboarding>, ApiError> {
    caller.may(Action::AnswerConsent)?;
    let answer = body.into_inner();
    let found = state
        .db
        .write(move |conn| onboarding::answer_consent(conn, &caller, &answer))
        .await?;
    Ok(web::Json(found))
}

/// The teacher saw the decision on their verification (the banner closes).
#[utoipa::path(post, path = "/api/v1/me/verification/seen", tag = "me", security(("bearer" = [])),
    responses(
        (status = 204, description = "Отмечено"),
        (status = 403, description = "Только для учителей", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/verification/seen")]
pub async fn seen_verification_decision(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::SeenVerificationDecision)?;
    state
        .db
        .write(move |conn| onboarding::mark_decision_seen(conn, &caller))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
