//! Teacher verification by people: a teacher asks (with school, position and region), an
//! operator of the region or an administrator confirms or refuses. ESIA's automatic path
//! is in [`super::esia`].

use diesel::prelude::*;
use shared::users::{
    Decision, EducationLevel, Me, Role, UserSummary, VerificationCounts, VerificationDecision,
    VerificationRequest, VerificationSource, VerificationStatus,
};

use super::organisation::OrganisationChange;
use super::staff::{selected, UserFilter, UserQuery};
use super::{current_me, ensure_region_exists, load, scope, summary_of};
use crate::auth::Caller;
use crate::db::{self, audit, schema::users, AnyConnection};
use crate::domain::validate;
use crate::error::ApiError;

/// A checked decision: the refusal reason is required and trimmed.
#[derive(Debug, Clone)]
pub struct CheckedDecision {
    decision: Decision,
    reason: Option<String>,
}

impl CheckedDecision {
    /// Checks the reason (required for a refusal: the teacher sees it).
    ///
    /// # Errors
    /// 422 on `reason`.
    pub fn new(body: &VerificationDecision) -> Result<Self, ApiError> {
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
        Ok(Self {
            decision: body.decision,
            reason,
        })
    }
}

/// Confirms or refuses a teacher of the caller's scope. Operators decide pending requests
/// (source `organisation`); administrators may also confirm without a request or revoke a
/// confirmation (source `admin`).
///
/// # Errors
/// 404 for a user who is not a teacher of the scope, 409 `no_pending_request`, or a database
/// failure.
pub fn decide_verification(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    decision: &CheckedDecision,
) -> Result<UserSummary, ApiError> {
    let row = load(conn, id)?;
    let in_scope = row.role == Role::Teacher
        && scope(caller, Some(Role::Teacher)).contains(
            Role::Teacher,
            row.region_code.as_deref(),
            &[],
        );
    if !in_scope {
        return Err(ApiError::NotFound);
    }
    let is_admin = caller.role == Role::Admin;
    let status = row.verification_status;
    let allowed = if is_admin {
        status != VerificationStatus::Verified || decision.decision == Decision::Reject
    } else {
        status == VerificationStatus::Pending
    };
    if !allowed {
        return Err(ApiError::Conflict {
            code: "no_pending_request",
            detail: "У учителя нет заявки, ожидающей решения.".to_owned(),
        });
    }
    let now = db::now();
    let source = if is_admin {
        VerificationSource::Admin
    } else {
        VerificationSource::Organisation
    };
    let reason = &decision.reason;
    crate::auth::cache::user_changed(&row.id);
    match decision.decision {
        Decision::Confirm => diesel::update(users::table.find(&row.id))
            .set((
                users::verification_status.eq(VerificationStatus::Verified),
                users::verification_source.eq(source),
                users::verified_at.eq(now),
                users::verified_by.eq(&caller.user_id),
                users::verification_note.eq(None::<String>),
                users::updated_at.eq(now),
            ))
            .execute(conn)?,
        Decision::Reject => diesel::update(users::table.find(&row.id))
            .set((
                users::verification_status.eq(VerificationStatus::Rejected),
                users::verification_source.eq(None::<VerificationSource>),
                users::verified_at.eq(None::<chrono::NaiveDateTime>),
                users::verified_by.eq(&caller.user_id),
                users::verification_note.eq(reason),
                users::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    let action = match decision.decision {
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
    let status = match decision.decision {
        Decision::Confirm => VerificationStatus::Verified,
        Decision::Reject => VerificationStatus::Rejected,
    };
    super::onboarding::decision_told(conn, &row.id, status, reason.as_deref())?;
    let row = load(conn, &row.id)?;
    summary_of(conn, &row)
}

/// A checked verification request.
#[derive(Debug, Clone)]
pub struct CheckedRequest {
    school: Option<String>,
    position: Option<String>,
    region: Option<String>,
    organisation: OrganisationChange,
}

impl CheckedRequest {
    /// Checks the fields.
    ///
    /// # Errors
    /// 422 on a field.
    pub fn new(body: &VerificationRequest) -> Result<Self, ApiError> {
        Ok(Self {
            school: validate::text("school", &body.school, 300, true)?,
            position: validate::text("position", &body.position, 100, true)?,
            region: body
                .region
                .as_deref()
                .map(|v| validate::region("region", v))
                .transpose()?,
            organisation: OrganisationChange::new(
                body.education_level,
                body.inn.as_deref(),
                body.ogrn.as_deref(),
            )?,
        })
    }
}

/// A teacher asks to be verified; the request waits (`pending`) for a decision.
///
/// # Errors
/// 409 `already_verified` / `verification_pending`, 422 for a missing region or name, or a
/// database failure.
pub fn request_verification(
    conn: &mut AnyConnection,
    caller: &Caller,
    request: CheckedRequest,
) -> Result<Me, ApiError> {
    let row = load(conn, &caller.user_id)?;
    match row.verification_status {
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
    let region = request.region.or(row.region_code.clone()).ok_or_else(|| {
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
    crate::auth::cache::user_changed(&row.id);
    diesel::update(users::table.find(&row.id))
        .set((
            users::school.eq(&request.school),
            users::position.eq(&request.position),
            users::region_code.eq(&region),
            users::verification_status.eq(VerificationStatus::Pending),
            users::verification_note.eq(None::<String>),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    super::profile::apply_organisation(conn, &row.id, &request.organisation)?;
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
}

/// How many verification requests wait for a decision in the caller's scope (an
/// operator's regions; every region for an administrator), by the teacher's education
/// level; a teacher who gave none counts as a school's, as in the statistics.
///
/// # Errors
/// A database failure.
pub fn waiting_counts(
    conn: &mut AnyConnection,
    caller: &Caller,
) -> Result<VerificationCounts, ApiError> {
    let filter = UserFilter {
        role: Some(Role::Teacher),
        verification: Some(VerificationStatus::Pending),
        ..UserFilter::default()
    };
    let query = UserQuery::new(caller, filter)?;
    // A few hundred rows at most wait at once; counting them here keeps one query for
    // both backends (a boxed query cannot be grouped).
    let levels: Vec<Option<String>> = selected(query).select(users::education_level).load(conn)?;
    let mut counts = VerificationCounts::default();
    for level in levels {
        counts.total += 1;
        match level.as_deref().and_then(EducationLevel::parse) {
            Some(EducationLevel::Spo) => counts.spo += 1,
            Some(EducationLevel::Doo) => counts.doo += 1,
            Some(EducationLevel::School) | None => counts.school += 1,
        }
    }
    Ok(counts)
}
