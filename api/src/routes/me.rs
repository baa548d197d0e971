//! The signed-in user's own profile: read, update, erase (152-ФЗ), request verification,
//! link a MAX account to a staff member.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use shared::users::{
    ChangePassword, Me, NotifySettings, Role, UpdateMe, VerificationRequest, VerificationStatus,
};

use crate::auth::{secrets, session, Caller};
use crate::db::{
    self, audit,
    models::UserRow,
    schema::{appeals, regions, users},
    AnyConnection,
};
use crate::error::ApiError;
use crate::routes::validate;
use crate::state::AppState;

/// The `Me` shape of a user row.
///
/// # Errors
/// A database failure reading the regions.
pub fn me_of(conn: &mut AnyConnection, row: &UserRow) -> Result<Me, ApiError> {
    let role = row
        .role()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown role")))?;
    let regions = if role.has_regions() {
        db::user_regions(conn, &row.id)?
    } else {
        Vec::new()
    };
    Ok(Me {
        id: row.id.clone(),
        role,
        regions,
        surname: row.surname.clone(),
        name: row.name.clone(),
        patronymic: row.patronymic.clone(),
        full_name: row.full_name(),
        region: row.region_code.clone(),
        school: row.school.clone(),
        position: row.position.clone(),
        email: row.email.clone(),
        verification: row.verification(),
        notify: NotifySettings {
            new_appeal_email: row.notify_new_appeal_email,
            daily_digest_email: row.notify_daily_digest_email,
        },
        consent_version: row.consent_version.clone(),
        max_linked: row.max_user_id.is_some(),
        totp_enabled: row.totp_enabled,
        must_change_password: row.must_change_password,
    })
}

fn current_me(conn: &mut AnyConnection, id: &str) -> Result<Me, ApiError> {
    let row = load(conn, id)?;
    me_of(conn, &row)
}

fn load(conn: &mut AnyConnection, id: &str) -> Result<UserRow, ApiError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .map_err(ApiError::from)
}

fn ensure_region_exists(conn: &mut AnyConnection, field: &str, code: &str) -> Result<(), ApiError> {
    let n: i64 = regions::table
        .filter(regions::code.eq(code))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(ApiError::field(
            field,
            "unknown",
            "Такого региона нет в справочнике.",
        ));
    }
    Ok(())
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Профиль", body = Me),
    ))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<web::Json<Me>, ApiError> {
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
    if caller.role == Role::Integrator {
        return Err(ApiError::Forbidden);
    }
    let body = body.into_inner();
    let surname = body
        .surname
        .as_deref()
        .map(|v| validate::name_part("surname", v, true))
        .transpose()?
        .flatten();
    let name = body
        .name
        .as_deref()
        .map(|v| validate::name_part("name", v, true))
        .transpose()?
        .flatten();
    let patronymic = body
        .patronymic
        .as_deref()
        .map(|v| validate::name_part("patronymic", v, false))
        .transpose()?;
    let school = body
        .school
        .as_deref()
        .map(|v| validate::text("school", v, 300, false))
        .transpose()?;
    let position = body
        .position
        .as_deref()
        .map(|v| validate::text("position", v, 100, false))
        .transpose()?;
    let region = body
        .region
        .as_deref()
        .map(|v| validate::region("region", v))
        .transpose()?;
    let email = match body.email.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(v) => Some(Some(validate::email("email", v)?)),
    };
    let consent = body
        .consent_version
        .as_deref()
        .map(|v| validate::text("consent_version", v, 20, true))
        .transpose()?
        .flatten();
    if caller.role.is_staff() && email.is_some() {
        return Err(ApiError::field(
            "email",
            "managed",
            "E-mail сотрудника меняет администратор: это имя для входа.",
        ));
    }
    let me = state
        .db
        .write(move |conn| {
            let row = load(conn, &caller.user_id)?;
            let name_locked = row.verification_source.as_deref() == Some("esia");
            if name_locked && (surname.is_some() || name.is_some() || patronymic.is_some()) {
                return Err(ApiError::field(
                    "surname",
                    "from_esia",
                    "ФИО подтверждено через Госуслуги и меняется только там.",
                ));
            }
            if let Some(code) = &region {
                ensure_region_exists(conn, "region", code)?;
            }
            let now = db::now();
            diesel::update(users::table.find(&row.id))
                .set((
                    users::surname.eq(surname.or(row.surname.clone())),
                    users::name.eq(name.or(row.name.clone())),
                    users::patronymic.eq(patronymic.unwrap_or(row.patronymic.clone())),
                    users::school.eq(school.unwrap_or(row.school.clone())),
                    users::position.eq(position.unwrap_or(row.position.clone())),
                    users::region_code.eq(region.or(row.region_code.clone())),
                    users::email.eq(email.unwrap_or(row.email.clone())),
                    users::notify_new_appeal_email.eq(body
                        .notify
                        .map_or(row.notify_new_appeal_email, |n| n.new_appeal_email)),
                    users::notify_daily_digest_email.eq(body
                        .notify
                        .map_or(row.notify_daily_digest_email, |n| n.daily_digest_email)),
                    users::consent_version.eq(consent.clone().or(row.consent_version.clone())),
                    users::consent_at.eq(if consent.is_some() {
                        Some(now)
                    } else {
                        row.consent_at
                    }),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            if consent.is_some() {
                audit::record(
                    conn,
                    &caller.actor(),
                    "user.consent",
                    "user",
                    Some(&row.id),
                    None,
                    Some(&serde_json::json!({ "consent_version": consent })),
                )?;
            }
            current_me(conn, &row.id)
        })
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
    if caller.role == Role::Integrator {
        return Err(ApiError::Forbidden);
    }
    state
        .db
        .write(move |conn| {
            let now = db::now();
            let none = None::<String>;
            diesel::update(users::table.find(&caller.user_id))
                .set((
                    users::surname.eq(&none),
                    users::name.eq(&none),
                    users::patronymic.eq(&none),
                    users::school.eq(&none),
                    users::position.eq(&none),
                    users::email.eq(&none),
                    users::max_user_id.eq(None::<i64>),
                    users::password_hash.eq(&none),
                    users::totp_secret.eq(&none),
                    users::totp_enabled.eq(false),
                    users::dev_key.eq(&none),
                    users::erased_at.eq(Some(now)),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::update(appeals::table.filter(appeals::teacher_id.eq(&caller.user_id)))
                .set(appeals::author_name.eq(&none))
                .execute(conn)?;
            session::revoke_user(conn, &caller.user_id)?;
            // Stored answers to the person's requests may repeat their name.
            crate::idempotency::forget_owner(conn, &caller.user_id)?;
            audit::record(
                conn,
                &caller.actor(),
                "user.erase",
                "user",
                Some(&caller.user_id),
                None,
                None,
            )?;
            Ok(())
        })
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
    let body = body.into_inner();
    let id = caller.user_id.clone();
    let stored: Option<String> = state
        .db
        .read(move |conn| {
            Ok(users::table
                .find(&id)
                .select(users::password_hash)
                .first::<Option<String>>(conn)?)
        })
        .await?;
    let Some(stored) = stored.filter(|_| caller.role.is_staff()) else {
        return Err(ApiError::Forbidden);
    };
    let (current, new) = (body.current_password, body.new_password);
    // Argon2 takes its time: off the async workers.
    let hash = web::block(move || -> Result<String, ApiError> {
        if !secrets::verify_password(&current, &stored) {
            return Err(ApiError::field(
                "current_password",
                "wrong_password",
                "Текущий пароль указан неверно.",
            ));
        }
        validate::new_password("new_password", &new)?;
        if new == current {
            return Err(ApiError::field(
                "new_password",
                "same_password",
                "Новый пароль должен отличаться от текущего.",
            ));
        }
        secrets::hash_password(&new).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))??;
    let me = state
        .db
        .write(move |conn| {
            let now = db::now();
            diesel::update(users::table.find(&caller.user_id))
                .set((
                    users::password_hash.eq(Some(&hash)),
                    users::must_change_password.eq(false),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            // The staff member has their own password now: an invitation link still in the
            // mailbox must not replace it.
            crate::invitations::revoke_open(conn, &caller.user_id, now)?;
            audit::record(
                conn,
                &caller.actor(),
                "user.password_change",
                "user",
                Some(&caller.user_id),
                None,
                None,
            )?;
            current_me(conn, &caller.user_id)
        })
        .await?;
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
    caller.require(&[Role::Teacher])?;
    let school = validate::text("school", &body.school, 300, true)?;
    let position = validate::text("position", &body.position, 100, true)?;
    let region = body
        .region
        .as_deref()
        .map(|v| validate::region("region", v))
        .transpose()?;
    let me = state
        .db
        .write(move |conn| {
            let row = load(conn, &caller.user_id)?;
            match VerificationStatus::parse(&row.verification_status) {
                VerificationStatus::Verified => {
                    return Err(ApiError::Conflict {
                        code: "already_verified",
                        detail: "Вы уже подтверждены.".to_owned(),
                    })
                }
                VerificationStatus::Pending => {
                    return Err(ApiError::Conflict {
                        code: "verification_pending",
                        detail: "Заявка уже отправлена и ждёт решения.".to_owned(),
                    })
                }
                VerificationStatus::Unverified | VerificationStatus::Rejected => {}
            }
            let region = region.or(row.region_code.clone()).ok_or_else(|| {
                ApiError::field(
                    "region",
                    "required",
                    "Укажите регион, в котором вы работаете.",
                )
            })?;
            ensure_region_exists(conn, "region", &region)?;
            if row.full_name().is_none() {
                return Err(ApiError::field(
                    "surname",
                    "required",
                    "Сначала заполните ФИО в профиле.",
                ));
            }
            diesel::update(users::table.find(&row.id))
                .set((
                    users::school.eq(&school),
                    users::position.eq(&position),
                    users::region_code.eq(&region),
                    users::verification_status.eq("pending"),
                    users::verification_note.eq(None::<String>),
                    users::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &caller.actor(),
                "user.verification.request",
                "user",
                Some(&row.id),
                None,
                Some(&serde_json::json!({ "region": region })),
            )?;
            current_me(conn, &row.id)
        })
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
    if !caller.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    let data = crate::routes::auth::check_launch_data(&state, &body.init_data)?;
    let me = state
        .db
        .write(move |conn| {
            let holder: Option<String> = users::table
                .filter(users::max_user_id.eq(data.user.id))
                .select(users::id)
                .first(conn)
                .optional()?;
            match holder {
                Some(id) if id == caller.user_id => {}
                Some(_) => {
                    return Err(ApiError::Conflict {
                        code: "max_already_linked",
                        detail: "Этот аккаунт MAX уже связан с другим пользователем.".to_owned(),
                    })
                }
                None => {
                    diesel::update(users::table.find(&caller.user_id))
                        .set(users::max_user_id.eq(data.user.id))
                        .execute(conn)?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "user.max_link",
                        "user",
                        Some(&caller.user_id),
                        None,
                        None,
                    )?;
                }
            }
            current_me(conn, &caller.user_id)
        })
        .await?;
    Ok(web::Json(me))
}
