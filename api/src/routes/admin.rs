//! Administration: users and roles, teacher verification, integrator API keys, audit log.
//! Administrators manage everyone; a regional head manages the operators of own regions;
//! operators confirm teachers of own regions (the rule: [`crate::domain::users::scope`]).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use shared::users::{
    ApiKeyInfo, AuditEntry, CreateApiKeyRequest, CreateUserRequest, CreatedApiKey, CreatedUser,
    InvitationQueued, UpdateUserRequest, UserSummary, VerificationCounts, VerificationDecision,
};
use shared::Page;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::pagination::PageQuery;
use crate::domain::users::api_keys::{self, NewApiKey};
use crate::domain::users::audit_log::AuditFilter;
use crate::domain::users::staff::{self, NewStaff, UserFilter, UserQuery};
use crate::domain::users::verification::{self, CheckedDecision};
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Users the caller may manage, newest first. Administrators: everyone; regional heads:
/// operators of own regions; operators: teachers of own regions (the verification queue —
/// add `verification=pending`) or, with `role=operator`, their colleagues of own regions.
/// With `level`, only teachers of that education level.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(UserFilter, PageQuery),
    responses(
        (status = 200, description = "Страница пользователей", body = Page<UserSummary>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав или регион вне зоны ответственности", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/admin/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UserFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    caller.may(Action::ListUsers)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let query = UserQuery::new(&caller, filter.into_inner())?;
    let page = state
        .db
        .read(move |conn| staff::list_users(conn, query, limit, cursor))
        .await?;
    Ok(web::Json(page))
}

/// Creates a staff user with a one-time password (shown once); at first sign-in the user
/// enrols a TOTP second factor. Unless `invite` is `false`, an invitation letter with a
/// first-sign-in link (valid `INVITE_TTL_HOURS`, single use) also goes to the e-mail. A
/// regional head may create operators of own regions only.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = CreateUserRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Сотрудник создан", body = CreatedUser),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail уже занят", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/admin/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateUser)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_user", &body);
    let new = NewStaff::new(&caller, body)?;
    let valid_hours = state.config.invite_ttl_hours;
    let sealer = idempotency::Sealer::from_secret(state.config.jwt_secret.expose());
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once_sealed(
                conn,
                &sealer,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| staff::create_user(conn, &caller, &new, valid_hours),
            )
        })
        .await?;
    crate::jobs::wake();
    Ok(answer.into_response())
}

/// Sends a staff member a fresh invitation letter with a first-sign-in link; the link of an
/// earlier letter stops working. Same scope as `PATCH /api/v1/admin/users/{id}`: a regional
/// head only for operators of own regions (others answer 404). Only for staff who have not
/// yet enrolled the second factor; blocked users, teachers and integrators answer 409.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/invite", tag = "admin", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Сотрудник"),
        ("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ"),
    ),
    responses(
        (status = 202, description = "Письмо с новой ссылкой поставлено в очередь", body = InvitationQueued),
        (status = 401, description = "Нет входа", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого пользователя в вашей зоне", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Пригласить нельзя: заблокирован, не сотрудник, нет e-mail или уже вошёл со вторым фактором", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/admin/users/{id}/invite")]
pub async fn invite_user(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::InviteUser)?;
    let id = id.into_inner();
    let fingerprint = idempotency::fingerprint("invite_user", &id);
    let valid_hours = state.config.invite_ttl_hours;
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::ACCEPTED,
                |conn| staff::invite_user(conn, &caller, &id, valid_hours),
            )
        })
        .await?;
    crate::jobs::wake();
    Ok(answer.into_response())
}

/// Changes role, regions or blocking. A regional head may change the regions (within own)
/// and blocking of own operators; nobody may change or block themselves.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    request_body = UpdateUserRequest,
    params(("id" = String, Path, description = "Пользователь")),
    responses(
        (status = 200, description = "Изменённый пользователь", body = UserSummary),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого пользователя в вашей зоне", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/admin/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<UpdateUserRequest>,
) -> Result<web::Json<UserSummary>, ApiError> {
    caller.may(Action::UpdateUser)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let summary = state
        .db
        .write(move |conn| staff::update_user(conn, &caller, &id, &body))
        .await?;
    Ok(web::Json(summary))
}

/// How many verification requests wait for a decision in the caller's regions (every
/// region for administrators), in all and by the teacher's education level (none given
/// counts as `school`). The list itself: `GET /api/v1/admin/users?verification=pending`,
/// narrowed by `level`.
#[utoipa::path(get, path = "/api/v1/admin/verification/counts", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Заявки, ожидающие решения, по уровням образования", body = VerificationCounts),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/admin/verification/counts")]
pub async fn verification_counts(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<VerificationCounts>, ApiError> {
    caller.may(Action::VerificationCounts)?;
    let counts = state
        .db
        .read(move |conn| verification::waiting_counts(conn, &caller))
        .await?;
    Ok(web::Json(counts))
}

/// Confirms or rejects a teacher's verification. Operators decide for teachers of own
/// regions (source `organisation`), administrators for anyone (source `admin`).
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/verification", tag = "admin", security(("bearer" = [])),
    request_body = VerificationDecision,
    params(("id" = String, Path, description = "Учитель")),
    responses(
        (status = 200, description = "Решение записано", body = UserSummary),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого учителя в вашей зоне", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Нет заявки на подтверждение", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Нужна причина отказа", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/admin/users/{id}/verification")]
pub async fn decide_verification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<VerificationDecision>,
) -> Result<web::Json<UserSummary>, ApiError> {
    caller.may(Action::DecideVerification)?;
    let id = id.into_inner();
    let decision = CheckedDecision::new(&body)?;
    let summary = state
        .db
        .write(move |conn| verification::decide_verification(conn, &caller, &id, &decision))
        .await?;
    Ok(web::Json(summary))
}

/// Integrator API keys, newest first (the keys themselves are never shown again).
#[utoipa::path(get, path = "/api/v1/admin/api-keys", tag = "admin", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Страница ключей", body = Page<ApiKeyInfo>),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/admin/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<ApiKeyInfo>>, ApiError> {
    caller.may(Action::ListApiKeys)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| api_keys::list_api_keys(conn, limit, cursor))
        .await?;
    Ok(web::Json(page))
}

/// Creates an integrator service account with a key for the given regions. The key is in
/// this answer only; it is stored as a hash.
#[utoipa::path(post, path = "/api/v1/admin/api-keys", tag = "admin", security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Ключ создан (показывается один раз)", body = CreatedApiKey),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/admin/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateApiKey)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_api_key", &body);
    let new = NewApiKey::new(&body)?;
    let sealer = idempotency::Sealer::from_secret(state.config.jwt_secret.expose());
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once_sealed(
                conn,
                &sealer,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| api_keys::create_api_key(conn, &caller, &new),
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Revokes a key at once; requests with it answer 401 from then on.
#[utoipa::path(delete, path = "/api/v1/admin/api-keys/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ключ")),
    responses(
        (status = 204, description = "Ключ отозван"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого ключа", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/admin/api-keys/{id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::RevokeApiKey)?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| api_keys::revoke_api_key(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditFilter, PageQuery),
    responses(
        (status = 200, description = "Страница журнала", body = Page<AuditEntry>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор и федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/admin/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AuditFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    caller.may(Action::ListAudit)?;
    let filter = filter.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| crate::domain::users::audit_log::list_audit(conn, filter, limit, cursor))
        .await?;
    Ok(web::Json(page))
}

/// «Сбросить второй фактор» of a staff member who lost the phone and the recovery codes:
/// the authenticator and the codes are forgotten, every session of theirs ends at once, and
/// at the next sign-in the password alone leads to a new enrolment. Audit-logged
/// (`user.totp.reset`); nobody resets their own.
#[utoipa::path(post, path = "/api/v1/users/{id}/totp/reset", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Сотрудник")),
    responses(
        (status = 204, description = "Второй фактор сброшен"),
        (status = 401, description = "Нет входа", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого пользователя", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Свой второй фактор или не сотрудник", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/users/{id}/totp/reset")]
pub async fn reset_totp(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ResetTotp)?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| crate::domain::users::recovery::reset_totp(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
