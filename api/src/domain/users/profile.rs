//! The caller's own account: profile changes, erasure of personal data (152-ФЗ), the
//! staff password, and linking a MAX account to a staff member.

use diesel::prelude::*;
use shared::users::{
    ChangePassword, Me, NotifySettings, Role, UpdateMe, VerificationSource, VerificationStatus,
};

use super::organisation::OrganisationChange;
use super::{current_me, ensure_region_exists, invitations, load};
use crate::auth::{secrets, session, Caller};
use crate::db::{
    self, audit,
    schema::{appeals, users},
    AnyConnection, Db,
};
use crate::domain::validate;
use crate::error::ApiError;

/// A checked profile change: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone)]
pub struct ProfileChange {
    surname: Option<String>,
    name: Option<String>,
    patronymic: Option<Option<String>>,
    school: Option<Option<String>>,
    position: Option<Option<String>>,
    region: Option<String>,
    email: Option<Option<String>>,
    consent: Option<String>,
    notify: Option<NotifySettings>,
    organisation: OrganisationChange,
}

impl ProfileChange {
    /// Checks the fields of `body` for `caller` (a staff member's e-mail is the sign-in name
    /// an administrator manages).
    ///
    /// # Errors
    /// 422 on a field.
    pub fn new(caller: &Caller, body: &UpdateMe) -> Result<Self, ApiError> {
        let opt_text = |field: &str, value: Option<&String>, max| {
            value
                .map(|v| validate::text(field, v, max, false))
                .transpose()
        };
        let change = Self {
            surname: body
                .surname
                .as_deref()
                .map(|v| validate::name_part("surname", v, true))
                .transpose()?
                .flatten(),
            name: body
                .name
                .as_deref()
                .map(|v| validate::name_part("name", v, true))
                .transpose()?
                .flatten(),
            patronymic: body
                .patronymic
                .as_deref()
                .map(|v| validate::name_part("patronymic", v, false))
                .transpose()?,
            school: opt_text("school", body.school.as_ref(), 300)?,
            position: opt_text("position", body.position.as_ref(), 100)?,
            region: body
                .region
                .as_deref()
                .map(|v| validate::region("region", v))
                .transpose()?,
            email: match body.email.as_deref().map(str::trim) {
                None => None,
                Some("") => Some(None),
                Some(v) => Some(Some(validate::email("email", v)?)),
            },
            consent: body
                .consent_version
                .as_deref()
                .map(|v| validate::text("consent_version", v, 20, true))
                .transpose()?
                .flatten(),
            notify: body.notify,
            organisation: OrganisationChange::new(
                body.education_level,
                body.inn.as_deref(),
                body.ogrn.as_deref(),
            )?,
        };
        if caller.role.is_staff() && change.email.is_some() {
            return Err(ApiError::field(
                "email",
                "managed",
                "E-mail сотрудника меняет администратор: это имя для входа.",
            ));
        }
        Ok(change)
    }
}

/// Applies a profile change. The name of a teacher verified through ESIA comes from ESIA
/// and stays; consent to the privacy notice is recorded with its time.
///
/// # Errors
/// 422 for a name from ESIA or an unknown region, or a database failure.
pub fn update_me(
    conn: &mut AnyConnection,
    caller: &Caller,
    change: ProfileChange,
) -> Result<Me, ApiError> {
    let row = load(conn, &caller.user_id)?;
    let name_locked = row.verification_source.as_deref() == Some(VerificationSource::Esia.as_str());
    if name_locked
        && (change.surname.is_some() || change.name.is_some() || change.patronymic.is_some())
    {
        return Err(ApiError::field(
            "surname",
            "from_esia",
            "ФИО подтверждено через Госуслуги и меняется только там.",
        ));
    }
    if let Some(code) = &change.region {
        ensure_region_exists(conn, "region", code)?;
    }
    let now = db::now();
    // The home region and verification travel with every request of theirs.
    crate::auth::cache::user_changed(&row.id);
    reset_verification_on_move(conn, caller, &row, change.region.as_deref())?;
    let consent = change.consent;
    diesel::update(users::table.find(&row.id))
        .set((
            users::surname.eq(change.surname.or(row.surname.clone())),
            users::name.eq(change.name.or(row.name.clone())),
            users::patronymic.eq(change.patronymic.unwrap_or(row.patronymic.clone())),
            users::school.eq(change.school.unwrap_or(row.school.clone())),
            users::position.eq(change.position.unwrap_or(row.position.clone())),
            users::region_code.eq(change.region.or(row.region_code.clone())),
            users::email.eq(change.email.unwrap_or(row.email.clone())),
            users::notify_new_appeal_email.eq(change
                .notify
                .map_or(row.notify_new_appeal_email, |n| n.new_appeal_email)),
            users::notify_daily_digest_email.eq(change
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
    apply_organisation(conn, &row.id, &change.organisation)?;
    if super::onboarding::names_every_reader(consent.as_deref()) {
        diesel::update(users::table.find(&row.id))
            .set((
                users::consent_declined_version.eq(None::<String>),
                users::consent_declined_at.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?;
    }
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
}

/// Writes the organisation's level and numbers that were given.
///
/// # Errors
/// A database failure.
pub fn apply_organisation(
    conn: &mut AnyConnection,
    user_id: &str,
    change: &OrganisationChange,
) -> Result<(), ApiError> {
    if let Some(level) = change.level {
        diesel::update(users::table.find(user_id))
            .set(users::education_level.eq(level.as_str()))
            .execute(conn)?;
    }
    if let Some(inn) = &change.inn {
        diesel::update(users::table.find(user_id))
            .set(users::org_inn.eq(inn))
            .execute(conn)?;
    }
    if let Some(ogrn) = &change.ogrn {
        diesel::update(users::table.find(user_id))
            .set(users::org_ogrn.eq(ogrn))
            .execute(conn)?;
    }
    Ok(())
}

/// A teacher's verification (or pending request) holds for the region it was given in:
/// moving to another region makes the teacher unverified until confirmed there (an operator
/// of the old region must not vouch for the new one). The audit log records it.
fn reset_verification_on_move(
    conn: &mut AnyConnection,
    caller: &Caller,
    row: &db::models::UserRow,
    region: Option<&str>,
) -> Result<(), ApiError> {
    let moved = region.is_some_and(|r| row.region_code.as_deref() != Some(r));
    let status = row.verification_status;
    if row.role != Role::Teacher || !moved || status == VerificationStatus::Unverified {
        return Ok(());
    }
    diesel::update(users::table.find(&row.id))
        .set((
            users::verification_status.eq(VerificationStatus::Unverified),
            // A name confirmed by ESIA stays locked (it is still ESIA's); other sources go.
            users::verification_source.eq(row
                .verification_source
                .clone()
                .filter(|s| s == VerificationSource::Esia.as_str())),
            users::verified_at.eq(None::<chrono::NaiveDateTime>),
            users::verified_by.eq(None::<String>),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "user.verification.reset",
        "user",
        Some(&row.id),
        Some(&serde_json::json!({ "region": row.region_code, "verification": status })),
        Some(
            &serde_json::json!({ "region": region, "verification": VerificationStatus::Unverified }),
        ),
    )?;
    Ok(())
}

/// Erases the caller's personal data: names, contacts, credentials and the MAX link go,
/// every session ends, stored answers to their idempotent requests are forgotten; appeals
/// stay for statistics without the author's name.
///
/// # Errors
/// A database failure.
pub fn erase_me(conn: &mut AnyConnection, caller: &Caller) -> Result<(), ApiError> {
    let now = db::now();
    crate::auth::cache::user_changed(&caller.user_id);
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
}

/// A staff member replaces their password: the current one must match, the new one follow
/// the password rule and differ. Open invitation links and other sign-ins stop working.
///
/// # Errors
/// 403 for callers without a password, 422 for a wrong current or unfit new password, or a
/// database failure.
pub async fn change_password(
    db: &Db,
    caller: Caller,
    body: ChangePassword,
) -> Result<Me, ApiError> {
    let id = caller.user_id.clone();
    let stored: Option<String> = db
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
    let hash = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
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
    db.write(move |conn| {
        let now = db::now();
        diesel::update(users::table.find(&caller.user_id))
            .set((
                users::password_hash.eq(Some(&hash)),
                users::must_change_password.eq(false),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        // The staff member has their own password now: an invitation link still in the
        // mailbox must not replace it, and every other sign-in (one may be a thief's) ends.
        invitations::revoke_open(conn, &caller.user_id, now)?;
        session::revoke_others(conn, &caller.user_id, caller.session.as_deref())?;
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
    .await
}

/// Links the MAX account `max_user_id` (from checked launch data) to the calling staff
/// member; linking the same account again changes nothing.
///
/// # Errors
/// 409 `max_already_linked` when another user holds it, or a database failure.
pub fn link_max(
    conn: &mut AnyConnection,
    caller: &Caller,
    max_user_id: i64,
) -> Result<Me, ApiError> {
    let holder: Option<String> = users::table
        .filter(users::max_user_id.eq(max_user_id))
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
                .set(users::max_user_id.eq(max_user_id))
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
}
