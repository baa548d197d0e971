//! The teacher app's calls (the staff sign-in lives in the staff module). The generic
//! request, the session and [`Remote`] come from the shared `mini-app-client` crate (the
//! staff module uses the same).

pub use mini_app_client::endpoints::{me, regions, sign_out};
pub use mini_app_client::{json_body, load_into, request, session, ApiError, Method, Remote};

use shared::appeals::{AcceptSuggestion, Appeal, CreateAppeal, PostMessage, RateAnswer};
use shared::kb::{Article, SearchResult};
use shared::users::{MaxAuthRequest, Me, TokenPair, UpdateMe, VerificationRequest};
use shared::Page;

/// `POST /api/v1/auth/max`: signs in with MAX launch data and keeps the token pair.
///
/// # Errors
/// See [`request`]; 401 `invalid_init_data` when the launch data did not pass.
pub async fn sign_in_max(init_data: String) -> Result<(), ApiError> {
    let body = json_body(&MaxAuthRequest { init_data });
    let pair: TokenPair = request(Method::Post, "/api/v1/auth/max", Some(&body)).await?;
    session::store(&pair);
    Ok(())
}

/// `PATCH /api/v1/me`.
///
/// # Errors
/// See [`request`]; 422 with `errors[]` naming the field.
pub async fn update_me(body: UpdateMe) -> Result<Me, ApiError> {
    let body = json_body(&body);
    request(Method::Patch, "/api/v1/me", Some(&body)).await
}

/// `POST /api/v1/me/verification`.
///
/// # Errors
/// See [`request`]; 409 when already pending or verified.
pub async fn request_verification(body: VerificationRequest) -> Result<Me, ApiError> {
    let body = json_body(&body);
    request(Method::Post, "/api/v1/me/verification", Some(&body)).await
}

/// `DELETE /api/v1/me`: erases the personal data; the session ends with it.
///
/// # Errors
/// See [`request`].
pub async fn erase_me() -> Result<(), ApiError> {
    request::<()>(Method::Delete, "/api/v1/me", None).await?;
    session::clear();
    Ok(())
}

/// `POST /api/v1/appeals` with an `Idempotency-Key`: a retry with the same key and body
/// returns the appeal created the first time.
///
/// # Errors
/// See [`request`]; 403 `teacher_not_verified`, 422 for the text, 429 over the rate limit.
pub async fn create_appeal(body: &CreateAppeal, key: &str) -> Result<Appeal, ApiError> {
    let body = json_body(body);
    let value =
        mini_app_client::request_keyed(Method::Post, "/api/v1/appeals", Some(&body), Some(key))
            .await?;
    mini_app_client::decode(&value)
}

/// `POST /api/v1/appeals/{id}/attachments?name=…`: one file of the question, as it is; the
/// same `key` again gets the first answer instead of a second copy.
///
/// # Errors
/// See [`request`]; 413 over 5 MB, 415 not a PDF/JPEG/PNG, 409 more than three.
pub async fn attach(appeal_id: &str, file: &web_sys::File, key: &str) -> Result<(), ApiError> {
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    let path = format!("/api/v1/appeals/{appeal_id}/attachments?name={name}");
    mini_app_client::request_keyed(Method::Post, &path, Some(file.as_ref()), Some(key)).await?;
    Ok(())
}

/// `GET /api/v1/appeals`: the teacher's own appeals, newest first.
///
/// # Errors
/// See [`request`].
pub async fn appeals(cursor: Option<String>) -> Result<Page<Appeal>, ApiError> {
    let path = match cursor {
        Some(cursor) => format!("/api/v1/appeals?limit=20&cursor={}", encode(&cursor)),
        None => "/api/v1/appeals?limit=20".to_owned(),
    };
    request(Method::Get, &path, None).await
}

/// How many of the teacher's appeals have something unread (up to 50: «50+» is enough
/// for a badge), from `GET /api/v1/appeals?unread=true`.
///
/// # Errors
/// See [`request`].
pub async fn unread_count() -> Result<usize, ApiError> {
    let page: Page<Appeal> =
        request(Method::Get, "/api/v1/appeals?unread=true&limit=50", None).await?;
    Ok(page.items.len())
}

/// Shows `count` unread appeals in the tab title: «(2) Помощник», or the plain title.
pub fn title_count(count: usize) {
    let doc = leptos::prelude::document();
    let title = doc.title();
    let plain = match title.strip_prefix('(').and_then(|t| t.split_once(") ")) {
        Some((_, rest)) => rest.to_owned(),
        None => title,
    };
    doc.set_title(&if count > 0 {
        format!("({count}) {plain}")
    } else {
        plain
    });
}

/// `GET /api/v1/appeals/{id}/attachments/{attachment_id}`: saves one file of the question
/// under its name.
///
/// # Errors
/// See [`request`]; 404 when the file is gone.
pub async fn save_attachment(appeal_id: &str, file_id: &str, name: String) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/appeals/{}/attachments/{}",
        encode(appeal_id),
        encode(file_id)
    );
    mini_app_client::files::download(path, name).await
}

/// `GET /api/v1/appeals/{id}` with its thread.
///
/// # Errors
/// See [`request`]; 404 for someone else's or an unknown appeal.
pub async fn appeal(id: String) -> Result<Appeal, ApiError> {
    request(
        Method::Get,
        &format!("/api/v1/appeals/{}", encode(&id)),
        None,
    )
    .await
}

/// What the teacher does to an appeal.
#[derive(Debug, Clone)]
pub enum Action {
    /// A follow-up message.
    Message(PostMessage),
    /// «Не помогло» on a bot answer.
    Escalate,
    /// Withdraws the question.
    Withdraw,
    /// Rates the latest answer.
    Rate(RateAnswer),
    /// A suggestion answered the question.
    Accept(AcceptSuggestion),
    /// Marks what is new as read.
    Read,
    /// «Помогло» on a bot answer: a click, not a rating (the stars stay optional).
    Helpful,
}

/// `POST /api/v1/appeals/{id}/<action>`; answers nothing useful beyond success (the page
/// loads the appeal again, with its thread).
///
/// # Errors
/// See [`request`]; 409 when the action is not allowed in the appeal's state.
pub async fn act(id: &str, action: Action) -> Result<(), ApiError> {
    let (name, body) = match &action {
        Action::Message(body) => ("messages", Some(json_body(body))),
        Action::Escalate => ("escalate", None),
        Action::Withdraw => ("withdraw", None),
        Action::Rate(body) => ("rating", Some(json_body(body))),
        Action::Accept(body) => ("accept-suggestion", Some(json_body(body))),
        Action::Read => ("read", None),
        Action::Helpful => ("helpful", None),
    };
    let path = format!("/api/v1/appeals/{}/{name}", encode(id));
    request::<()>(Method::Post, &path, body.as_ref()).await
}

/// `GET /api/v1/kb/search?q=`.
///
/// # Errors
/// See [`request`].
pub async fn kb_search(q: String) -> Result<SearchResult, ApiError> {
    request(
        Method::Get,
        &format!("/api/v1/kb/search?limit=10&q={}", encode(&q)),
        None,
    )
    .await
}

/// `GET /api/v1/kb/articles/{id}`.
///
/// # Errors
/// See [`request`]; 404 for an unknown or unpublished article.
pub async fn article(id: String) -> Result<Article, ApiError> {
    request(
        Method::Get,
        &format!("/api/v1/kb/articles/{}", encode(&id)),
        None,
    )
    .await
}

fn encode(part: &str) -> String {
    String::from(js_sys::encode_uri_component(part))
}
