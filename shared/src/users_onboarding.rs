//! The teacher's first steps: the consent version that names every reader, the education
//! level of the organisation, and what the teacher's screens still have to ask or tell.

use serde::{Deserialize, Serialize};

/// The privacy notice's version that names every reader of a teacher's words (operators and
/// leadership of the region, federal supervisors, the region's systems connected through the
/// API, announcements through the bot). Teachers who agreed to an earlier one are asked again.
pub const CONSENT_VERSION: &str = "2026-12";

/// The level of education a teacher works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum EducationLevel {
    /// A school.
    School,
    /// Среднее профессиональное образование (a college).
    Spo,
    /// Дошкольное образование (a kindergarten).
    Doo,
}

impl EducationLevel {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::Spo => "spo",
            Self::Doo => "doo",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::School, Self::Spo, Self::Doo]
            .into_iter()
            .find(|l| l.as_str() == raw)
    }
}

/// `GET /api/v1/me/onboarding`: what the teacher's screens still have to ask or tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Onboarding {
    /// The notice's version the service asks for now.
    pub consent_current: String,
    /// True while the teacher has neither accepted nor declined that version.
    pub consent_asked: bool,
    /// The version declined, if the teacher declined the current one.
    pub consent_declined: Option<String>,
    /// True when leadership and integrators see the teacher's name (current version accepted).
    pub named_to_leadership: bool,
    /// A verification decision the teacher has not seen yet (the banner).
    pub decision_unseen: bool,
    /// Education level.
    pub education_level: Option<EducationLevel>,
    /// The organisation's INN.
    pub inn: Option<String>,
    /// The organisation's OGRN.
    pub ogrn: Option<String>,
}

/// `PUT /api/v1/me/consent`: the teacher's answer to the notice of `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct ConsentAnswer {
    /// The version answered (must be the current one).
    pub version: String,
    /// `true` accepts; `false` declines (leadership and integrators then see no name).
    pub accepted: bool,
}

/// `GET /api/v1/admin/verification/counts`: the verification requests waiting for a decision
/// in the caller's regions, by the teacher's education level (none given counts as a
/// school's, as the statistics count it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct VerificationCounts {
    /// Every waiting request.
    pub total: i64,
    /// Of them, teachers of schools (or with no level given).
    pub school: i64,
    /// Of them, teachers of СПО (colleges).
    pub spo: i64,
    /// Of them, teachers of ДОО (kindergartens).
    pub doo: i64,
}
