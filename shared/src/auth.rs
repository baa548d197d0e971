//! Signing in on the wire: MAX launch data, refresh, staff password and second factor, the
//! demo sign-in, and the token pair they answer with. Re-exported by [`crate::users`], where
//! their paths have always been.

use serde::{Deserialize, Serialize};

use crate::users::Role;

/// Token pair issued at sign-in and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TokenPair {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// `POST /api/v1/auth/max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct MaxAuthRequest {
    /// The launch-data string (`window.WebApp.initData` or the URL fragment's `WebAppData`).
    pub init_data: String,
}

/// `POST /api/v1/auth/refresh` and `/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RefreshRequest {
    /// The refresh token of the pair.
    pub refresh_token: String,
}

/// `POST /api/v1/auth/login`: staff sign-in outside MAX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct LoginRequest {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Six-digit code from the authenticator app (required once enrolled).
    #[serde(default)]
    pub totp_code: Option<String>,
}

/// `POST /api/v1/auth/totp/enroll`: without a code starts enrolment, with a code confirms it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TotpEnrollRequest {
    /// A current code from the authenticator app, to confirm enrolment.
    #[serde(default)]
    pub code: Option<String>,
}

/// Enrolment state of the second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TotpEnrollment {
    /// `otpauth://` URI for the authenticator app (only while not yet confirmed).
    pub otpauth_uri: Option<String>,
    /// True once a valid code confirmed the enrolment.
    pub enabled: bool,
    /// The same URI as a QR code (SVG markup) for the phone's camera, beside the URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
    /// Ten one-time recovery codes, each usable once in place of a code: only in the answer
    /// that confirms the enrolment (stored hashed, never shown again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
}

/// `POST /api/v1/auth/dev-login` (only with `APP_ENV=dev`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct DevLoginRequest {
    /// Role of the demo user.
    pub role: Role,
    /// Region code (for teachers their region, for operators and heads their region).
    #[serde(default)]
    pub region: Option<String>,
    /// Teachers only: verified or not.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Display name; the same name gives the same user.
    #[serde(default)]
    pub name: Option<String>,
}
