//! Sign-in and tokens: MAX launch data, staff password + TOTP (or a recovery code), the
//! first sign-in through an invitation link, «Забыли пароль?», the dev-only demo sign-in,
//! refresh with rotation, logout.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use shared::users::{
    AcceptInvitation, DevLoginRequest, LoginRequest, MaxAuthRequest, PasswordResetRequest,
    RecoveryCodes, RecoveryCodesRequest, RefreshRequest, TokenPair, TotpEnrollRequest,
    TotpEnrollment,
};
use shared::FieldError;

use crate::auth::launch_data::check_launch_data;
use crate::auth::policy::Action;
use crate::auth::{session, Caller};
use crate::domain::users::login::{self as limited, ClientLimit, LoginOutcome, LoginRule};
use crate::domain::users::sign_in::{self, DevUser};
use crate::domain::users::{password_reset as reset, recovery};
use crate::error::ApiError;
use crate::state::AppState;

/// Sign in from inside MAX with the launch data. A first sign-in creates an unverified
/// teacher; later ones find the user by MAX user id.
#[utoipa::path(post, path = "/api/v1/auth/max", tag = "auth", request_body = MaxAuthRequest,
    responses(
        (status = 200, description = "Пара токенов", body = TokenPair),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Данные запуска не прошли проверку (`invalid_init_data`)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Слишком много отклонённых попыток входа с этого адреса (`rate_limited`, заголовок `Retry-After`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/max")]
pub async fn auth_max(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<MaxAuthRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let data = check_launch_data(&state.config, &body.init_data);
    let limit = client_limit(&state, &req, "max");
    let pair = limited::sign_in_max(&state.db, state.issuer.clone(), limit, data).await?;
    Ok(web::Json(pair))
}

/// The per-client limit of refused steps of this kind for the request's client (the TCP
/// peer, or the client a trusted reverse proxy names).
fn client_limit(state: &AppState, req: &HttpRequest, step: &str) -> ClientLimit {
    let client = crate::net::client_ip(req, &state.config.trusted_proxies);
    ClientLimit::new(step, &client, state.config.auth_client_max_failures)
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; reusing one
/// revokes the whole sign-in.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "Новая пара токенов", body = TokenPair),
        (status = 401, description = "Токен неизвестен, истёк, отозван или уже использован", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Слишком много отклонённых токенов с этого адреса (`rate_limited`, заголовок `Retry-After`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let token = body.into_inner().refresh_token;
    let limit = client_limit(&state, &req, "refresh");
    let pair = limited::refresh(&state.db, state.issuer.clone(), limit, token).await?;
    Ok(web::Json(pair))
}

/// Ends the sign-in the refresh token belongs to (every token of it is revoked).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Выход выполнен")))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    state
        .db
        .write(move |conn| session::logout(conn, &token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// **Dev only** (`APP_ENV=dev`; 404 otherwise): a token pair for a demo user keyed on role,
/// region and name — the same name gives the same user, another name another user.
#[utoipa::path(post, path = "/api/v1/auth/dev-login", tag = "auth", request_body = DevLoginRequest,
    responses(
        (status = 200, description = "Пара токенов демо-пользователя", body = TokenPair),
        (status = 404, description = "Не в режиме разработки", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные данные", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/dev-login")]
pub async fn dev_login(
    state: web::Data<AppState>,
    body: web::Json<DevLoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    if !state.config.is_dev() {
        return Err(ApiError::RouteNotFound);
    }
    let dev = DevUser::new(&body)?;
    let issuer = state.issuer.clone();
    let pair = state
        .db
        .write(move |conn| sign_in::dev_login(conn, &issuer, &dev))
        .await?;
    Ok(web::Json(pair))
}

/// Staff sign-in outside MAX: e-mail, password (argon2id) and a TOTP code, each code
/// accepted once; in place of the code, one of the one-time recovery codes (each works
/// once, its use is audit-logged). After `LOGIN_MAX_FAILURES` failures within
/// `LOGIN_FAILURE_WINDOW_SECS` the e-mail (known or not) is locked for a growing time.
/// Before TOTP is enrolled, a password alone gives a token that may only finish enrolment.
/// A right password without the code of an enrolled account answers the same 401 with a
/// field error on `totp_code` (`required`): the page then asks for the code.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Пара токенов", body = TokenPair),
        (status = 401, description = "Неверные данные входа (`invalid_credentials`); с ошибкой поля `totp_code` (`required`), когда пароль верен и нужен код", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Вход временно заблокирован после неудачных попыток или сервис проверяет слишком много паролей сразу (`rate_limited`, заголовок `Retry-After`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let limit = client_limit(&state, &req, "login");
    let outcome = limited::login(
        &state.db,
        state.issuer.clone(),
        &state.hash_gate,
        login_rule(&state),
        limit,
        body.into_inner(),
    )
    .await?;
    Ok(match outcome {
        LoginOutcome::Signed(pair) => HttpResponse::Ok().json(pair),
        LoginOutcome::CodeNeeded => code_needed(),
    })
}

/// The lock-out rule of the settings.
fn login_rule(state: &AppState) -> LoginRule {
    LoginRule {
        max_failures: state.config.login_max_failures.max(1),
        window: chrono::Duration::seconds(state.config.login_failure_window_secs.max(1)),
    }
}

/// The refusal of a sign-in without a code: the same code and text as every refusal, with
/// the field that is missing, so the page asks for it as a second step.
fn code_needed() -> HttpResponse {
    let mut problem = limited::bad_credentials().problem();
    problem.errors.push(FieldError {
        field: "totp_code".to_owned(),
        code: "required".to_owned(),
        message: "Введите код из приложения-аутентификатора или резервный код.".to_owned(),
    });
    HttpResponse::Unauthorized()
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
        .body(serde_json::to_string(&problem).unwrap_or_default())
}

/// «Забыли пароль?»: when the e-mail is an active staff member's, a letter with a link that
/// sets a new password (`…/#/invite/{token}`, the page of invitations; single use, valid an
/// hour; the newest link only). Setting it ends every session of that user; the second
/// factor stays. The answer is 202 whatever the address — unknown, blocked or held back —
/// so it tells nothing about accounts; letters are limited per address and per client.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "Запрос принят (письмо уходит, только если такой сотрудник есть)"),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/password-reset")]
pub async fn password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = crate::net::client_ip(&req, &state.config.trusted_proxies);
    if reset::request(&state.db, &client, &body.email).await? {
        crate::jobs::wake();
    }
    Ok(HttpResponse::Accepted().finish())
}

/// New one-time recovery codes for the caller (the earlier ones stop working), for the
/// password and a current code of the authenticator app; shown in this answer only. Wrong
/// attempts count as failed sign-ins of the e-mail.
#[utoipa::path(post, path = "/api/v1/auth/recovery-codes", tag = "auth", request_body = RecoveryCodesRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Новые коды (показываются один раз)", body = RecoveryCodes),
        (status = 401, description = "Нет входа", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только для сотрудников со вторым фактором", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Второй фактор не подключён (`totp_not_enabled`)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный пароль или код", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Вход временно заблокирован (`rate_limited`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/recovery-codes")]
pub async fn renew_recovery_codes(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RecoveryCodesRequest>,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    caller.may(Action::RenewRecoveryCodes)?;
    let rule = login_rule(&state);
    let codes =
        recovery::renew(&state.db, &state.hash_gate, rule, caller, body.into_inner()).await?;
    Ok(web::Json(codes))
}

/// First sign-in through the link of an invitation letter (`…/#/invite/{token}`): sets the
/// staff member's own password (the rule of `POST /api/v1/me/password`), ends the need to
/// replace the one-time password, uses the link up and answers the token pair a password
/// sign-in gives — the second factor is enrolled next. A link works once, within
/// `INVITE_TTL_HOURS` of its letter, and only while it is the newest one sent; every other
/// token answers 410 `invite_invalid`. After `LOGIN_MAX_FAILURES` such refusals a client
/// (by address) is refused for 1, 2, 4 … minutes (429).
#[utoipa::path(post, path = "/api/v1/auth/invite", tag = "auth", request_body = AcceptInvitation,
    responses(
        (status = 200, description = "Пароль задан; пара токенов, как после входа по паролю (дальше — подключение второго фактора)", body = TokenPair),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 410, description = "Ссылка не действует: неизвестна, уже использована, устарела или заменена новой (`invite_invalid`)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Пароль не подходит (от 10 до 200 символов)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Слишком много неудачных попыток с этого адреса", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/invite")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<AcceptInvitation>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let AcceptInvitation { token, password } = body.into_inner();
    // The TCP peer, or the client a trusted reverse proxy names (`TRUSTED_PROXIES`).
    let client = crate::net::client_ip(&req, &state.config.trusted_proxies);
    let pair = sign_in::accept_invitation(
        &state.db,
        state.issuer.clone(),
        &client,
        state.config.login_max_failures,
        token,
        password,
    )
    .await?;
    Ok(web::Json(pair))
}

/// Staff second factor: without `code` returns an `otpauth://` URI for a new secret and its
/// QR code (SVG); with a valid `code` turns the factor on and returns ten one-time recovery
/// codes (shown once). Sign in again afterwards to get a full token.
#[utoipa::path(post, path = "/api/v1/auth/totp/enroll", tag = "auth", request_body = TotpEnrollRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Состояние второго фактора", body = TotpEnrollment),
        (status = 403, description = "Только для сотрудников", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный код", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/totp/enroll")]
pub async fn totp_enroll(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<TotpEnrollRequest>,
) -> Result<web::Json<TotpEnrollment>, ApiError> {
    caller.may(Action::TotpEnroll)?;
    let code = body.into_inner().code;
    let enrollment = state
        .db
        .write(move |conn| sign_in::totp_enroll(conn, &caller, code))
        .await?;
    Ok(web::Json(enrollment))
}
