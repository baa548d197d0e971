//! The signed-in session: the token pair kept in `localStorage` (shared by both modules, as
//! they run on the same page), a single-flight refresh, and events the apps react to.
//!
//! Refresh tokens are single-use and reusing one revokes the whole sign-in, so concurrent
//! 401s must share one refresh: the first starts it, the others await the same promise.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::window;
use shared::users::{RefreshRequest, TokenPair};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::transport::{self, json_body, ApiError, Method};

const ACCESS_KEY: &str = "pomoshnik.access";
const REFRESH_KEY: &str = "pomoshnik.refresh";

/// Something the app should react to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The session ended (refresh refused): the tokens are gone, show the sign-in.
    Expired,
    /// The api wants a second factor enrolled before anything else.
    TotpRequired,
}

type Listener = Rc<dyn Fn(Event)>;

thread_local! {
    static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
}

/// Where the running refresh's promise is kept: on the page's global object, so the
/// modules of one page (each with its own memory) share a single refresh — two refreshes
/// with the same token would look like token theft to the api and end the session.
const REFRESHING: &str = "__pomoshnikRefreshing";

fn running_refresh() -> Option<js_sys::Promise> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(REFRESHING))
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Promise>().ok())
}

fn set_running_refresh(promise: &JsValue) {
    let _ignored = js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str(REFRESHING), promise);
}

/// Sets the one listener for session events (the app's root).
pub fn on_event(listener: impl Fn(Event) + 'static) {
    LISTENER.with(|l| *l.borrow_mut() = Some(Rc::new(listener)));
}

pub(crate) fn emit(event: Event) {
    if let Some(listener) = LISTENER.with(|l| l.borrow().clone()) {
        listener(event);
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok()?
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?.filter(|t| !t.is_empty())
}

/// The stored access token, if signed in.
#[must_use]
pub fn access_token() -> Option<String> {
    read(ACCESS_KEY)
}

/// The stored refresh token, if signed in.
#[must_use]
pub fn refresh_token() -> Option<String> {
    read(REFRESH_KEY)
}

/// True while a token pair is stored.
#[must_use]
pub fn is_signed_in() -> bool {
    access_token().is_some()
}

/// Keeps a new token pair. Storage may be unavailable in a WebView; then the pair lives
/// only until the page closes (nothing useful to do when storage refuses).
pub fn store(pair: &TokenPair) {
    if let Some(storage) = storage() {
        let _ignored = storage.set_item(ACCESS_KEY, &pair.access_token);
        let _ignored = storage.set_item(REFRESH_KEY, &pair.refresh_token);
    }
}

/// Forgets the token pair (sign-out, erased data, refused refresh).
pub fn clear() {
    if let Some(storage) = storage() {
        let _ignored = storage.remove_item(ACCESS_KEY);
        let _ignored = storage.remove_item(REFRESH_KEY);
    }
    crate::offline::forget_all();
}

/// Exchanges the refresh token for a new pair after a 401 on a request made with `used`.
/// When another request already refreshed (the stored token differs from `used`), nothing
/// is sent; when a refresh is running, this waits for it.
///
/// # Errors
/// A 401 when the refresh was refused: the session is then cleared and
/// [`Event::Expired`] has fired. Other errors (no connection) keep the session.
pub async fn refresh(used: Option<&str>) -> Result<(), ApiError> {
    if access_token().as_deref() != used && access_token().is_some() {
        return Ok(());
    }
    let promise = if let Some(promise) = running_refresh() {
        promise
    } else {
        let promise = future_to_promise(async {
            let outcome = refresh_now().await;
            set_running_refresh(&JsValue::UNDEFINED);
            // 1: refreshed; an HTTP status: refused; 0: no answer.
            Ok(JsValue::from_f64(match outcome {
                Ok(()) => 1.0,
                Err(error) => f64::from(error.status().unwrap_or(0)),
            }))
        });
        set_running_refresh(&promise);
        promise
    };
    let outcome = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |v| v as u16);
    match outcome {
        1 => Ok(()),
        400 | 401 => Err(ApiError::Status(401)),
        _ => Err(ApiError::Network),
    }
}

async fn refresh_now() -> Result<(), ApiError> {
    let Some(refresh_token) = refresh_token() else {
        expire();
        return Err(ApiError::Status(401));
    };
    let body = json_body(&RefreshRequest { refresh_token });
    let answer = transport::send(
        Method::Post,
        "/api/v1/auth/refresh",
        Some(&body),
        None,
        None,
    )
    .await;
    match answer.and_then(|value| transport::decode::<TokenPair>(&value)) {
        Ok(pair) => {
            store(&pair);
            Ok(())
        }
        Err(error) if matches!(error.status(), Some(400 | 401)) => {
            expire();
            Err(error)
        }
        Err(error) => Err(error),
    }
}

fn expire() {
    clear();
    emit(Event::Expired);
}

/// How the current access token was obtained (the JWT's `amr` claim: `max`, `pwd`,
/// `pwd+otp`, `dev`). Read without checking the signature: it only picks a screen, the
/// server decides what the token may do.
#[must_use]
pub fn method() -> Option<String> {
    let token = access_token()?;
    let payload = token.split('.').nth(1)?;
    let mut b64: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !b64.len().is_multiple_of(4) {
        b64.push('=');
    }
    let json = window().atob(&b64).ok()?;
    let claims = js_sys::JSON::parse(&json).ok()?;
    js_sys::Reflect::get(&claims, &JsValue::from_str("amr"))
        .ok()?
        .as_string()
}
