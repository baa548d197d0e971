//! Talking to the api: one generic [`request`] and the typed error it returns.

use leptos::prelude::{GetUntracked, Set};
use wasm_bindgen::JsValue;

use crate::json::FromJs;
use crate::offline;
use crate::session::{self, Event};
pub(crate) use crate::transport::send;
pub use crate::transport::{decode, json_body, ApiError, Method};

/// Sends a request to the api (`path` like `/api/v1/me`) with the stored access token and an
/// optional JSON body (see [`json_body`]; a `Blob` or `File` goes as it is, with its type), and decodes the JSON answer as `T`. A
/// `204 No Content` decodes from `undefined`, so `T = ()` fits it.
///
/// A 401 on a signed-in request refreshes the token pair once (see
/// [`session::refresh`]) and retries; when the refresh fails the session is dropped and
/// [`Event::Expired`] fires. A 403 `totp_required` fires [`Event::TotpRequired`].
///
/// # Errors
/// See [`ApiError`]; error answers in `application/problem+json` become
/// [`ApiError::Problem`].
pub async fn request<T: FromJs>(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
) -> Result<T, ApiError> {
    decode(&request_value(method, path, body).await?)
}

/// [`request`] without the decoding: the body as the browser parsed it. Not generic, so the
/// whole exchange is compiled once.
///
/// # Errors
/// See [`request`].
pub async fn request_value(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
) -> Result<JsValue, ApiError> {
    request_keyed(method, path, body, None).await
}

/// [`request_value`] with an `Idempotency-Key` header: a retry with the same key and body
/// gets the first answer again instead of creating a second record.
///
/// Through a lost connection (see [`offline`]): a read with no answer returns the copy kept
/// from its last answer and turns [`offline::stale`] on; a write with no answer (outside
/// `/auth/`) is sent again with the same key — one is made when `key` is `None` — once the
/// browser is back online or after a pause, up to [`offline::ATTEMPTS`] times.
///
/// # Errors
/// See [`request`].
pub async fn request_keyed(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
    key: Option<&str>,
) -> Result<JsValue, ApiError> {
    let read = method == Method::Get;
    let retried = !read && !path.contains("/auth/");
    let made = (retried && key.is_none()).then(offline::new_key);
    let key = key.or(made.as_deref());
    let mut attempt = 1;
    let result = loop {
        let result = with_refresh(method, path, body, key).await;
        if retried && matches!(result, Err(ApiError::Network)) && attempt < offline::ATTEMPTS {
            offline::pause_before(attempt).await;
            attempt += 1;
            continue;
        }
        break result;
    };
    let stale = offline::stale();
    match &result {
        Err(ApiError::Network) => {
            if let Some(copy) = read.then(|| offline::kept(path)).flatten() {
                stale.set(true);
                return Ok(copy);
            }
        }
        answered => {
            if stale.get_untracked() {
                stale.set(false);
            }
            if let (true, Ok(value)) = (read, answered) {
                offline::keep(path, value);
            }
        }
    }
    result
}

/// One request with the refresh of an expired access token.
async fn with_refresh(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
    key: Option<&str>,
) -> Result<JsValue, ApiError> {
    let used = session::access_token();
    let first = send(method, path, body, used.as_deref(), key).await;
    let result = match first {
        Err(error) if error.status() == Some(401) && used.is_some() && !path.contains("/auth/") => {
            match session::refresh(used.as_deref()).await {
                Ok(()) => {
                    let token = session::access_token();
                    send(method, path, body, token.as_deref(), key).await
                }
                Err(refresh_error) if refresh_error.status() == Some(401) => Err(error),
                Err(refresh_error) => Err(refresh_error),
            }
        }
        other => other,
    };
    if let Err(error) = &result {
        if error.code() == Some("totp_required") {
            session::emit(Event::TotpRequired);
        }
    }
    result
}
