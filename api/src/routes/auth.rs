//! Sign-in and tokens: MAX launch data, staff password + TOTP, the first sign-in through an
//! invitation link, the dev-only demo sign-in, refresh with rotation, logout.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use shared::users::{
    AcceptInvitation, DevLoginRequest, LoginRequest, MaxAuthRequest, RefreshRequest, Role,
    TokenPair, TotpEnrollRequest, TotpEnrollment,
};

use crate::auth::launch_data::{self, Freshness, LaunchData};
use crate::auth::{secrets, session, throttle, AuthMethod, Caller};
use crate::db::{
    self, audit,
    models::{NewUser, UserRow},
    schema::users,
};
use crate::error::ApiError;
use crate::invitations;
use crate::routes::validate;
use crate::state::AppState;

/// The one text for every failed staff sign-in: it never says which part was wrong.
const BAD_CREDENTIALS: &str = "Неверный e-mail, пароль или код подтверждения.";

fn bad_credentials() -> ApiError {
    ApiError::AuthFailed {
        code: "invalid_credentials",
        detail: BAD_CREDENTIALS.to_owned(),
    }
}

/// Validates launch data with the configured bot token and freshness window.
///
/// # Errors
/// `invalid_init_data` (401) for any defect; the reason goes to the log only.
pub fn check_launch_data(state: &AppState, raw: &str) -> Result<LaunchData, ApiError> {
    let freshness = Freshness {
        now: Utc::now(),
        max_age_secs: state.config.init_data_max_age_secs,
        max_skew_secs: state.config.init_data_max_skew_secs,
    };
    launch_data::validate(raw, state.config.max_bot_token.expose(), Some(freshness)).map_err(|e| {
        tracing::info!(reason = %e, "launch data refused");
        ApiError::AuthFailed {
            code: "invalid_init_data",
            detail:
                "Не удалось подтвердить вход через MAX. Закройте и снова откройте мини-приложение."
                    .to_owned(),
        }
    })
}

/// Sign in from inside MAX with the launch data. A first sign-in creates an unverified
/// teacher; later ones find the user by MAX user id.
#[utoipa::path(post, path = "/api/v1/auth/max", tag = "auth", request_body = MaxAuthRequest,
    responses(
        (status = 200, description = "Пара токенов", body = TokenPair),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Данные запуска не прошли проверку (`invalid_init_data`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/max")]
pub async fn auth_max(
    state: web::Data<AppState>,
    body: web::Json<MaxAuthRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let data = check_launch_data(&state, &body.init_data)?;
    let issuer = state.issuer.clone();
    let pair = state
        .db
        .write(move |conn| {
            {
                let max_id = data.user.id;
                let existing: Option<UserRow> = users::table
                    .filter(users::max_user_id.eq(max_id))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?;
                let user = match existing {
                    Some(user) if user.is_blocked => return Err(ApiError::Forbidden),
                    Some(user) => user,
                    None => {
                        let mut new = NewUser::with_role(Role::Teacher);
                        new.max_user_id = Some(max_id);
                        // MAX's names are a starting point the teacher confirms in the profile.
                        new.name = data
                            .user
                            .first_name
                            .clone()
                            .filter(|s| !s.trim().is_empty());
                        new.surname = data.user.last_name.clone().filter(|s| !s.trim().is_empty());
                        diesel::insert_into(users::table)
                            .values(&new)
                            .execute(conn)?;
                        users::table
                            .find(&new.id)
                            .select(UserRow::as_select())
                            .first(conn)?
                    }
                };
                issuer.issue(conn, &user, AuthMethod::Max, None)
            }
        })
        .await?;
    Ok(web::Json(pair))
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; reusing one
/// revokes the whole sign-in.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "Новая пара токенов", body = TokenPair),
        (status = 401, description = "Токен неизвестен, истёк, отозван или уже использован", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let issuer = state.issuer.clone();
    let token = body.into_inner().refresh_token;
    let pair = state
        .db
        .write(move |conn| issuer.rotate(conn, &token))
        .await?
        .ok_or(ApiError::Unauthorized)?;
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
    let body = body.into_inner();
    if body.role == Role::Integrator {
        return Err(ApiError::field(
            "role",
            "unsupported",
            "Для интегратора создайте API-ключ.",
        ));
    }
    let region = match body.region.as_deref() {
        Some(raw) => Some(
            shared::RegionCode::parse(raw)
                .map_err(|m| ApiError::field("region", "invalid", m))?
                .to_string(),
        ),
        None if body.role == Role::Federal || body.role == Role::Admin => None,
        None => Some("77".to_owned()),
    };
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Демо");
    if name.chars().count() > 100 {
        return Err(ApiError::field(
            "name",
            "too_long",
            "Имя не длиннее 100 символов.",
        ));
    }
    let name = name.to_owned();
    let verified = body.verified.unwrap_or(true);
    let key = format!(
        "{}:{}:{}",
        body.role.as_str(),
        region.as_deref().unwrap_or("-"),
        name
    );
    let issuer = state.issuer.clone();
    let role = body.role;
    let pair = state
        .db
        .write(move |conn| {
            {
                if let Some(code) = &region {
                    let exists: i64 = crate::db::schema::regions::table
                        .filter(crate::db::schema::regions::code.eq(code))
                        .count()
                        .get_result(conn)?;
                    if exists == 0 {
                        return Err(ApiError::field("region", "unknown", "Такого региона нет."));
                    }
                }
                let existing: Option<UserRow> = users::table
                    .filter(users::dev_key.eq(&key))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?;
                let user = if let Some(user) = existing {
                    if role == Role::Teacher {
                        let status = if verified { "verified" } else { "unverified" };
                        diesel::update(users::table.find(&user.id))
                            .set(users::verification_status.eq(status))
                            .execute(conn)?;
                    }
                    users::table
                        .find(&user.id)
                        .select(UserRow::as_select())
                        .first(conn)?
                } else {
                    let mut new = NewUser::with_role(role);
                    new.dev_key = Some(key.clone());
                    let mut parts = name.split_whitespace();
                    let first = parts.next().map(str::to_owned);
                    let second = parts.next().map(str::to_owned);
                    // "Фамилия Имя" or a single word used as the name.
                    if second.is_some() {
                        new.surname = first;
                        new.name = second;
                        new.patronymic = parts.next().map(str::to_owned);
                    } else {
                        new.name = first;
                    }
                    if role == Role::Teacher {
                        new.region_code = region.clone();
                        if verified {
                            new.verification_status = "verified".to_owned();
                            new.verification_source = Some("admin".to_owned());
                            new.verified_at = Some(db::now());
                        }
                    }
                    diesel::insert_into(users::table)
                        .values(&new)
                        .execute(conn)?;
                    if role.has_regions() {
                        db::set_user_regions(conn, &new.id, region.as_slice())?;
                    }
                    users::table
                        .find(&new.id)
                        .select(UserRow::as_select())
                        .first(conn)?
                };
                issuer.issue(conn, &user, AuthMethod::Dev, None)
            }
        })
        .await?;
    Ok(web::Json(pair))
}

/// Staff sign-in outside MAX: e-mail, password (argon2id) and a TOTP code. After
/// `LOGIN_MAX_FAILURES` failures the account is locked for a growing time. Before TOTP is
/// enrolled, a password alone gives a token that may only finish enrolment.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Пара токенов", body = TokenPair),
        (status = 401, description = "Неверные данные входа (`invalid_credentials`)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Вход временно заблокирован после неудачных попыток", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let body = body.into_inner();
    let email = body.email.trim().to_lowercase();
    let max_failures = state.config.login_max_failures.max(1);
    let issuer = state.issuer.clone();
    // Hashing happens outside the database closure's transaction but on the blocking pool.
    let pair = state
        .db
        .write(move |conn| {
            let user: Option<UserRow> = users::table
                .filter(users::email.eq(&email))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?;
            let Some(user) = user else {
                // Spend the same time as a real check so timing does not reveal the e-mail.
                let _ = secrets::verify_password(&body.password, DUMMY_HASH);
                return Ok(Err(bad_credentials()));
            };
            let now = db::now();
            if let Some(until) = user.locked_until.filter(|u| *u > now) {
                let retry_after = u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1);
                return Ok(Err(ApiError::RateLimited { retry_after }));
            }
            let role = user.role().filter(|r| r.is_staff());
            let password_ok = user
                .password_hash
                .as_deref()
                .is_some_and(|h| secrets::verify_password(&body.password, h));
            let unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
            let totp_ok = if user.totp_enabled {
                match (user.totp_secret.as_deref(), body.totp_code.as_deref()) {
                    (Some(secret), Some(code)) => secrets::verify_totp(secret, code, unix),
                    _ => false,
                }
            } else {
                true
            };
            if role.is_none()
                || !password_ok
                || !totp_ok
                || user.is_blocked
                || user.erased_at.is_some()
            {
                let failures = user.failed_logins + 1;
                let locked_until = (failures >= max_failures).then(|| {
                    // 1, 2, 4 … minutes, at most an hour.
                    let exponent = u32::try_from(failures - max_failures).unwrap_or(0).min(6);
                    now + chrono::Duration::minutes(i64::from(2_u32.pow(exponent)).min(60))
                });
                diesel::update(users::table.find(&user.id))
                    .set((
                        users::failed_logins.eq(failures),
                        users::locked_until.eq(locked_until),
                    ))
                    .execute(conn)?;
                // The failure count must be committed: report the refusal as a value.
                return Ok(Err(bad_credentials()));
            }
            diesel::update(users::table.find(&user.id))
                .set((
                    users::failed_logins.eq(0),
                    users::locked_until.eq(None::<chrono::NaiveDateTime>),
                ))
                .execute(conn)?;
            let method = if user.totp_enabled {
                AuthMethod::PasswordTotp
            } else {
                AuthMethod::Password
            };
            audit::record(
                conn,
                &audit::Actor {
                    id: Some(user.id.clone()),
                    role: Some(user.role.clone()),
                },
                "auth.login",
                "user",
                Some(&user.id),
                None,
                None,
            )?;
            issuer.issue(conn, &user, method, None).map(Ok)
        })
        .await??;
    Ok(web::Json(pair))
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
    let key = throttle::key("invite", &client);
    let max_failures = state.config.login_max_failures;
    // The link first (a refusal is counted, and that count must be committed).
    let probe = token.clone();
    state
        .db
        .write(move |conn| {
            let now = db::now();
            throttle::check(conn, &key, now)?;
            match invitations::find(conn, &probe, now) {
                Ok(_) => Ok(Ok(())),
                Err(refused @ ApiError::Gone { .. }) => {
                    throttle::fail(conn, &key, now, max_failures)?;
                    Ok(Err(refused))
                }
                Err(other) => Err(other),
            }
        })
        .await??;
    validate::new_password("password", &password)?;
    // Argon2 takes its time: off the async workers and outside the write transaction.
    let hash = web::block(move || secrets::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let issuer = state.issuer.clone();
    let pair = state
        .db
        .write(move |conn| {
            let now = db::now();
            let user = invitations::accept(conn, &token, now)?;
            diesel::update(users::table.find(&user.id))
                .set((
                    users::password_hash.eq(Some(&hash)),
                    users::must_change_password.eq(false),
                    users::failed_logins.eq(0),
                    users::locked_until.eq(None::<chrono::NaiveDateTime>),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            // Sessions signed in with the one-time password end with it.
            session::revoke_user(conn, &user.id)?;
            audit::record(
                conn,
                &audit::Actor {
                    id: Some(user.id.clone()),
                    role: Some(user.role.clone()),
                },
                "user.invite.accept",
                "user",
                Some(&user.id),
                None,
                None,
            )?;
            let user: UserRow = users::table
                .find(&user.id)
                .select(UserRow::as_select())
                .first(conn)?;
            issuer.issue(conn, &user, AuthMethod::Password, None)
        })
        .await?;
    Ok(web::Json(pair))
}

/// A valid argon2id hash of a random string, checked when the e-mail is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8R8HqbHcmv2Ps/4hlmQmpa6B6GvGPHkmh9gdsqqHmyo";

/// Staff second factor: without `code` returns an `otpauth://` URI for a new secret; with a
/// valid `code` turns the factor on. Sign in again afterwards to get a full token.
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
    if !caller.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    let code = body.into_inner().code;
    let enrollment = state
        .db
        .write(move |conn| {
            let user: UserRow = users::table
                .find(&caller.user_id)
                .select(UserRow::as_select())
                .first(conn)?;
            if user.totp_enabled {
                return Ok(TotpEnrollment {
                    otpauth_uri: None,
                    enabled: true,
                });
            }
            if user.must_change_password {
                return Err(ApiError::Denied {
                    code: "password_change_required",
                    detail: "Сначала замените одноразовый пароль своим.".to_owned(),
                });
            }
            let account = user.email.clone().unwrap_or_else(|| user.id.clone());
            match (code, user.totp_secret) {
                (Some(code), Some(secret)) => {
                    let unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
                    if !secrets::verify_totp(&secret, &code, unix) {
                        return Err(ApiError::field(
                            "code",
                            "invalid",
                            "Код не подошёл. Проверьте время на телефоне и введите новый код.",
                        ));
                    }
                    diesel::update(users::table.find(&user.id))
                        .set(users::totp_enabled.eq(true))
                        .execute(conn)?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "user.totp.enable",
                        "user",
                        Some(&user.id),
                        None,
                        None,
                    )?;
                    Ok(TotpEnrollment {
                        otpauth_uri: None,
                        enabled: true,
                    })
                }
                (Some(_), None) => Err(ApiError::field(
                    "code",
                    "not_started",
                    "Сначала получите ключ для приложения-аутентификатора.",
                )),
                (None, _) => {
                    let secret = secrets::new_totp_secret();
                    diesel::update(users::table.find(&user.id))
                        .set(users::totp_secret.eq(&secret))
                        .execute(conn)?;
                    let uri = secrets::totp_uri(&secret, &account)
                        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("otpauth uri")))?;
                    Ok(TotpEnrollment {
                        otpauth_uri: Some(uri),
                        enabled: false,
                    })
                }
            }
        })
        .await?;
    Ok(web::Json(enrollment))
}
