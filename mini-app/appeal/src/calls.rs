//! The appeal screen's own calls beside [`staff_app::api`]: answer templates, the presence
//! heartbeat and the teacher's context. Their bodies go through the codec derived on the
//! `shared` types directly (`decode_derived` / `encode_derived`), so the shared client's
//! list of readable types needs no new entries.

use mini_app_client::json::{decode_derived, encode_derived};
use mini_app_client::{request_value, ApiError, Method};
use shared::operator::{AnswerTemplate, AppealContext, Presence, TemplateInput};
use shared::Page;

fn appeal_path(id: &str, tail: &str) -> String {
    format!(
        "/api/v1/appeals/{}/{tail}",
        js_sys::encode_uri_component(id)
    )
}

fn template_path(id: &str) -> String {
    format!("/api/v1/templates/{}", js_sys::encode_uri_component(id))
}

/// Reads an answer as the type the caller expects ([`ApiError::Decode`] when the shape
/// differs). A macro, not a generic function: the codec's trait is the client's business.
macro_rules! call {
    ($method:expr, $path:expr, $body:expr) => {{
        let value = request_value($method, $path, $body).await?;
        decode_derived(&value).ok_or(ApiError::Decode)
    }};
}

/// `GET /api/v1/templates?limit=100`: the templates of the operator's regions.
///
/// # Errors
/// See [`request_value`].
pub async fn templates() -> Result<Vec<AnswerTemplate>, ApiError> {
    let page: Page<AnswerTemplate> = call!(Method::Get, "/api/v1/templates?limit=100", None)?;
    Ok(page.items)
}

/// `POST /api/v1/templates` (the client sends an Idempotency-Key, so a retried send writes
/// one template), or `PATCH /api/v1/templates/{id}` when `id` is given.
///
/// # Errors
/// See [`request_value`]; 422 with the field for an empty title or text.
pub async fn save_template(
    id: Option<String>,
    input: &TemplateInput,
) -> Result<AnswerTemplate, ApiError> {
    let body = encode_derived(input);
    match id {
        Some(id) => call!(Method::Patch, &template_path(&id), Some(&body)),
        None => call!(Method::Post, "/api/v1/templates", Some(&body)),
    }
}

/// `DELETE /api/v1/templates/{id}`.
///
/// # Errors
/// See [`request_value`].
pub async fn delete_template(id: String) -> Result<(), ApiError> {
    request_value(Method::Delete, &template_path(&id), None).await?;
    Ok(())
}

/// `POST /api/v1/appeals/{id}/presence`: the heartbeat, answering who else has it open.
///
/// # Errors
/// See [`request_value`].
pub async fn presence(id: String) -> Result<Presence, ApiError> {
    call!(Method::Post, &appeal_path(&id, "presence"), None)
}

/// `GET /api/v1/appeals/{id}/context`: the teacher's school, position, region and earlier
/// appeals.
///
/// # Errors
/// See [`request_value`].
pub async fn context(id: String) -> Result<AppealContext, ApiError> {
    call!(Method::Get, &appeal_path(&id, "context"), None)
}
