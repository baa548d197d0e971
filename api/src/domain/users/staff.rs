//! Staff management: the user list, creating staff, resending invitations, changing role,
//! regions and blocking. Every row is checked against the caller's [`scope`].

use diesel::prelude::*;
use serde::Deserialize;
use shared::users::{
    CreateUserRequest, CreatedUser, EducationLevel, InvitationQueued, Role, UpdateUserRequest,
    UserSummary, VerificationStatus,
};
use shared::Page;
use utoipa::IntoParams;

use super::{invitations, known_regions, load, scope, summary_of};
use crate::auth::{secrets, session, Caller};
use crate::db::{
    self, audit,
    models::{NewUser, UserRow},
    schema::{user_regions, users},
    AnyConnection,
};
use crate::domain::pagination::{self, Cursor};
use crate::domain::validate;
use crate::error::ApiError;

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
    /// Only teachers of this education level (none given counts as `school`).
    pub level: Option<EducationLevel>,
    /// Text in the name or e-mail.
    pub q: Option<String>,
}

/// A user filter checked against the caller's scope, ready to query.
#[derive(Debug, Clone)]
pub struct UserQuery {
    role: Option<Role>,
    regions: Option<Vec<String>>,
    filter: UserFilter,
}

impl UserQuery {
    /// Narrows `filter` to what `caller` may see.
    ///
    /// # Errors
    /// 422 for a malformed region, 403 `region_out_of_scope` for a region outside the
    /// scope, 403 for a role outside it.
    pub fn new(caller: &Caller, filter: UserFilter) -> Result<Self, ApiError> {
        let region = filter
            .region
            .as_deref()
            .map(|r| validate::region("region", r))
            .transpose()?;
        let scope = scope(caller, filter.role);
        if let (Some(code), Some(allowed)) = (&region, &scope.regions) {
            if !allowed.contains(code) {
                return Err(ApiError::RegionOutOfScope);
            }
        }
        if let Some(asked) = filter.role {
            scope.check_role(asked)?;
        }
        Ok(Self {
            role: scope.role.or(filter.role),
            regions: region.map(|r| vec![r]).or(scope.regions),
            filter,
        })
    }
}

/// One page of the users a [`UserQuery`] selects, newest first.
///
/// # Errors
/// A database failure.
pub fn list_users(
    conn: &mut AnyConnection,
    query: UserQuery,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<UserSummary>, ApiError> {
    let mut query = selected(query).select(UserRow::as_select());
    query = pagination::before_cursor!(query, cursor, users::created_at, users::id);
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
}

/// The users a [`UserQuery`] selects, boxed and unordered (the list pages it, the
/// verification counts group it).
pub(super) fn selected<'a>(query: UserQuery) -> users::BoxedQuery<'a, db::MultiBackend> {
    let UserQuery {
        role,
        regions,
        filter,
    } = query;
    let mut query = users::table.into_boxed();
    if let Some(role) = role {
        query = query.filter(users::role.eq(role.as_str()));
    }
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
        query = query.filter(users::verification_status.eq(v));
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
    match filter.level {
        None => {}
        Some(EducationLevel::School) => {
            query = query.filter(
                users::education_level
                    .is_null()
                    .or(users::education_level.eq(EducationLevel::School.as_str())),
            );
        }
        Some(level) => query = query.filter(users::education_level.eq(level.as_str())),
    }
    query
}

/// A checked request to create a staff member, with the one-time password drawn and hashed
/// (outside the transaction: argon2 takes its time).
#[derive(Debug, Clone)]
pub struct NewStaff {
    request: CreateUserRequest,
    email: String,
    surname: Option<String>,
    name: Option<String>,
    patronymic: Option<String>,
    password: String,
    hash: String,
}

impl NewStaff {
    /// Checks the request against the caller's scope and the field rules.
    ///
    /// # Errors
    /// 422 for a non-staff role or a malformed field, 403 for a role outside the scope.
    pub fn new(caller: &Caller, request: CreateUserRequest) -> Result<Self, ApiError> {
        if !request.role.is_staff() {
            return Err(ApiError::field(
                "role",
                "not_staff",
                "Учителя входят через MAX, интеграторы получают API-ключ.",
            ));
        }
        scope(caller, None).check_role(request.role)?;
        let email = validate::email("email", &request.email)?;
        let part = |field: &str, value: Option<&String>| {
            value
                .map(|v| validate::name_part(field, v, false))
                .transpose()
                .map(Option::flatten)
        };
        let surname = part("surname", request.surname.as_ref())?;
        let name = part("name", request.name.as_ref())?;
        let patronymic = part("patronymic", request.patronymic.as_ref())?;
        let password = secrets::random_token("");
        let hash = secrets::hash_password(&password)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
        Ok(Self {
            request,
            email,
            surname,
            name,
            patronymic,
            password,
            hash,
        })
    }
}

/// Creates the staff member (and, when asked, queues the invitation letter).
///
/// # Errors
/// 422 for regions, 403 `region_out_of_scope`, 409 `email_taken`, or a database failure.
pub fn create_user(
    conn: &mut AnyConnection,
    caller: &Caller,
    staff: &NewStaff,
    invite_valid_hours: i64,
) -> Result<CreatedUser, ApiError> {
    let body = &staff.request;
    let regions = known_regions(conn, &body.regions)?;
    if body.role.has_regions() && regions.is_empty() {
        return Err(super::regions_required());
    }
    scope(caller, None).check_regions(&regions)?;
    let taken: i64 = users::table
        .filter(users::email.eq(&staff.email))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict {
            code: "email_taken",
            detail: "Пользователь с таким e-mail уже есть.".to_owned(),
        });
    }
    let mut new = NewUser::with_role(body.role);
    new.email = Some(staff.email.clone());
    new.password_hash = Some(staff.hash.clone());
    new.must_change_password = true;
    new.surname = staff.surname.clone();
    new.name = staff.name.clone();
    new.patronymic = staff.patronymic.clone();
    diesel::insert_into(users::table)
        .values(&new)
        .execute(conn)?;
    if body.role.has_regions() {
        db::set_user_regions(conn, &new.id, &regions)?;
    }
    audit::record(
        conn,
        &caller.actor(),
        "user.create",
        "user",
        Some(&new.id),
        None,
        Some(
            &serde_json::json!({ "role": body.role, "regions": regions, "email": staff.email, "invite": body.invite }),
        ),
    )?;
    let row = load(conn, &new.id)?;
    if body.invite {
        invitations::invite(
            conn,
            &row,
            caller.role,
            &caller.user_id,
            invite_valid_hours,
            db::now(),
        )?;
    }
    Ok(CreatedUser {
        user: summary_of(conn, &row)?,
        one_time_password: staff.password.clone(),
        invitation_sent: body.invite,
    })
}

/// The user `id` if it lies in the caller's scope (404 otherwise, so that the caller
/// learns nothing about users outside it), for a change: 403 `region_out_of_scope` when
/// some of a staff member's regions are outside the caller's.
pub(super) fn managed(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<UserRow, ApiError> {
    let row = load(conn, id)?;
    let role = row.role;
    let regions = if role.has_regions() {
        db::user_regions(conn, &row.id)?
    } else {
        Vec::new()
    };
    let scope = scope(caller, None);
    if !scope.contains(role, row.region_code.as_deref(), &regions) {
        return Err(ApiError::NotFound);
    }
    // Seen through one shared region, changed only when every region is the caller's: a
    // head of one region must not block or re-assign an operator of others.
    scope.check_regions(&regions)?;
    Ok(row)
}

/// Sends a staff member a fresh invitation letter (earlier links stop working).
///
/// # Errors
/// 404 outside the scope, 409 when the user cannot be invited, or a database failure.
pub fn invite_user(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    valid_hours: i64,
) -> Result<InvitationQueued, ApiError> {
    let row = managed(conn, caller, id)?;
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
}

/// Changes role, regions or blocking of a user in the caller's scope; nobody changes
/// themselves. Blocking ends every session and unused invitation link.
///
/// # Errors
/// 409 `self_change`, 404 outside the scope, 403 for a role or region outside it, 422 for
/// regions, or a database failure.
pub fn update_user(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    body: &UpdateUserRequest,
) -> Result<UserSummary, ApiError> {
    if id == caller.user_id {
        return Err(ApiError::Conflict {
            code: "self_change",
            detail: "Свою роль и блокировку меняет другой администратор.".to_owned(),
        });
    }
    let row = managed(conn, caller, id)?;
    // Role, regions and block are what every request of theirs checks.
    crate::auth::cache::user_changed(&row.id);
    let before = summary_of(conn, &row)?;
    let scope = scope(caller, None);
    if let Some(role) = body.role {
        scope.check_role(role)?;
    }
    let role = body.role.unwrap_or(before.role);
    if let Some(regions) = &body.regions {
        let regions = known_regions(conn, regions)?;
        scope.check_regions(&regions)?;
        db::set_user_regions(conn, &row.id, &regions)?;
    }
    if role.has_regions() && db::user_regions(conn, &row.id)?.is_empty() {
        return Err(ApiError::field(
            "regions",
            "required",
            "Для этой роли нужен хотя бы один регион.",
        ));
    }
    if !role.has_regions() {
        db::set_user_regions(conn, &row.id, &[])?;
    }
    let blocked = body.is_blocked.unwrap_or(row.is_blocked);
    diesel::update(users::table.find(&row.id))
        .set((
            users::role.eq(role.as_str()),
            users::is_blocked.eq(blocked),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    if blocked && !row.is_blocked {
        session::revoke_user(conn, &row.id)?;
        // An unused invitation link must not outlive the block.
        invitations::revoke_open(conn, &row.id, db::now())?;
    }
    let row = load(conn, &row.id)?;
    let after = summary_of(conn, &row)?;
    audit::record(
        conn,
        &caller.actor(),
        "user.update",
        "user",
        Some(&row.id),
        Some(
            &serde_json::json!({ "role": before.role, "regions": before.regions, "is_blocked": before.is_blocked }),
        ),
        Some(
            &serde_json::json!({ "role": after.role, "regions": after.regions, "is_blocked": after.is_blocked }),
        ),
    )?;
    Ok(after)
}
