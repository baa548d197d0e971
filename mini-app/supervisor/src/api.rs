//! The supervisor module's calls: the knowledge base and its queues, the
//! production calendar. The generic request and what the staff module shares are re-exported
//! from `staff_app::api`.

use mini_app_client::files::raw;
use mini_app_client::{json_body, request, Method};
use shared::Page;
pub use staff_app::api::{download, load_into, query, ApiError, Remote};

use shared::calendar::CalendarYear;
use shared::kb::{Article, SearchResult, UpdateArticle, Variant};

/// `PUT /api/v1/calendar/{year}[?region=]` with an xmlcalendar file.
///
/// # Errors
/// The server's problem (422 for a file it cannot read or of another year).
pub async fn import_calendar(
    year: i32,
    region: String,
    xml: String,
) -> Result<CalendarYear, ApiError> {
    let path = format!("/api/v1/calendar/{year}{}", query(&[("region", &region)]));
    let response = raw("PUT", &path, Some(("application/xml", &xml))).await?;
    let value =
        wasm_bindgen_futures::JsFuture::from(response.json().map_err(|_| ApiError::Decode)?)
            .await
            .map_err(|_| ApiError::Decode)?;
    mini_app_client::decode(&value)
}

/// `GET /api/v1/calendar/{year}[?region=]`.
///
/// # Errors
/// See [`request`].
pub async fn calendar(year: i32, region: String) -> Result<CalendarYear, ApiError> {
    let path = format!("/api/v1/calendar/{year}{}", query(&[("region", &region)]));
    request(Method::Get, &path, None).await
}

/// `GET /api/v1/kb/articles?status=&q=` (one page).
///
/// # Errors
/// See [`request`].
pub async fn articles(query: String) -> Result<Page<Article>, ApiError> {
    request(Method::Get, &format!("/api/v1/kb/articles{query}"), None).await
}

fn article_path(id: &str, action: &str) -> String {
    format!(
        "/api/v1/kb/articles/{}{action}",
        js_sys::encode_uri_component(id)
    )
}

/// `GET /api/v1/kb/articles/{id}`.
///
/// # Errors
/// See [`request`].
pub async fn article(id: String) -> Result<Article, ApiError> {
    request(Method::Get, &article_path(&id, ""), None).await
}

/// `PATCH /api/v1/kb/articles/{id}`: a new version.
///
/// # Errors
/// See [`request`]; 422 with field errors.
pub async fn save_article(id: String, change: UpdateArticle) -> Result<Article, ApiError> {
    let body = json_body(&change);
    request(Method::Patch, &article_path(&id, ""), Some(&body)).await
}

/// `POST /api/v1/kb/articles/{id}/publish` or `/archive`.
///
/// # Errors
/// See [`request`].
pub async fn set_article_status(id: String, action: &'static str) -> Result<Article, ApiError> {
    request(Method::Post, &article_path(&id, action), None).await
}

/// `GET /api/v1/kb/search?q=&limit=`.
///
/// # Errors
/// See [`request`].
pub async fn search(q: String) -> Result<SearchResult, ApiError> {
    let path = format!("/api/v1/kb/search{}", query(&[("q", &q), ("limit", "3")]));
    request(Method::Get, &path, None).await
}

/// `GET /api/v1/kb/variants` (candidates, one page from `cursor`).
///
/// # Errors
/// See [`request`].
pub async fn variants(cursor: String) -> Result<Page<Variant>, ApiError> {
    let path = format!(
        "/api/v1/kb/variants{}",
        query(&[("cursor", &cursor), ("limit", "50")])
    );
    request(Method::Get, &path, None).await
}

/// `POST /api/v1/kb/variants/{id}/confirm` or `/reject`.
///
/// # Errors
/// See [`request`]; 409 when already decided.
pub async fn decide_variant(id: String, action: &'static str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/kb/variants/{}{action}",
        js_sys::encode_uri_component(&id)
    );
    request(Method::Post, &path, None).await
}
