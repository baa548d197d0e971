//! Users, roles, verification and sign-in shapes.

use serde::{Deserialize, Serialize};

#[path = "users_onboarding.rs"]
mod onboarding;
pub use onboarding::{
    ConsentAnswer, EducationLevel, Onboarding, VerificationCounts, CONSENT_VERSION,
};

pub use crate::auth::{
    DevLoginRequest, LoginRequest, MaxAuthRequest, RefreshRequest, TokenPair, TotpEnrollRequest,
    TotpEnrollment,
};

/// What a user may do; one role per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A teacher: own appeals only.
    Teacher,
    /// A regional operator: appeals of own regions.
    Operator,
    /// Head of a region: read-only appeals, statistics and operators of own regions.
    RegionalHead,
    /// Federal supervisor: all regions, knowledge base, calendar.
    Federal,
    /// Administrator: users, keys, integrations; no appeal content.
    Admin,
    /// Integrator service account (API key): appeals and statistics of granted regions.
    Integrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Self::Teacher,
        Self::Operator,
        Self::RegionalHead,
        Self::Federal,
        Self::Admin,
        Self::Integrator,
    ];

    /// The snake_case name stored in the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Teacher => "teacher",
            Self::Operator => "operator",
            Self::RegionalHead => "regional_head",
            Self::Federal => "federal",
            Self::Admin => "admin",
            Self::Integrator => "integrator",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff work in the staff module (everyone but teachers and integrators).
    #[must_use]
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Self::Operator | Self::RegionalHead | Self::Federal | Self::Admin
        )
    }

    /// Roles bound to a list of regions.
    #[must_use]
    pub fn has_regions(self) -> bool {
        matches!(self, Self::Operator | Self::RegionalHead | Self::Integrator)
    }

    /// Russian name for screens.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Teacher => "Учитель",
            Self::Operator => "Оператор",
            Self::RegionalHead => "Руководитель региона",
            Self::Federal => "Федеральный куратор",
            Self::Admin => "Администратор",
            Self::Integrator => "Интегратор",
        }
    }
}

/// Where a teacher's verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Not requested yet.
    Unverified,
    /// Requested, waiting for an operator or admin.
    Pending,
    /// Confirmed: may ask questions.
    Verified,
    /// Refused, with a reason.
    Rejected,
}

impl VerificationStatus {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stored name; unknown values read as unverified.
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "verified" => Self::Verified,
            "rejected" => Self::Rejected,
            _ => Self::Unverified,
        }
    }
}

/// The same reading as [`VerificationStatus::parse`], so a name can be assigned where the
/// status is expected (`row.verification_status = "verified".into()`).
impl From<&str> for VerificationStatus {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

/// Who confirmed a teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum VerificationSource {
    /// Госуслуги (ESIA).
    Esia,
    /// An operator of the teacher's region, for the education authority.
    Organisation,
    /// An administrator.
    Admin,
}

impl VerificationSource {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Esia => "esia",
            Self::Organisation => "organisation",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "esia" => Some(Self::Esia),
            "organisation" => Some(Self::Organisation),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A teacher's verification record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Verification {
    /// Current status.
    pub status: VerificationStatus,
    /// Who confirmed it, once verified.
    pub source: Option<VerificationSource>,
    /// When it was confirmed (RFC 3339, UTC).
    pub verified_at: Option<String>,
    /// The reason of a refusal, shown to the teacher.
    pub note: Option<String>,
}

/// Notification choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct NotifySettings {
    /// E-mail on every new appeal of the operator's regions.
    pub new_appeal_email: bool,
    /// Daily e-mail digest of overdue and due-today appeals.
    pub daily_digest_email: bool,
}

/// The signed-in user's own profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Me {
    /// User id.
    pub id: String,
    /// Role.
    pub role: Role,
    /// Regions of an operator, regional head or integrator.
    pub regions: Vec<String>,
    /// Фамилия.
    pub surname: Option<String>,
    /// Имя.
    pub name: Option<String>,
    /// Отчество.
    pub patronymic: Option<String>,
    /// «Фамилия Имя Отчество», or null while unknown.
    pub full_name: Option<String>,
    /// The teacher's region code.
    pub region: Option<String>,
    /// School (organisation) name.
    pub school: Option<String>,
    /// Position at school.
    pub position: Option<String>,
    /// E-mail for notifications (staff sign in with it).
    pub email: Option<String>,
    /// Verification record.
    pub verification: Verification,
    /// Notification choices.
    pub notify: NotifySettings,
    /// Version of the privacy notice the user consented to, or null before consent.
    pub consent_version: Option<String>,
    /// True once the user linked their MAX account.
    pub max_linked: bool,
    /// True while a second factor is enrolled (staff).
    pub totp_enabled: bool,
    /// True while the staff member still signs in with the one-time password an
    /// administrator gave: it must be changed before anything else (even TOTP enrolment).
    #[serde(default)]
    pub must_change_password: bool,
    /// A teacher's verification was decided (`verification.status` verified or rejected,
    /// the refusal's reason in `verification.note`) and the teacher has not seen it yet: the
    /// mini-app shows the decision once, then `POST /api/v1/me/verification/seen`.
    #[serde(default)]
    pub verification_unseen: bool,
    /// The privacy notice's version the teacher declined (the current one only; null when
    /// accepted or not answered): leadership and integrators see the teacher's appeals
    /// without the name, and the mini-app does not ask again.
    #[serde(default)]
    pub consent_declined: Option<String>,
}

/// `POST /api/v1/me/password`: a staff member replaces their password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password signed in with (the one-time one at first sign-in).
    pub current_password: String,
    /// The new password: 10 to 200 characters, not the current one.
    pub new_password: String,
}

/// Changes to the own profile; absent fields stay as they are, `null` clears a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// Фамилия (1–100 characters).
    #[serde(default)]
    pub surname: Option<String>,
    /// Имя (1–100 characters).
    #[serde(default)]
    pub name: Option<String>,
    /// Отчество (up to 100 characters; empty clears it).
    #[serde(default)]
    pub patronymic: Option<String>,
    /// Region code (two digits).
    #[serde(default)]
    pub region: Option<String>,
    /// School name (up to 300 characters).
    #[serde(default)]
    pub school: Option<String>,
    /// Position (up to 100 characters).
    #[serde(default)]
    pub position: Option<String>,
    /// E-mail (empty clears it).
    #[serde(default)]
    pub email: Option<String>,
    /// Notification choices.
    #[serde(default)]
    pub notify: Option<NotifySettings>,
    /// Version of the privacy notice being accepted now.
    #[serde(default)]
    pub consent_version: Option<String>,
    /// Education level of the organisation (school, СПО, ДОО).
    #[serde(default)]
    pub education_level: Option<EducationLevel>,
    /// The organisation's INN (10 digits; empty clears it).
    #[serde(default)]
    pub inn: Option<String>,
    /// The organisation's OGRN (13 digits; empty clears it).
    #[serde(default)]
    pub ogrn: Option<String>,
}

/// `POST /api/v1/me/verification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct VerificationRequest {
    /// School (organisation) name.
    pub school: String,
    /// Position, e.g. «учитель математики».
    pub position: String,
    /// Region code, when not yet in the profile.
    #[serde(default)]
    pub region: Option<String>,
    /// Education level of the organisation (school, СПО, ДОО).
    #[serde(default)]
    pub education_level: Option<EducationLevel>,
    /// The organisation's INN (10 digits), when known.
    #[serde(default)]
    pub inn: Option<String>,
    /// The organisation's OGRN (13 digits), when known.
    #[serde(default)]
    pub ogrn: Option<String>,
}

/// `POST /api/v1/admin/users/{id}/verification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct VerificationDecision {
    /// `confirm` or `reject`.
    pub decision: Decision,
    /// Reason shown to the teacher (required when rejecting).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A yes/no decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Confirm.
    Confirm,
    /// Reject.
    Reject,
}

/// A user as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct UserSummary {
    /// User id.
    pub id: String,
    /// Role.
    pub role: Role,
    /// Regions (operators, heads, integrators).
    pub regions: Vec<String>,
    /// Full name, if known.
    pub full_name: Option<String>,
    /// E-mail, if any.
    pub email: Option<String>,
    /// The teacher's region.
    pub region: Option<String>,
    /// School.
    pub school: Option<String>,
    /// Position.
    pub position: Option<String>,
    /// The teacher's education level (school, СПО, ДОО), when given.
    #[serde(default)]
    pub education_level: Option<EducationLevel>,
    /// Verification record.
    pub verification: Verification,
    /// Blocked users cannot sign in.
    pub is_blocked: bool,
    /// When the user was created.
    pub created_at: String,
}

/// `POST /api/v1/admin/users`: create a staff user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CreateUserRequest {
    /// E-mail (the sign-in name).
    pub email: String,
    /// Role: operator, regional_head, federal or admin.
    pub role: Role,
    /// Regions (required for operators and regional heads).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Фамилия.
    #[serde(default)]
    pub surname: Option<String>,
    /// Имя.
    #[serde(default)]
    pub name: Option<String>,
    /// Отчество.
    #[serde(default)]
    pub patronymic: Option<String>,
    /// Also send an invitation letter with a first-sign-in link (single use, valid
    /// `INVITE_TTL_HOURS` — 72 by default — after sending) to the e-mail. `false`: only the
    /// one-time password, to be handed over by other means.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

/// The created staff user and their one-time password (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CreatedUser {
    /// The new user.
    pub user: UserSummary,
    /// One-time password; must be changed at first sign-in, with TOTP enrolment.
    pub one_time_password: String,
    /// True when an invitation letter with a first-sign-in link was queued for the e-mail.
    pub invitation_sent: bool,
}

/// `POST /api/v1/admin/users/{id}/invite`: a fresh invitation letter was queued; the link of
/// any earlier letter no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct InvitationQueued {
    /// The invited staff member.
    pub user_id: String,
    /// Where the letter goes.
    pub email: String,
    /// Hours the link works after the letter is sent.
    pub valid_hours: i64,
}

/// `POST /api/v1/auth/invite`: the first sign-in through the link of an invitation letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token from the link `…/#/invite/{token}`.
    pub token: String,
    /// The staff member's own password: 10 to 200 characters.
    pub password: String,
}

/// `PATCH /api/v1/admin/users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New role.
    #[serde(default)]
    pub role: Option<Role>,
    /// New list of regions.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// Block or unblock.
    #[serde(default)]
    pub is_blocked: Option<bool>,
}

/// `POST /api/v1/admin/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CreateApiKeyRequest {
    /// What the key is for, e.g. the integrating system's name.
    pub name: String,
    /// Regions the key may read.
    pub regions: Vec<String>,
    /// What the key may do; omitted: `appeals:read` and `stats:read`.
    #[serde(default)]
    pub permissions: Option<Vec<crate::integrations::ApiPermission>>,
}

/// An API key as listed (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct ApiKeyInfo {
    /// Key id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First characters of the key, to recognise it.
    pub prefix: String,
    /// Regions granted.
    pub regions: Vec<String>,
    /// Created at.
    pub created_at: String,
    /// Last successful use.
    pub last_used_at: Option<String>,
    /// Revoked at.
    pub revoked_at: Option<String>,
    /// What the key may do.
    pub permissions: Vec<crate::integrations::ApiPermission>,
    /// The administrator who created it (null for keys of unknown origin).
    pub created_by: Option<String>,
    /// That administrator's name, when known.
    pub created_by_name: Option<String>,
}

/// A freshly created key: the only time the key is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CreatedApiKey {
    /// The key's record.
    pub info: ApiKeyInfo,
    /// The key itself, for `Authorization: Bearer <key>`. Shown once.
    pub key: String,
}

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Entry id.
    pub id: String,
    /// Who acted (null for the system).
    pub actor_id: Option<String>,
    /// The actor's role then.
    pub actor_role: Option<String>,
    /// What was done, e.g. `user.verification.confirm`.
    pub action: String,
    /// Kind of object, e.g. `user`.
    pub object_type: String,
    /// Object id.
    pub object_id: Option<String>,
    /// State before (JSON), if any.
    pub before: Option<serde_json::Value>,
    /// State after (JSON), if any.
    pub after: Option<serde_json::Value>,
    /// When.
    pub created_at: String,
}

/// `GET /api/v1/auth/esia/start`: where to send the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct EsiaStart {
    /// ESIA's authorization address with client_id, scope, state, timestamp and the signed
    /// client_secret.
    pub url: String,
}

/// `POST /api/v1/auth/password-reset` («Забыли пароль?»): a staff member's e-mail. The
/// answer is the same whether or not such a staff member exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The e-mail the staff member signs in with.
    pub email: String,
}

/// `POST /api/v1/auth/recovery-codes`: new one-time recovery codes (the earlier ones stop
/// working), for the password and a current code of the authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct RecoveryCodesRequest {
    /// The staff member's password.
    pub password: String,
    /// A current six-digit code of the authenticator app.
    pub code: String,
}

/// One-time recovery codes, shown in this answer only (stored hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RecoveryCodes {
    /// Ten codes, each usable once in place of a code of the authenticator app.
    pub codes: Vec<String>,
}
