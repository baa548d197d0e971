//! Administration: users and roles, teacher verification, integrator API keys, audit log.
//! Administrators manage everyone; a regional head manages the operators of own regions;
//! operators confirm teachers of own regions.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use shared::users::{
    ApiKeyInfo, AuditEntry, CreateApiKeyRequest, CreateUserRequest, CreatedApiKey, CreatedUser,
    Decision, InvitationQueued, Role, UpdateUserRequest, UserSummary, VerificationDecision,
    VerificationStatus,
};
use shared::Page;
use utoipa::IntoParams;

use crate::auth::{secrets, session, Caller, API_KEY_PREFIX};
use crate::db::{
    self, audit,
    models::{NewUser, UserRow},
    schema::{api_keys, audit_log, user_regions, users},
    AnyConnection,
};
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::invitations;
use crate::routes::pagination::{self, Cursor, PageQuery};
use crate::routes::validate;
use crate::state::AppState;

/// The summary of a user row.
///
/// # Errors
/// A database failure.
pub fn summary_of(conn: &mut AnyConnection, row: &UserRow) -> Result<UserSummary, ApiError> {
    let role = row
        .role()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown role")))?;
    Ok(UserSummary {
        id: row.id.clone(),
        role,
        regions: if role.has_regions() {
            db::user_regions(conn, &row.id)?
        } else {
            Vec::new()
        },
        full_name: row.full_name(),
        email: row.email.clone(),
        region: row.region_code.clone(),
        school: row.school.clone(),
        position: row.position.clone(),
        verification: row.verification(),
        is_blocked: row.is_blocked,
        created_at: db::rfc3339(row.created_at),
    })
}

/// Filters of the user list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only users of this region (operators' regions or a teacher's region).
    pub region: Option<String>,
    /// Only this verification status.
    pub verification: Option<VerificationStatus>,
    /// Only blocked (`true`) or active (`false`) users.
    pub blocked: Option<bool>,
    /// Text in the name or e-mail.
    pub q: Option<String>,
}

/// Users the caller may manage, newest first. Administrators: everyone; regional heads:
/// operators of own regions; operators: teachers of own regions (the verification queue —
/// add `verification=pending`) or, with `role=operator`, their colleagues of own regions.
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
    caller.require(&[Role::Admin, Role::RegionalHead, Role::Operator])?;
    let filter = filter.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let region = filter
        .region
        .as_deref()
        .map(|r| validate::region("region", r))
        .transpose()?;
    // Which users this caller may see at all.
    let (forced_role, allowed_regions) = match caller.role {
        Role::Admin => (None, None),
        Role::RegionalHead => (Some(Role::Operator), Some(caller.regions.clone())),
        // Asked for `role=operator`, an operator sees the colleagues of own regions (to hand
        // an appeal over); otherwise the teachers of own regions.
        _ if filter.role == Some(Role::Operator) => {
            (Some(Role::Operator), Some(caller.regions.clone()))
        }
        _ => (Some(Role::Teacher), Some(caller.regions.clone())),
    };
    if let (Some(code), Some(allowed)) = (&region, &allowed_regions) {
        if !allowed.contains(code) {
            return Err(ApiError::RegionOutOfScope);
        }
    }
    if let (Some(forced), Some(asked)) = (forced_role, filter.role) {
        if forced != asked {
            return Err(ApiError::Forbidden);
        }
    }
    let role = forced_role.or(filter.role);
    let page = state
        .db
        .read(move |conn| {
            let mut query = users::table.select(UserRow::as_select()).into_boxed();
            if let Some(role) = role {
                query = query.filter(users::role.eq(role.as_str()));
            }
            let regions: Option<Vec<String>> = region.map(|r| vec![r]).or(allowed_regions);
            if let Some(regions) = regions {
                let staff_in_region = user_regions::table
                    .filter(user_regions::region_code.eq_any(regions.clone()))
                    .select(user_regions::user_id);
                query = query.filter(
                    users::region_code
                        .eq_any(regions)
                        .or(users::id.eq_any(staff_in_region)),
                );
            }
            if let Some(v) = filter.verification {
                query = query.filter(users::verification_status.eq(v.as_str()));
            }
            if let Some(b) = filter.blocked {
                query = query.filter(users::is_blocked.eq(b));
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let pattern = format!("%{}%", q.replace(['%', '_'], ""));
                query = query.filter(
                    users::surname
                        .like(pattern.clone())
                        .or(users::name.like(pattern.clone()))
                        .or(users::email.like(pattern)),
                );
            }
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    users::created_at
                        .lt(at)
                        .or(users::created_at.eq(at).and(users::id.lt(id))),
                );
            }
            let rows: Vec<UserRow> = query
                .order((users::created_at.desc(), users::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.created_at,
                id: r.id.clone(),
            });
            let items = rows
                .iter()
                .map(|r| summary_of(conn, r))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

fn check_regions(conn: &mut AnyConnection, regions: &[String]) -> Result<Vec<String>, ApiError> {
    let mut codes = regions
        .iter()
        .map(|r| validate::region("regions", r))
        .collect::<Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    let known: i64 = crate::db::schema::regions::table
        .filter(crate::db::schema::regions::code.eq_any(&codes))
        .count()
        .get_result(conn)?;
    if usize::try_from(known).unwrap_or(0) != codes.len() {
        return Err(ApiError::field(
            "regions",
            "unknown",
            "В списке есть неизвестный регион.",
        ));
    }
    Ok(codes)
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
    caller.require(&[Role::Admin, Role::RegionalHead])?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_user", &body);
    if !body.role.is_staff() {
        return Err(ApiError::field(
            "role",
            "not_staff",
            "Учителя входят через MAX, интеграторы получают API-ключ.",
        ));
    }
    if caller.role == Role::RegionalHead && body.role != Role::Operator {
        return Err(ApiError::Forbidden);
    }
    let email = validate::email("email", &body.email)?;
    let surname = body
        .surname
        .as_deref()
        .map(|v| validate::name_part("surname", v, false))
        .transpose()?
        .flatten();
    let name = body
        .name
        .as_deref()
        .map(|v| validate::name_part("name", v, false))
        .transpose()?
        .flatten();
    let patronymic = body
        .patronymic
        .as_deref()
        .map(|v| validate::name_part("patronymic", v, false))
        .transpose()?
        .flatten();
    let password = secrets::random_token("");
    let hash = secrets::hash_password(&password)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let valid_hours = state.config.invite_ttl_hours;
    let sealer = idempotency::Sealer::from_secret(state.config.jwt_secret.expose());
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once_sealed(conn, &sealer, &caller.user_id, key.0.as_deref(), &fingerprint, StatusCode::CREATED, |conn| {
                let regions = check_regions(conn, &body.regions)?;
                if body.role.has_regions() && regions.is_empty() {
                    return Err(ApiError::field("regions", "required", "Укажите хотя бы один регион."));
                }
                if caller.role == Role::RegionalHead && !regions.iter().all(|r| caller.regions.contains(r)) {
                    return Err(ApiError::RegionOutOfScope);
                }
                let taken: i64 = users::table.filter(users::email.eq(&email)).count().get_result(conn)?;
                if taken > 0 {
                    return Err(ApiError::Conflict { code: "email_taken", detail: "Пользователь с таким e-mail уже есть.".to_owned() });
                }
                let mut new = NewUser::with_role(body.role);
                new.email = Some(email.clone());
                new.password_hash = Some(hash.clone());
                new.must_change_password = true;
                new.surname = surname.clone();
                new.name = name.clone();
                new.patronymic = patronymic.clone();
                diesel::insert_into(users::table).values(&new).execute(conn)?;
                if body.role.has_regions() {
                    db::set_user_regions(conn, &new.id, &regions)?;
                }
                audit::record(conn, &caller.actor(), "user.create", "user", Some(&new.id), None,
                    Some(&serde_json::json!({ "role": body.role, "regions": regions, "email": email, "invite": body.invite })))?;
                let row: UserRow = users::table.find(&new.id).select(UserRow::as_select()).first(conn)?;
                if body.invite {
                    invitations::invite(conn, &row, caller.role, &caller.user_id, valid_hours, db::now())?;
                }
                Ok(CreatedUser {
                    user: summary_of(conn, &row)?,
                    one_time_password: password.clone(),
                    invitation_sent: body.invite,
                })
            })
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
    caller.require(&[Role::Admin, Role::RegionalHead])?;
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
                |conn| {
                    let row: UserRow = users::table
                        .find(&id)
                        .select(UserRow::as_select())
                        .first(conn)?;
                    if caller.role == Role::RegionalHead {
                        let regions = db::user_regions(conn, &row.id)?;
                        let in_scope = row.role() == Some(Role::Operator)
                            && regions.iter().any(|r| caller.regions.contains(r));
                        if !in_scope {
                            return Err(ApiError::NotFound);
                        }
                    }
                    invitations::invite(
                        conn,
                        &row,
                        caller.role,
                        &caller.user_id,
                        valid_hours,
                        db::now(),
                    )?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "user.invite",
                        "user",
                        Some(&row.id),
                        None,
                        None,
                    )?;
                    Ok(InvitationQueued {
                        user_id: row.id.clone(),
                        email: row.email.clone().unwrap_or_default(),
                        valid_hours,
                    })
                },
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
    caller.require(&[Role::Admin, Role::RegionalHead])?;
    let id = id.into_inner();
    let body = body.into_inner();
    if id == caller.user_id {
        return Err(ApiError::Conflict {
            code: "self_change",
            detail: "Свою роль и блокировку меняет другой администратор.".to_owned(),
        });
    }
    let summary = state
        .db
        .write(move |conn| {
            let row: UserRow = users::table.find(&id).select(UserRow::as_select()).first(conn)?;
            let before = summary_of(conn, &row)?;
            if caller.role == Role::RegionalHead {
                let in_scope = before.role == Role::Operator && before.regions.iter().any(|r| caller.regions.contains(r));
                if !in_scope {
                    return Err(ApiError::NotFound);
                }
                if body.role.is_some_and(|r| r != Role::Operator) {
                    return Err(ApiError::Forbidden);
                }
            }
            let role = body.role.unwrap_or(before.role);
            if let Some(regions) = &body.regions {
                let regions = check_regions(conn, regions)?;
                if caller.role == Role::RegionalHead && !regions.iter().all(|r| caller.regions.contains(r)) {
                    return Err(ApiError::RegionOutOfScope);
                }
                db::set_user_regions(conn, &row.id, &regions)?;
            }
            if role.has_regions() && db::user_regions(conn, &row.id)?.is_empty() {
                return Err(ApiError::field("regions", "required", "Для этой роли нужен хотя бы один регион."));
            }
            if !role.has_regions() {
                db::set_user_regions(conn, &row.id, &[])?;
            }
            let blocked = body.is_blocked.unwrap_or(row.is_blocked);
            diesel::update(users::table.find(&row.id))
                .set((users::role.eq(role.as_str()), users::is_blocked.eq(blocked), users::updated_at.eq(db::now())))
                .execute(conn)?;
            if blocked && !row.is_blocked {
                session::revoke_user(conn, &row.id)?;
                // An unused invitation link must not outlive the block.
                invitations::revoke_open(conn, &row.id, db::now())?;
            }
            let row: UserRow = users::table.find(&row.id).select(UserRow::as_select()).first(conn)?;
            let after = summary_of(conn, &row)?;
            audit::record(conn, &caller.actor(), "user.update", "user", Some(&row.id),
                Some(&serde_json::json!({ "role": before.role, "regions": before.regions, "is_blocked": before.is_blocked })),
                Some(&serde_json::json!({ "role": after.role, "regions": after.regions, "is_blocked": after.is_blocked })))?;
            Ok(after)
        })
        .await?;
    Ok(web::Json(summary))
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
    caller.require(&[Role::Admin, Role::Operator])?;
    let id = id.into_inner();
    let body = body.into_inner();
    let reason = body
        .reason
        .as_deref()
        .map(|r| validate::text("reason", r, 1000, false))
        .transpose()?
        .flatten();
    if body.decision == Decision::Reject && reason.is_none() {
        return Err(ApiError::field(
            "reason",
            "required",
            "Укажите причину отказа: учитель её увидит.",
        ));
    }
    let summary = state
        .db
        .write(move |conn| {
            let row: UserRow = users::table
                .find(&id)
                .select(UserRow::as_select())
                .first(conn)?;
            let in_scope = row.role() == Some(Role::Teacher)
                && (caller.role == Role::Admin
                    || row
                        .region_code
                        .as_ref()
                        .is_some_and(|r| caller.regions.contains(r)));
            if !in_scope {
                return Err(ApiError::NotFound);
            }
            let status = VerificationStatus::parse(&row.verification_status);
            let allowed = match caller.role {
                Role::Admin => {
                    status != VerificationStatus::Verified || body.decision == Decision::Reject
                }
                _ => status == VerificationStatus::Pending,
            };
            if !allowed {
                return Err(ApiError::Conflict {
                    code: "no_pending_request",
                    detail: "У учителя нет заявки, ожидающей решения.".to_owned(),
                });
            }
            let now = db::now();
            let source = if caller.role == Role::Admin {
                "admin"
            } else {
                "organisation"
            };
            match body.decision {
                Decision::Confirm => diesel::update(users::table.find(&row.id))
                    .set((
                        users::verification_status.eq("verified"),
                        users::verification_source.eq(source),
                        users::verified_at.eq(now),
                        users::verified_by.eq(&caller.user_id),
                        users::verification_note.eq(None::<String>),
                        users::updated_at.eq(now),
                    ))
                    .execute(conn)?,
                Decision::Reject => diesel::update(users::table.find(&row.id))
                    .set((
                        users::verification_status.eq("rejected"),
                        users::verification_source.eq(None::<String>),
                        users::verified_at.eq(None::<chrono::NaiveDateTime>),
                        users::verified_by.eq(&caller.user_id),
                        users::verification_note.eq(&reason),
                        users::updated_at.eq(now),
                    ))
                    .execute(conn)?,
            };
            let action = match body.decision {
                Decision::Confirm => "user.verification.confirm",
                Decision::Reject => "user.verification.reject",
            };
            audit::record(
                conn,
                &caller.actor(),
                action,
                "user",
                Some(&row.id),
                Some(&serde_json::json!({ "status": row.verification_status })),
                Some(&serde_json::json!({ "reason": reason })),
            )?;
            let row: UserRow = users::table
                .find(&row.id)
                .select(UserRow::as_select())
                .first(conn)?;
            summary_of(conn, &row)
        })
        .await?;
    Ok(web::Json(summary))
}

#[derive(Queryable)]
struct KeyRow {
    id: String,
    user_id: String,
    name: String,
    prefix: String,
    created_at: chrono::NaiveDateTime,
    last_used_at: Option<chrono::NaiveDateTime>,
    revoked_at: Option<chrono::NaiveDateTime>,
}

fn key_info(conn: &mut AnyConnection, row: KeyRow) -> Result<ApiKeyInfo, ApiError> {
    Ok(ApiKeyInfo {
        regions: db::user_regions(conn, &row.user_id)?,
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        created_at: db::rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(db::rfc3339),
        revoked_at: row.revoked_at.map(db::rfc3339),
    })
}

const KEY_COLUMNS: (
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
) = (
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
);

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
    caller.require(&[Role::Admin])?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| {
            let mut query = api_keys::table.select(KEY_COLUMNS).into_boxed();
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    api_keys::created_at
                        .lt(at)
                        .or(api_keys::created_at.eq(at).and(api_keys::id.lt(id))),
                );
            }
            let rows: Vec<KeyRow> = query
                .order((api_keys::created_at.desc(), api_keys::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.created_at,
                id: r.id.clone(),
            });
            let items = rows
                .into_iter()
                .map(|r| key_info(conn, r))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, next_cursor })
        })
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
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_api_key", &body);
    let name = validate::text("name", &body.name, 100, true)?.unwrap_or_default();
    let secret = secrets::random_token(API_KEY_PREFIX);
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
                |conn| {
                    let regions = check_regions(conn, &body.regions)?;
                    if regions.is_empty() {
                        return Err(ApiError::field(
                            "regions",
                            "required",
                            "Укажите хотя бы один регион.",
                        ));
                    }
                    let mut account = NewUser::with_role(Role::Integrator);
                    account.name = Some(name.clone());
                    diesel::insert_into(users::table)
                        .values(&account)
                        .execute(conn)?;
                    db::set_user_regions(conn, &account.id, &regions)?;
                    let key_id = db::new_id();
                    let now = db::now();
                    let prefix: String = secret.chars().take(10).collect();
                    diesel::insert_into(api_keys::table)
                        .values((
                            api_keys::id.eq(&key_id),
                            api_keys::user_id.eq(&account.id),
                            api_keys::name.eq(&name),
                            api_keys::prefix.eq(&prefix),
                            api_keys::key_hash.eq(secrets::token_hash(&secret)),
                            api_keys::created_by.eq(&caller.user_id),
                            api_keys::created_at.eq(now),
                        ))
                        .execute(conn)?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "api_key.create",
                        "api_key",
                        Some(&key_id),
                        None,
                        Some(&serde_json::json!({ "name": name, "regions": regions })),
                    )?;
                    let row: KeyRow = api_keys::table
                        .find(&key_id)
                        .select(KEY_COLUMNS)
                        .first(conn)?;
                    Ok(CreatedApiKey {
                        info: key_info(conn, row)?,
                        key: secret.clone(),
                    })
                },
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
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| {
            let revoked: Option<Option<chrono::NaiveDateTime>> = api_keys::table
                .find(&id)
                .select(api_keys::revoked_at)
                .first(conn)
                .optional()?;
            match revoked {
                None => Err(ApiError::NotFound),
                Some(Some(_)) => Ok(()),
                Some(None) => {
                    diesel::update(api_keys::table.find(&id))
                        .set(api_keys::revoked_at.eq(db::now()))
                        .execute(conn)?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "api_key.revoke",
                        "api_key",
                        Some(&id),
                        None,
                        None,
                    )?;
                    Ok(())
                }
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this actor (user id).
    pub actor: Option<String>,
    /// Only this action, e.g. `user.update`.
    pub action: Option<String>,
    /// Only this kind of object, e.g. `user`.
    pub object_type: Option<String>,
    /// Only this object id.
    pub object_id: Option<String>,
    /// From this moment (RFC 3339).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Up to this moment (RFC 3339).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
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
    caller.require(&[Role::Admin, Role::Federal])?;
    let filter = filter.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| {
            type Row = (
                String,
                Option<String>,
                Option<String>,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                chrono::NaiveDateTime,
            );
            let mut query = audit_log::table
                .select((
                    audit_log::id,
                    audit_log::actor_id,
                    audit_log::actor_role,
                    audit_log::action,
                    audit_log::object_type,
                    audit_log::object_id,
                    audit_log::before_state,
                    audit_log::after_state,
                    audit_log::created_at,
                ))
                .into_boxed();
            if let Some(v) = filter.actor {
                query = query.filter(audit_log::actor_id.eq(v));
            }
            if let Some(v) = filter.action {
                query = query.filter(audit_log::action.eq(v));
            }
            if let Some(v) = filter.object_type {
                query = query.filter(audit_log::object_type.eq(v));
            }
            if let Some(v) = filter.object_id {
                query = query.filter(audit_log::object_id.eq(v));
            }
            if let Some(v) = filter.from {
                query = query.filter(audit_log::created_at.ge(v.naive_utc()));
            }
            if let Some(v) = filter.to {
                query = query.filter(audit_log::created_at.le(v.naive_utc()));
            }
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    audit_log::created_at
                        .lt(at)
                        .or(audit_log::created_at.eq(at).and(audit_log::id.lt(id))),
                );
            }
            let rows: Vec<Row> = query
                .order((audit_log::created_at.desc(), audit_log::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.8,
                id: r.0.clone(),
            });
            let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            let items = rows
                .into_iter()
                .map(|r| AuditEntry {
                    id: r.0,
                    actor_id: r.1,
                    actor_role: r.2,
                    action: r.3,
                    object_type: r.4,
                    object_id: r.5,
                    before: parse(r.6),
                    after: parse(r.7),
                    created_at: db::rfc3339(r.8),
                })
                .collect();
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}
