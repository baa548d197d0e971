//! The unsent question, kept in `localStorage` so it survives closing the app and a lost
//! network. Once a send was tried, the draft also keeps the `Idempotency-Key` it went with
//! and the exact body: a retry of the same body reuses the key, so the server answers with
//! the appeal it already created instead of creating a second one.

use leptos::prelude::window;
use shared::appeals::CreateAppeal;

const TEXT: &str = "pomoshnik.draft.text";
const ANONYMOUS: &str = "pomoshnik.draft.anonymous";
const KEY: &str = "pomoshnik.draft.key";
const SENT: &str = "pomoshnik.draft.sent";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok()?
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn write(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ignored = storage.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ignored = storage.remove_item(key);
    }
}

/// The body as it is remembered next to its key.
fn fingerprint(body: &CreateAppeal) -> String {
    format!("{}{}", u8::from(body.anonymous), body.text)
}

/// The draft being typed: text and the «Анонимно» choice.
#[must_use]
pub fn load() -> (String, bool) {
    (
        read(TEXT).unwrap_or_default(),
        read(ANONYMOUS).as_deref() == Some("1"),
    )
}

/// Keeps the draft being typed.
pub fn save(text: &str, anonymous: bool) {
    write(TEXT, text);
    write(ANONYMOUS, if anonymous { "1" } else { "0" });
}

/// The key for sending `body`: the stored one when this very body was tried before,
/// otherwise a new one (remembered with the body before the request leaves).
#[must_use]
pub fn key_for(body: &CreateAppeal) -> String {
    let print = fingerprint(body);
    if let (Some(key), Some(sent)) = (read(KEY), read(SENT)) {
        if sent == print && !key.is_empty() {
            return key;
        }
    }
    let key = new_key();
    write(KEY, &key);
    write(SENT, &print);
    key
}

/// A send that was tried and not confirmed: the body and its key.
#[must_use]
pub fn pending() -> Option<(CreateAppeal, String)> {
    let key = read(KEY).filter(|k| !k.is_empty())?;
    let sent = read(SENT)?;
    let anonymous = sent.starts_with('1');
    let text = sent.get(1..)?.to_owned();
    Some((CreateAppeal { text, anonymous }, key))
}

/// The server refused the body for good (validation, not verified): a corrected question
/// gets a new key.
pub fn forget_key() {
    remove(KEY);
    remove(SENT);
}

/// The question was accepted: nothing left to keep.
pub fn clear() {
    for key in [TEXT, ANONYMOUS, KEY, SENT] {
        remove(key);
    }
}

/// 128 random bits as hex (`crypto.randomUUID` is newer than the oldest WebViews).
fn new_key() -> String {
    let mut key = String::from("ma-");
    let now = js_sys::Date::now() as u64;
    key.push_str(&format!("{now:x}-"));
    for _ in 0..4 {
        let part = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        key.push_str(&format!("{part:08x}"));
    }
    key
}
