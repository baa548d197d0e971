//! Database rows. They never go over the wire directly: `shared` holds the DTOs and the
//! conversions live beside the handlers.

use diesel::prelude::*;

use super::schema::regions;

/// A row of `regions`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = regions)]
pub struct RegionRow {
    /// Two-digit code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Federal district.
    pub federal_district: String,
    /// IANA time zone.
    pub timezone: String,
}

impl From<RegionRow> for shared::Region {
    fn from(row: RegionRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            federal_district: row.federal_district,
            timezone: row.timezone,
        }
    }
}

use chrono::NaiveDateTime;
use shared::appeals::{AppealStatus, Channel, CloseReason};
use shared::users::{Role, VerificationStatus};

use super::schema::users;

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub role: Role,
    pub max_user_id: Option<i64>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub surname: Option<String>,
    pub name: Option<String>,
    pub patronymic: Option<String>,
    pub region_code: Option<String>,
    pub school: Option<String>,
    pub position: Option<String>,
    pub notify_new_appeal_email: bool,
    pub notify_daily_digest_email: bool,
    pub consent_version: Option<String>,
    pub consent_at: Option<NaiveDateTime>,
    pub verification_status: VerificationStatus,
    /// Kept as text: the demo seed stores `demo`, which the API's `VerificationSource` does
    /// not name; `verification()` reads unknown names as none.
    pub verification_source: Option<String>,
    pub verification_note: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub verified_by: Option<String>,
    pub dev_key: Option<String>,
    pub is_blocked: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Access tokens issued before this moment are refused (the other sessions ended) …
    pub sessions_ended_at: Option<NaiveDateTime>,
    /// … except those of this sign-in (refresh-token family), the one that ended them.
    pub session_kept: Option<String>,
}

/// Whether an access token still stands after its user ended their other sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStanding {
    /// Issued after the sessions ended, or by the sign-in that ended them.
    Stands,
    /// Issued before: another session, now ended.
    Ended,
    /// Issued within the same second as the change (`iat` has whole seconds): the caller
    /// checks whether the token's sign-in was one of those ended.
    SameSecond,
}

impl UserRow {
    /// How an access token issued at `iat` (Unix seconds) for the sign-in `session` stands
    /// against `sessions_ended_at` / `session_kept`.
    #[must_use]
    pub fn token_standing(&self, iat: i64, session: Option<&str>) -> TokenStanding {
        let Some(ended) = self.sessions_ended_at else {
            return TokenStanding::Stands;
        };
        if session.is_some() && session == self.session_kept.as_deref() {
            return TokenStanding::Stands;
        }
        let ended = ended.and_utc().timestamp();
        match iat.cmp(&ended) {
            std::cmp::Ordering::Greater => TokenStanding::Stands,
            std::cmp::Ordering::Less => TokenStanding::Ended,
            std::cmp::Ordering::Equal => TokenStanding::SameSecond,
        }
    }
}

/// A new row of `users`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub role: Role,
    pub max_user_id: Option<i64>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub surname: Option<String>,
    pub name: Option<String>,
    pub patronymic: Option<String>,
    pub region_code: Option<String>,
    pub verification_status: VerificationStatus,
    pub verification_source: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub dev_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewUser {
    /// A user with the given role and nothing else filled in.
    #[must_use]
    pub fn with_role(role: Role) -> Self {
        let now = super::now();
        Self {
            id: super::new_id(),
            role,
            max_user_id: None,
            email: None,
            password_hash: None,
            must_change_password: false,
            surname: None,
            name: None,
            patronymic: None,
            region_code: None,
            verification_status: VerificationStatus::Unverified,
            verification_source: None,
            verified_at: None,
            dev_key: None,
            created_at: now,
            updated_at: now,
        }
    }
}

impl UserRow {
    /// «Фамилия Имя Отчество» from the parts that are known.
    #[must_use]
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.surname, &self.name, &self.patronymic]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The verification record as the API shows it.
    #[must_use]
    pub fn verification(&self) -> shared::users::Verification {
        shared::users::Verification {
            status: self.verification_status,
            source: self
                .verification_source
                .as_deref()
                .and_then(shared::users::VerificationSource::parse),
            verified_at: self.verified_at.map(super::rfc3339),
            note: self.verification_note.clone(),
        }
    }
}

/// A row of `appeals`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::appeals)]
pub struct AppealRow {
    pub id: String,
    pub teacher_id: String,
    pub region_code: String,
    pub author_name: Option<String>,
    pub anonymous: bool,
    pub text: String,
    pub channel: Channel,
    pub status: AppealStatus,
    pub close_reason: Option<CloseReason>,
    pub close_note: Option<String>,
    pub duplicate_of: Option<String>,
    pub assignee_id: Option<String>,
    pub engine_name: Option<String>,
    pub engine_version: Option<String>,
    pub engine_article_id: Option<String>,
    pub engine_score: Option<f64>,
    pub engine_confident: bool,
    pub abstain_reason: Option<String>,
    pub suggestions: String,
    pub deadline_at: Option<NaiveDateTime>,
    pub first_answered_at: Option<NaiveDateTime>,
    pub answered_late: bool,
    pub escalated_at: Option<NaiveDateTime>,
    pub opened_by_staff_at: Option<NaiveDateTime>,
    pub teacher_activity_at: NaiveDateTime,
    pub staff_activity_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// The human number, «16-000123» (assigned by the database on insert).
    pub number: String,
    /// Since when it waits for the teacher's reply to a clarifying question.
    pub waiting_since: Option<NaiveDateTime>,
    /// Working days of the deadline that were left when the question was asked.
    pub waiting_days_left: Option<i32>,
}

impl AppealRow {
    /// Open past its deadline, now.
    #[must_use]
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        matches!(self.status, AppealStatus::New | AppealStatus::InProgress)
            && self.deadline_at.is_some_and(|d| d < now)
    }
}
