//! The RFC 9457 problem document every error of the API is sent as.

use serde::{Deserialize, Serialize};

/// An error answer (`application/problem+json`): a stable machine `code` and a Russian
/// `detail` that can be shown to the user as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Problem {
    /// Always `about:blank`: the `code` carries the meaning.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short Russian summary of the status.
    pub title: String,
    /// HTTP status code, repeated for clients that lose it.
    pub status: u16,
    /// Stable snake_case error code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// Russian explanation fit to show a user.
    pub detail: String,
    /// Per-field problems of a validation error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct FieldError {
    /// Field name as it appears in the request, e.g. `text`.
    pub field: String,
    /// Stable snake_case code, e.g. `too_short`.
    pub code: String,
    /// Russian message for the user.
    pub message: String,
}
