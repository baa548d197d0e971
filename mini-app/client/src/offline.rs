//! Working through a lost connection (weak mobile networks are the norm for many users):
//!
//! - **Reads** (`GET`) that succeed are kept in `localStorage` (the last [`KEEP`] of them,
//!   each under [`MAX_BYTES`]); when a read gets no answer, the kept copy is returned
//!   instead and [`stale`] turns on, so the screens show the last loaded data under the
//!   [`StaleBanner`] marker. The next answered request turns it off. Sign-out and erasure
//!   forget every kept copy ([`forget_all`], called by `session::clear`).
//! - **Writes** that get no answer are sent again with the **same** `Idempotency-Key`
//!   (one is made for any write that has none), after the browser says it is back online
//!   or after a growing pause, up to [`ATTEMPTS`] times: the api answers a repeated key
//!   with the first outcome, so nothing is created twice.

use std::cell::Cell;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::strings;

/// How many reads are kept.
const KEEP: usize = 24;
/// Larger answers are not kept (`localStorage` holds about 5 MB per site).
const MAX_BYTES: usize = 96 * 1024;
const PREFIX: &str = "pomoshnik.cache:";
const INDEX: &str = "pomoshnik.cache.index";
/// Tries of a write with no answer, the first included.
pub const ATTEMPTS: u32 = 5;

thread_local! {
    static STALE: Cell<Option<RwSignal<bool>>> = const { Cell::new(None) };
}

/// True while the screens show kept copies because the api did not answer.
#[must_use]
pub fn stale() -> RwSignal<bool> {
    STALE.with(|cell| {
        cell.get().unwrap_or_else(|| {
            let signal = RwSignal::new(false);
            cell.set(Some(signal));
            signal
        })
    })
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok()?
}

fn index(storage: &web_sys::Storage) -> Vec<String> {
    storage
        .get_item(INDEX)
        .ok()
        .flatten()
        .map(|s| {
            s.split('\n')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Keeps the answer to `GET path` (most recent first; the oldest beyond [`KEEP`] go).
pub fn keep(path: &str, value: &JsValue) {
    let (Some(storage), Some(text)) = (
        storage(),
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|t| t.as_string()),
    ) else {
        return;
    };
    if text.len() > MAX_BYTES || path.contains('\n') {
        return;
    }
    let mut paths = index(&storage);
    paths.retain(|p| p != path);
    paths.insert(0, path.to_owned());
    for old in paths.drain(KEEP.min(paths.len())..) {
        let _ignored = storage.remove_item(&format!("{PREFIX}{old}"));
    }
    let _ignored = storage.set_item(&format!("{PREFIX}{path}"), &text);
    let _ignored = storage.set_item(INDEX, &paths.join("\n"));
}

/// The kept answer to `GET path`, if any.
#[must_use]
pub fn kept(path: &str) -> Option<JsValue> {
    let text = storage()?.get_item(&format!("{PREFIX}{path}")).ok()??;
    js_sys::JSON::parse(&text).ok()
}

/// Forgets every kept answer (sign-out, erasure, another user).
pub fn forget_all() {
    let Some(storage) = storage() else { return };
    for path in index(&storage) {
        let _ignored = storage.remove_item(&format!("{PREFIX}{path}"));
    }
    let _ignored = storage.remove_item(INDEX);
}

/// A fresh `Idempotency-Key` for a write that has none (128 random bits, hex).
#[must_use]
pub fn new_key() -> String {
    let mut bytes = [0_u8; 16];
    let filled = window()
        .crypto()
        .ok()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old WebViews): time and Math.random still make clashes
        // between one user's own writes practically impossible.
        let seed = js_sys::Date::now().to_bits() ^ (js_sys::Math::random() * 9.0e15) as u64;
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..].copy_from_slice(&((js_sys::Math::random() * 9.0e15) as u64).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Waits before try number `attempt` (1-based) of a write: until the browser is back online
/// or the pause (1, 2, 4, 8 s) is over, whichever comes first.
pub async fn pause_before(attempt: u32) {
    let pause = Duration::from_secs(1 << attempt.saturating_sub(1).min(3));
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let resolve_online = resolve.clone();
        let on_online = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ignored = resolve_online.call0(&JsValue::NULL);
        });
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ignored = window().add_event_listener_with_callback_and_add_event_listener_options(
            "online",
            on_online.unchecked_ref(),
            &options,
        );
        set_timeout(
            move || {
                let _ignored = resolve.call0(&JsValue::NULL);
            },
            pause,
        );
    });
    let _ignored = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The marker over screens that show kept copies.
#[component]
pub fn StaleBanner() -> impl IntoView {
    let stale = stale();
    move || {
        stale.get().then(|| {
            view! { <p class="stale" id="stale" role="status">{strings::STALE}</p> }
        })
    }
}
