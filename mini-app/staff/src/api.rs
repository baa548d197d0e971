//! The staff module's calls; the generic request and the session are shared with the
//! teacher app (`mini-app-client`).

pub use mini_app_client::endpoints::{me, regions, sign_out};
pub use mini_app_client::files::download;
pub use mini_app_client::{json_body, load_into, request, session, ApiError, Method, Remote};

use shared::appeals::{
    AnswerRequest, AnswerResult, Appeal, AssignRequest, Board, BoardColumn, BotGradeRequest,
    CloseRequest, ControlRequest, NoteRequest, PostMessage, TransferRequest,
};
use shared::kb::Article;
use shared::users::{
    Decision, DevLoginRequest, InvitationQueued, LoginRequest, TokenPair, TotpEnrollRequest,
    TotpEnrollment, UpdateUserRequest, UserSummary, VerificationCounts, VerificationDecision,
};
use shared::Page;

async fn sign_in_with(path: &str, body: wasm_bindgen::JsValue) -> Result<(), ApiError> {
    let pair: TokenPair = request(Method::Post, path, Some(&body)).await?;
    session::store(&pair);
    Ok(())
}

/// `POST /api/v1/auth/login`: staff sign-in with e-mail, password and code.
///
/// # Errors
/// See [`request`]; 401 with one generic text for any wrong part, 429 when locked.
pub async fn sign_in_staff(body: LoginRequest) -> Result<(), ApiError> {
    sign_in_with("/api/v1/auth/login", json_body(&body)).await
}

/// `POST /api/v1/auth/dev-login`: the demo sign-in (only when the server runs in dev).
///
/// # Errors
/// See [`request`].
pub async fn sign_in_demo(body: DevLoginRequest) -> Result<(), ApiError> {
    sign_in_with("/api/v1/auth/dev-login", json_body(&body)).await
}

/// Whether the server offers the demo sign-in: an empty body answers 404 when it does not
/// and a validation error (400/422) when it does.
pub async fn demo_available() -> bool {
    let body = js_sys::Object::new().into();
    let answer: Result<(), ApiError> =
        request(Method::Post, "/api/v1/auth/dev-login", Some(&body)).await;
    matches!(answer.map_err(|e| e.status()), Err(Some(400 | 422)))
}

/// `POST /api/v1/auth/totp/enroll`: without a code starts enrolment (the `otpauth://` URI),
/// with a code confirms it.
///
/// # Errors
/// See [`request`]; 422 on a wrong code.
pub async fn totp_enroll(code: Option<String>) -> Result<TotpEnrollment, ApiError> {
    let body = json_body(&TotpEnrollRequest { code });
    request(Method::Post, "/api/v1/auth/totp/enroll", Some(&body)).await
}

/// Filters of the users list (empty strings mean «any»).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub role: String,
    pub verification: String,
    pub blocked: String,
    /// A teacher's education level (`school`, `spo`, `doo`).
    pub level: String,
}

fn push(query: &mut String, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    query.push(if query.is_empty() { '?' } else { '&' });
    query.push_str(key);
    query.push('=');
    query.push_str(&String::from(js_sys::encode_uri_component(value)));
}

/// `GET /api/v1/admin/users` with filters, one page from `cursor`.
///
/// # Errors
/// See [`request`].
pub async fn users(filter: Filter, cursor: Option<String>) -> Result<Page<UserSummary>, ApiError> {
    let mut query = String::new();
    push(&mut query, "role", &filter.role);
    push(&mut query, "verification", &filter.verification);
    push(&mut query, "blocked", &filter.blocked);
    push(&mut query, "level", &filter.level);
    push(&mut query, "cursor", cursor.as_deref().unwrap_or_default());
    push(&mut query, "limit", "20");
    request(Method::Get, &format!("/api/v1/admin/users{query}"), None).await
}

/// `GET /api/v1/admin/users?role=operator&region=…`: the active operators of a region —
/// the colleagues an appeal can be handed to.
///
/// # Errors
/// See [`request`].
pub async fn colleagues(region: &str) -> Result<Page<UserSummary>, ApiError> {
    let mut query = String::new();
    push(&mut query, "role", "operator");
    push(&mut query, "region", region);
    push(&mut query, "blocked", "false");
    push(&mut query, "limit", "100");
    request(Method::Get, &format!("/api/v1/admin/users{query}"), None).await
}

/// `GET /api/v1/admin/verification/counts`: the requests waiting in one's regions, by level.
///
/// # Errors
/// See [`request`].
pub async fn verification_counts() -> Result<VerificationCounts, ApiError> {
    request(Method::Get, "/api/v1/admin/verification/counts", None).await
}

/// `POST /api/v1/admin/users/{id}/verification`: confirm, or reject with a reason.
///
/// # Errors
/// See [`request`]; 422 without a reason for a refusal.
pub async fn decide(
    id: String,
    decision: Decision,
    reason: Option<String>,
) -> Result<UserSummary, ApiError> {
    let body = json_body(&VerificationDecision { decision, reason });
    let path = format!(
        "/api/v1/admin/users/{}/verification",
        js_sys::encode_uri_component(&id)
    );
    request(Method::Post, &path, Some(&body)).await
}

/// `PATCH /api/v1/admin/users/{id}`: block or unblock.
///
/// # Errors
/// See [`request`].
pub async fn set_blocked(id: String, blocked: bool) -> Result<UserSummary, ApiError> {
    let body = json_body(&UpdateUserRequest {
        is_blocked: Some(blocked),
        ..UpdateUserRequest::default()
    });
    let path = format!("/api/v1/admin/users/{}", js_sys::encode_uri_component(&id));
    request(Method::Patch, &path, Some(&body)).await
}

/// `POST /api/v1/admin/users/{id}/invite`: a fresh invitation letter (the earlier link stops
/// working); the e-mail it goes to.
///
/// # Errors
/// See [`request`]; 409 with the reason when the user cannot be invited.
pub async fn invite(id: String) -> Result<String, ApiError> {
    let path = format!(
        "/api/v1/admin/users/{}/invite",
        js_sys::encode_uri_component(&id)
    );
    let answer: InvitationQueued = request(Method::Post, &path, None).await?;
    Ok(answer.email)
}

// --- the operator's workspace ----------------------------------------------------------

fn region_query(region: &str) -> String {
    let mut query = String::new();
    push(&mut query, "region", region);
    query
}

/// `GET /api/v1/appeals/board`, optionally one region of the caller's: the columns.
///
/// # Errors
/// See [`request`].
pub async fn board(region: String) -> Result<Vec<BoardColumn>, ApiError> {
    let path = format!("/api/v1/appeals/board{}", region_query(&region));
    let board: Board = request(Method::Get, &path, None).await?;
    Ok(board.columns)
}

/// `GET /api/v1/appeals` (the staff view): one page from `cursor`, newest first.
///
/// # Errors
/// See [`request`].
pub async fn appeals<const N: usize>(
    filters: [(&'static str, String); N],
    region: String,
    cursor: Option<String>,
) -> Result<Page<shared::appeals::Appeal>, ApiError> {
    let mut query = region_query(&region);
    for (key, value) in &filters {
        // `show` is a choice of one boolean filter (`unread`, `due_today`…) or an assignee.
        match (*key, value.as_str()) {
            ("show", "mine") => push(&mut query, "assignee", "me"),
            ("show", "unassigned") => push(&mut query, "assignee", "none"),
            ("show", flag) => push(&mut query, flag, if flag.is_empty() { "" } else { "true" }),
            (key, value) => push(&mut query, key, value),
        }
    }
    push(&mut query, "cursor", cursor.as_deref().unwrap_or_default());
    push(&mut query, "limit", "20");
    request(Method::Get, &format!("/api/v1/appeals{query}"), None).await
}

fn appeal_path(id: &str, action: &str) -> String {
    let id = String::from(js_sys::encode_uri_component(id));
    if action.is_empty() {
        format!("/api/v1/appeals/{id}")
    } else {
        format!("/api/v1/appeals/{id}/{action}")
    }
}

/// `GET /api/v1/appeals/{id}` with the thread and the internal notes.
///
/// # Errors
/// See [`request`]; 404 outside the operator's regions.
pub async fn appeal(id: String) -> Result<shared::appeals::Appeal, ApiError> {
    request(Method::Get, &appeal_path(&id, ""), None).await
}

/// `POST /api/v1/appeals/{id}/read`: nothing new for this operator any more.
pub async fn mark_read(id: String) {
    // Best effort: the unread mark only comes back on the next load.
    let _ignored: Result<(), ApiError> =
        request(Method::Post, &appeal_path(&id, "read"), None).await;
}

/// An operator's action on an appeal, with its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Take, hand over (`Some`) or return to the queue (`None`).
    Assign(AssignRequest),
    Answer(AnswerRequest),
    /// A clarifying question to the teacher.
    Clarify(PostMessage),
    Note(NoteRequest),
    Grade(BotGradeRequest),
    Close(CloseRequest),
    Transfer(TransferRequest),
    /// «На контроль» (leadership).
    Control(ControlRequest),
    /// «Снять с контроля» (leadership).
    Uncontrol,
}

impl Action {
    /// The last segment of the action's path under `/api/v1/appeals/{id}/`.
    #[must_use]
    pub fn path(&self) -> &'static str {
        match self {
            Self::Assign(_) => "assign",
            Self::Answer(_) => "answer",
            Self::Clarify(_) => "messages",
            Self::Note(_) => "notes",
            Self::Grade(_) => "bot-grade",
            Self::Close(_) => "close",
            Self::Transfer(_) => "transfer",
            Self::Control(_) | Self::Uncontrol => "control",
        }
    }

    fn body(&self) -> wasm_bindgen::JsValue {
        match self {
            Self::Assign(b) => json_body(b),
            Self::Answer(b) => json_body(b),
            Self::Clarify(b) => json_body(b),
            Self::Note(b) => json_body(b),
            Self::Grade(b) => json_body(b),
            Self::Close(b) => json_body(b),
            Self::Transfer(b) => json_body(b),
            Self::Control(b) => json_body(b),
            Self::Uncontrol => wasm_bindgen::JsValue::NULL,
        }
    }
}

/// `POST /api/v1/appeals/{id}/{action}`: the appeal as it is afterwards (for an answer, the
/// `appeal` of its [`AnswerResult`]).
///
/// # Errors
/// See [`request`]; the server's Russian `detail` for conflicts (409) and refusals.
pub async fn act(id: &str, action: &Action) -> Result<Appeal, ApiError> {
    let path = appeal_path(id, action.path());
    let body = action.body();
    if matches!(action, Action::Uncontrol) {
        return request(Method::Delete, &path, None).await;
    }
    if matches!(action, Action::Answer(_)) {
        let result: AnswerResult = request(Method::Post, &path, Some(&body)).await?;
        Ok(result.appeal)
    } else {
        request(Method::Post, &path, Some(&body)).await
    }
}

/// `GET /api/v1/kb/articles/{id}`: the answer text of a suggested article.
///
/// # Errors
/// See [`request`].
pub async fn article_answer(id: String) -> Result<String, ApiError> {
    let path = format!("/api/v1/kb/articles/{}", js_sys::encode_uri_component(&id));
    let article: Article = request(Method::Get, &path, None).await?;
    Ok(article.answer)
}

/// A query string from `(key, value)` pairs; empty values are left out.
#[must_use]
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut query = String::new();
    for (key, value) in pairs {
        push(&mut query, key, value);
    }
    query
}
