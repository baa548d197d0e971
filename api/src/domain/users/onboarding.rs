//! What a teacher is still asked or told after signing in: the consent version that names
//! every reader (issue #18) and the decision on their verification (issue #19).
//!
//! Consent: [`CONSENT_VERSION`] names operators and leadership of the region, federal
//! supervisors, the region's systems connected through the API and announcements through
//! the bot. A teacher who agreed to an earlier version is asked again; until they accept,
//! leadership and integrators see their appeals as anonymous ([`named_to_leadership`]).
//! Declining is recorded (version and time) and the service goes on as before. The accepted
//! version and its time stay in `users.consent_version` / `consent_at`; every answer is
//! also in the audit log.
//!
//! Decisions: [`decision_told`] marks the decision unseen (the mini-app's banner until
//! [`mark_decision_seen`]) and queues the bot message, inside the deciding transaction.

use std::collections::HashSet;

use diesel::prelude::*;
use shared::users::{
    ConsentAnswer, EducationLevel, Onboarding, VerificationStatus, CONSENT_VERSION,
};

use crate::auth::Caller;
use crate::db::{self, audit, schema::users, AnyConnection};
use crate::domain::notifications::events;
use crate::error::ApiError;

/// True when `version` is the notice naming every reader (or a later one: versions are
/// `YYYY-MM` and compare as text).
#[must_use]
pub fn names_every_reader(version: Option<&str>) -> bool {
    version.is_some_and(|v| v >= CONSENT_VERSION)
}

/// The consent, declined version, unseen flag and organisation of a user.
type StateRow = (
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What the teacher's screens still have to ask or tell.
///
/// # Errors
/// `NotFound` or a database failure.
pub fn state(conn: &mut AnyConnection, user_id: &str) -> Result<Onboarding, ApiError> {
    let (accepted, declined, unseen, level, inn, ogrn): StateRow = users::table
        .find(user_id)
        .select((
            users::consent_version,
            users::consent_declined_version,
            users::verification_unseen,
            users::education_level,
            users::org_inn,
            users::org_ogrn,
        ))
        .first(conn)?;
    let named = names_every_reader(accepted.as_deref());
    let declined = declined.filter(|d| names_every_reader(Some(d)) && !named);
    Ok(Onboarding {
        consent_current: CONSENT_VERSION.to_owned(),
        consent_asked: !named && declined.is_none(),
        consent_declined: declined,
        named_to_leadership: named,
        decision_unseen: unseen,
        education_level: level.as_deref().and_then(EducationLevel::parse),
        inn,
        ogrn,
    })
}

/// What `GET /api/v1/me` tells a teacher beside the row the caller cache keeps: whether a
/// verification decision waits to be seen, and the current notice's version if declined
/// (an older declined version is no answer to the current notice).
///
/// # Errors
/// `NotFound` or a database failure.
pub fn banner_state(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<(bool, Option<String>), ApiError> {
    let (unseen, declined, accepted): (bool, Option<String>, Option<String>) = users::table
        .find(user_id)
        .select((
            users::verification_unseen,
            users::consent_declined_version,
            users::consent_version,
        ))
        .first(conn)?;
    let declined = declined
        .filter(|d| names_every_reader(Some(d)) && !names_every_reader(accepted.as_deref()));
    Ok((unseen, declined))
}

/// Records the teacher's answer to the current notice: accepting sets the consent version
/// and time; declining records the declined version and time and keeps the earlier consent
/// (its readers stay as they were; leadership and integrators see no name).
///
/// # Errors
/// 422 `outdated` for another version, or a database failure.
pub fn answer_consent(
    conn: &mut AnyConnection,
    caller: &Caller,
    answer: &ConsentAnswer,
) -> Result<Onboarding, ApiError> {
    if answer.version != CONSENT_VERSION {
        return Err(ApiError::field(
            "version",
            "outdated",
            "Уведомление обновилось. Откройте приложение заново и прочитайте новую редакцию.",
        ));
    }
    let now = db::now();
    if answer.accepted {
        diesel::update(users::table.find(&caller.user_id))
            .set((
                users::consent_version.eq(CONSENT_VERSION),
                users::consent_at.eq(now),
                users::consent_declined_version.eq(None::<String>),
                users::consent_declined_at.eq(None::<chrono::NaiveDateTime>),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::update(users::table.find(&caller.user_id))
            .set((
                users::consent_declined_version.eq(CONSENT_VERSION),
                users::consent_declined_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        &caller.actor(),
        if answer.accepted {
            "user.consent"
        } else {
            "user.consent.decline"
        },
        "user",
        Some(&caller.user_id),
        None,
        Some(&serde_json::json!({ "consent_version": CONSENT_VERSION })),
    )?;
    state(conn, &caller.user_id)
}

/// The teacher saw the decision (closes the banner).
///
/// # Errors
/// A database failure.
pub fn mark_decision_seen(conn: &mut AnyConnection, caller: &Caller) -> Result<(), ApiError> {
    diesel::update(users::table.find(&caller.user_id))
        .set(users::verification_unseen.eq(false))
        .execute(conn)?;
    Ok(())
}

/// A decision on the teacher's verification was taken (`status` verified or rejected, with
/// the refusal's reason): the banner waits for the teacher, and the bot tells them.
///
/// # Errors
/// A database failure (the caller's transaction then rolls back).
pub fn decision_told(
    conn: &mut AnyConnection,
    user_id: &str,
    status: VerificationStatus,
    reason: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::verification_unseen.eq(true))
        .execute(conn)?;
    events::verification_decided(
        conn,
        user_id,
        status == VerificationStatus::Verified,
        reason,
    )
}

/// Of `authors`, those whose name leadership and integrators may see (the current notice
/// accepted).
///
/// # Errors
/// A database failure.
pub fn named_to_leadership(
    conn: &mut AnyConnection,
    authors: &[&str],
) -> QueryResult<HashSet<String>> {
    if authors.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(String, Option<String>)> = users::table
        .filter(users::id.eq_any(authors))
        .select((users::id, users::consent_version))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, v)| names_every_reader(v.as_deref()))
        .map(|(id, _)| id)
        .collect())
}
