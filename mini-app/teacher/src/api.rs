//! Talking to the api: one generic [`request`], typed endpoint functions, and [`Remote`],
//! the loading state of fetched data as the pages show it.
//!
//! Bodies are parsed by the browser (`Response.json()`, `JSON.stringify`) and converted with
//! serde-wasm-bindgen, so no JSON parser is compiled into the module.

use std::future::Future;
use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, window, RwSignal, Set};
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::{ItemList, Problem, Region};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::strings;

/// Where the bearer token is kept between launches (`localStorage`).
const TOKEN_KEY: &str = "pomoshnik.token";
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

/// The stored bearer token, if any.
#[must_use]
pub fn token() -> Option<String> {
    let storage = window().local_storage().ok()??;
    storage.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty())
}

/// Stores the bearer token sent with every request, or forgets it with `None`. Storage may be
/// unavailable in a WebView; then the token is simply not kept.
pub fn set_token(token: Option<&str>) {
    if let Ok(Some(storage)) = window().local_storage() {
        // Nothing useful to do when storage refuses (quota, private mode).
        let _ignored = match token {
            Some(token) => storage.set_item(TOKEN_KEY, token),
            None => storage.remove_item(TOKEN_KEY),
        };
    }
}

/// Converts a request body for [`request`].
///
/// # Errors
/// [`ApiError::Encode`] when the value has no JSON form.
pub fn json_body<B: Serialize>(body: &B) -> Result<JsValue, ApiError> {
    body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| ApiError::Encode)
}

/// Sends a request to the api (`path` like `/api/v1/regions`) with the stored bearer token
/// and an optional JSON body (see [`json_body`]), and decodes the JSON answer as `T`.
/// A `204 No Content` decodes from `undefined`, so `T = ()` fits it.
///
/// # Errors
/// See [`ApiError`]; error answers in `application/problem+json` become
/// [`ApiError::Problem`].
pub async fn request<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&JsValue>,
) -> Result<T, ApiError> {
    let init = RequestInit::new();
    init.set_method(method.as_str());
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|_| ApiError::Network);
    set("Accept", "application/json, application/problem+json")?;
    if let Some(token) = token() {
        set("Authorization", &format!("Bearer {token}"))?;
    }
    if let Some(body) = body {
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
    let result = send(path, &init).await;
    if let Some(timer) = timer {
        timer.clear();
    }
    result
}

async fn send<T: DeserializeOwned>(path: &str, init: &RequestInit) -> Result<T, ApiError> {
    let response = JsFuture::from(window().fetch_with_str_and_init(path, init))
        .await
        .map_err(|_| ApiError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| ApiError::Network)?;
    let status = response.status();

    if response.ok() {
        if status == 204 {
            return serde_wasm_bindgen::from_value(JsValue::UNDEFINED)
                .map_err(|_| ApiError::Decode);
        }
        let value = body_json(&response).await.ok_or(ApiError::Decode)?;
        return serde_wasm_bindgen::from_value(value).map_err(|_| ApiError::Decode);
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
            .and_then(|value| serde_wasm_bindgen::from_value::<Problem>(value).ok())
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

/// `GET /api/v1/regions`: every subject of the Federation.
///
/// # Errors
/// See [`request`].
pub async fn regions() -> Result<Vec<Region>, ApiError> {
    request::<ItemList<Region>>(Method::Get, "/api/v1/regions", None)
        .await
        .map(|list| list.items)
}

/// Data that is being fetched, as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

impl<T> From<Result<T, ApiError>> for Remote<T> {
    fn from(result: Result<T, ApiError>) -> Self {
        match result {
            Ok(value) => Self::Ready(value),
            Err(error) => Self::Failed(error),
        }
    }
}

/// Sets `target` to [`Remote::Loading`], runs `fetch` in the background and stores its
/// outcome. Call it again to retry.
pub fn load_into<T, F>(target: RwSignal<Remote<T>>, fetch: F)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    target.set(Remote::Loading);
    spawn_local(async move { target.set(fetch.await.into()) });
}
