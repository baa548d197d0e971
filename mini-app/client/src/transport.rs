//! One exchange with the api, without the session: the typed error, the method, the body,
//! the timeout and the decoding. [`crate::api`] adds the token and its refresh on top;
//! [`crate::session`] refreshes through this module directly, so neither imports the other
//! in a circle.

use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, window};
use shared::Problem;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::json::{FromJs, ToJs};
use crate::strings;

/// A request that has not finished by then is aborted and reported as no connection.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, DNS, CORS, aborted by the timeout.
    Network,
    /// The api's `application/problem+json` answer; its `detail` is Russian and shown as is.
    Problem(Box<Problem>),
    /// An error status without a readable problem document.
    Status(u16),
    /// A success answer whose body did not match the expected type.
    Decode,
    /// The request body could not be converted to JSON.
    Encode,
}

impl ApiError {
    /// Russian text for the user.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Network => strings::ERR_NETWORK.to_owned(),
            Self::Problem(p) if !p.detail.trim().is_empty() => p.detail.clone(),
            Self::Problem(p) => format!("{} {}.", strings::ERR_STATUS, p.status),
            Self::Status(status) => format!("{} {status}.", strings::ERR_STATUS),
            Self::Decode => strings::ERR_DECODE.to_owned(),
            Self::Encode => strings::ERR_ENCODE.to_owned(),
        }
    }

    /// The HTTP status, when the server answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem(p) => Some(p.status),
            Self::Status(status) => Some(*status),
            _ => None,
        }
    }

    /// The problem's stable machine code (`totp_required`, `validation_failed`…).
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Problem(p) => Some(&p.code),
            _ => None,
        }
    }

    /// The Russian message of a field error (`errors[]` of a 422), if that field failed.
    #[must_use]
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            Self::Problem(p) => p
                .errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// True when the problem names at least one field.
    #[must_use]
    pub fn has_field_errors(&self) -> bool {
        matches!(self, Self::Problem(p) if !p.errors.is_empty())
    }
}

/// HTTP methods the api uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// A request body for [`request`].
#[must_use]
pub fn json_body<B: ToJs>(body: &B) -> JsValue {
    body.to_js()
}

/// Converts a parsed JSON body (or `undefined` for a 204) to `T`.
///
/// # Errors
/// [`ApiError::Decode`] when the shape does not match.
pub fn decode<T: FromJs>(value: &JsValue) -> Result<T, ApiError> {
    T::from_js(value).ok_or(ApiError::Decode)
}

/// One HTTP exchange, without the refresh logic: the parsed JSON body (`undefined` for a
/// 204) or the error.
pub(crate) async fn send(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
    token: Option<&str>,
    key: Option<&str>,
) -> Result<JsValue, ApiError> {
    let init = RequestInit::new();
    init.set_method(method.as_str());
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|_| ApiError::Network);
    set("Accept", "application/json, application/problem+json")?;
    if let Some(token) = token {
        set("Authorization", &format!("Bearer {token}"))?;
    }
    if let Some(key) = key {
        set("Idempotency-Key", key)?;
    }
    if let Some(blob) = body.and_then(|b| b.dyn_ref::<web_sys::Blob>()) {
        // A file goes as it is (attachments); the api checks its type by content.
        let kind = blob.type_();
        set(
            "Content-Type",
            if kind.is_empty() {
                "application/octet-stream"
            } else {
                &kind
            },
        )?;
        init.set_body(blob);
    } else if let Some(body) = body {
        set("Content-Type", "application/json")?;
        let text = js_sys::JSON::stringify(body).map_err(|_| ApiError::Encode)?;
        init.set_body(&text);
    }
    init.set_headers(&headers);

    let controller = AbortController::new().ok();
    let timer = controller.as_ref().and_then(|controller| {
        init.set_signal(Some(&controller.signal()));
        let controller = controller.clone();
        set_timeout_with_handle(move || controller.abort(), TIMEOUT).ok()
    });
    let result = exchange(path, &init).await;
    if let Some(timer) = timer {
        timer.clear();
    }
    result
}

async fn exchange(path: &str, init: &RequestInit) -> Result<JsValue, ApiError> {
    let response = JsFuture::from(window().fetch_with_str_and_init(path, init))
        .await
        .map_err(|_| ApiError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| ApiError::Network)?;
    let status = response.status();

    if response.ok() {
        if status == 204 {
            return Ok(JsValue::UNDEFINED);
        }
        return body_json(&response).await.ok_or(ApiError::Decode);
    }

    let content_type = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if content_type.contains("json") {
        if let Some(problem) = body_json(&response)
            .await
            .and_then(|value| Problem::from_js(&value))
        {
            return Err(ApiError::Problem(Box::new(problem)));
        }
    }
    Err(ApiError::Status(status))
}

/// The body parsed by the browser's JSON parser; `None` when it is not JSON or the
/// connection broke while reading.
async fn body_json(response: &Response) -> Option<JsValue> {
    JsFuture::from(response.json().ok()?).await.ok()
}
