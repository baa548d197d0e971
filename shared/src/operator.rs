//! What the operator's appeal screen reads beside the appeal itself: the region's answer
//! templates, the colleagues who have the same appeal open, and the teacher's context
//! (school, position, region, earlier appeals).

use serde::{Deserialize, Serialize};

use crate::appeals::AppealStatus;
use crate::RegionRef;

/// Longest template title.
pub const MAX_TEMPLATE_TITLE: usize = 200;
/// Longest template text (an answer is at most 10 000 characters; a template is a part).
pub const MAX_TEMPLATE_TEXT: usize = 5000;

/// An answer template of a region: a ready text an operator inserts into the composer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct AnswerTemplate {
    /// Template id.
    pub id: String,
    /// The region whose operators use it.
    pub region: RegionRef,
    /// Short title shown in the composer's list.
    pub title: String,
    /// The text inserted into the answer.
    pub text: String,
    /// Who wrote it (full name, if given).
    pub author_name: Option<String>,
    /// Last change, RFC 3339 UTC.
    pub updated_at: String,
}

/// `POST /api/v1/templates` and `PATCH /api/v1/templates/{id}`: a template's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TemplateInput {
    /// Region code, one of the caller's regions (a change may move the template).
    pub region: String,
    /// Title, 1–200 characters.
    pub title: String,
    /// Text, 1–5000 characters (line breaks kept).
    pub text: String,
}

/// A staff member who has the appeal open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct PresenceViewer {
    /// User id.
    pub id: String,
    /// Full name (or e-mail when no name is given).
    pub name: String,
}

/// `POST /api/v1/appeals/{id}/presence`: the colleagues who have the appeal open now (a
/// heartbeat in the last minute), the caller not included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Presence {
    /// Colleagues with the appeal open, by name.
    pub viewers: Vec<PresenceViewer>,
    /// Seconds until the next heartbeat is expected.
    pub refresh_seconds: u32,
}

/// An earlier appeal of the same teacher, as a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct EarlierAppeal {
    /// Appeal id.
    pub id: String,
    /// The human number, «16-000123».
    pub number: String,
    /// Status.
    pub status: AppealStatus,
    /// The question's first 120 characters.
    pub excerpt: String,
    /// When it was asked, RFC 3339 UTC.
    pub created_at: String,
}

/// `GET /api/v1/appeals/{id}/context`: who asked, as the operator needs it beside the
/// thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct AppealContext {
    /// The teacher's school, if given.
    pub school: Option<String>,
    /// The teacher's position, if given.
    pub position: Option<String>,
    /// The teacher's region (of the account; the appeal's own region is on the appeal).
    pub region: Option<RegionRef>,
    /// The teacher's other appeals in the caller's regions, newest first (at most 10).
    pub earlier: Vec<EarlierAppeal>,
}
