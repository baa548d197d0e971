//! Users and roles: the staff user-management scope ([`scope`]), sign-in rules, the
//! caller's own profile, teacher verification (by staff and through ESIA), staff
//! invitations, integrator API keys, the audit log and the operators' teacher search
//! ([`teachers`]).
//!
//! Most functions take a connection (`conn`) inside the read or write transaction the
//! handler opens with `state.db.read/write`; flows that must leave the transaction (argon2
//! hashing, calls to ESIA) take the [`crate::db::Db`] and open their own. Input is checked
//! by small constructors (`NewStaff::new`, `ProfileChange::new` …) before any transaction,
//! so a malformed request never reaches the idempotency store.

pub mod api_keys;
pub mod audit_log;
pub mod esia;
pub mod invitations;
pub mod login;
pub mod onboarding;
pub mod organisation;
pub mod password_reset;
pub mod profile;
pub mod recovery;
pub mod scope;
pub mod sign_in;
pub mod staff;
pub mod teachers;
pub mod verification;

use diesel::prelude::*;
use shared::users::{Me, NotifySettings, Role, UserSummary};

use crate::db::{self, models::UserRow, schema, AnyConnection};
use crate::domain::validate;
use crate::error::ApiError;

pub use scope::{scope, UserScope};

/// The summary of a user row (what administration lists show).
///
/// # Errors
/// A database failure.
pub fn summary_of(conn: &mut AnyConnection, row: &UserRow) -> Result<UserSummary, ApiError> {
    let role = row.role;
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
        education_level: if role == shared::users::Role::Teacher {
            education_level_of(conn, &row.id)?
        } else {
            None
        },
        verification: row.verification(),
        is_blocked: row.is_blocked,
        created_at: db::rfc3339(row.created_at),
    })
}

/// The teacher's education level, when given.
fn education_level_of(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<shared::users::EducationLevel>, ApiError> {
    let level: Option<String> = schema::users::table
        .find(id)
        .select(schema::users::education_level)
        .first(conn)?;
    Ok(level
        .as_deref()
        .and_then(shared::users::EducationLevel::parse))
}

/// The `Me` shape of a user row.
///
/// # Errors
/// A database failure reading the regions.
pub fn me_of(conn: &mut AnyConnection, row: &UserRow) -> Result<Me, ApiError> {
    let role = row.role;
    let regions = if role.has_regions() {
        db::user_regions(conn, &row.id)?
    } else {
        Vec::new()
    };
    let (verification_unseen, consent_declined) = if role == Role::Teacher {
        onboarding::banner_state(conn, &row.id)?
    } else {
        (false, None)
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
        verification_unseen,
        consent_declined,
    })
}

/// The user row of `id` (404 when there is none).
///
/// # Errors
/// `NotFound` or a database failure.
pub fn load(conn: &mut AnyConnection, id: &str) -> Result<UserRow, ApiError> {
    schema::users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .map_err(ApiError::from)
}

/// The caller's profile as it is now.
///
/// # Errors
/// `NotFound` or a database failure.
pub fn current_me(conn: &mut AnyConnection, id: &str) -> Result<Me, ApiError> {
    let row = load(conn, id)?;
    me_of(conn, &row)
}

/// 422 on `field` unless the region is in the reference list.
///
/// # Errors
/// 422 `unknown`, or a database failure.
pub fn ensure_region_exists(
    conn: &mut AnyConnection,
    field: &str,
    code: &str,
) -> Result<(), ApiError> {
    let n: i64 = schema::regions::table
        .filter(schema::regions::code.eq(code))
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

/// A list of region codes (field `regions`): each well-formed and known, sorted, without
/// repeats. An empty list passes; callers that need a region say so in their own words.
///
/// # Errors
/// 422 on `regions`, or a database failure.
pub fn known_regions(conn: &mut AnyConnection, list: &[String]) -> Result<Vec<String>, ApiError> {
    let mut codes = list
        .iter()
        .map(|r| validate::region("regions", r))
        .collect::<Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    let known: i64 = schema::regions::table
        .filter(schema::regions::code.eq_any(&codes))
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

/// The 422 of a list that needs at least one region.
#[must_use]
pub fn regions_required() -> ApiError {
    ApiError::field("regions", "required", "Укажите хотя бы один регион.")
}
