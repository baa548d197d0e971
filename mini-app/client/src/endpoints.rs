//! Typed calls both modules make. Screen-specific calls live with their module.

use shared::users::{Me, RefreshRequest};
use shared::{Page, Region};

use crate::api::{json_body, request, ApiError, Method};
use crate::session;

/// The path of [`me`]: also the key of its copy kept by [`crate::offline`].
pub const ME_PATH: &str = "/api/v1/me";

/// The path of [`regions`]: also the key of its copy kept by [`crate::offline`].
pub const REGIONS_PATH: &str = "/api/v1/regions";

/// `GET /api/v1/regions`: every subject of the Federation, ordered by code.
///
/// # Errors
/// See [`request`].
pub async fn regions() -> Result<Vec<Region>, ApiError> {
    let page: Page<Region> = request(Method::Get, REGIONS_PATH, None).await?;
    Ok(page.items)
}

/// `GET /api/v1/me`: the signed-in user's profile.
///
/// # Errors
/// See [`request`].
pub async fn me() -> Result<Me, ApiError> {
    request(Method::Get, ME_PATH, None).await
}

/// Ends the sign-in on the server (best effort) and forgets the tokens here.
pub async fn sign_out() {
    if let Some(refresh_token) = session::refresh_token() {
        let body = json_body(&RefreshRequest { refresh_token });
        // The tokens are dropped here whatever the server says.
        let _ignored: Result<(), ApiError> =
            request(Method::Post, "/api/v1/auth/logout", Some(&body)).await;
    }
    session::clear();
}
