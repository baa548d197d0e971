//! Exchanges whose body or answer is not JSON: files the user downloads (reports, an
//! appeal's attachments) and uploads of other types, with the same bearer token and error
//! mapping as [`crate::api::request`].

use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::endpoints::me;
use crate::session;

/// One authorised exchange with a non-JSON body or answer (reports, calendar files). A
/// cheap JSON request first lets the shared client refresh an expired token.
///
/// # Errors
/// The server's problem, or [`ApiError::Network`].
pub async fn raw(
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Result<web_sys::Response, ApiError> {
    me().await?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    if let Some(token) = session::access_token() {
        let _ignored = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some((content_type, text)) = body {
        let _ignored = headers.set("Content-Type", content_type);
        init.set_body(&wasm_bindgen::JsValue::from_str(text));
    }
    init.set_headers(&headers);
    let response = wasm_bindgen_futures::JsFuture::from(
        leptos::prelude::window().fetch_with_str_and_init(path, &init),
    )
    .await
    .map_err(|_| ApiError::Network)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let problem = match response.json() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    Err(problem
        .and_then(|p| crate::decode::<shared::Problem>(&p).ok())
        .map_or(ApiError::Status(status), |p| ApiError::Problem(Box::new(p))))
}

/// Downloads a file (a report, an appeal's attachment) with the bearer token and saves it
/// as `name` through a Blob URL (a plain link cannot send the token).
///
/// # Errors
/// The server's problem, or [`ApiError::Network`].
pub async fn download(path: String, name: String) -> Result<(), ApiError> {
    let response = raw("GET", &path, None).await?;
    let blob = response.blob().map_err(|_| ApiError::Network)?;
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Network)?;
    let doc = leptos::prelude::document();
    if let Some(link) = doc
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(&name);
        link.click();
    }
    let _ignored = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
