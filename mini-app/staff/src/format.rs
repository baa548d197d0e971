//! How the operator's screens show an appeal's id, author, times and deadline.

use leptos::prelude::*;
use shared::appeals::{Appeal, AppealStatus};
use wasm_bindgen::JsValue;

use crate::ws_strings as s;

/// «25.11 15:04» in the browser's time zone.
#[must_use]
pub fn when(iso: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return iso.to_owned();
    }
    format!(
        "{:02}.{:02}.{} {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// «№ 16-000123»: the appeal's human number, the one teachers, letters and the search use.
#[must_use]
pub fn number(appeal: &Appeal) -> String {
    format!("{}{}", s::NUMBER, appeal.number)
}

/// The teacher's name as the server gives it, or «Анонимно».
#[must_use]
pub fn author(appeal: &Appeal) -> String {
    appeal
        .author_name
        .clone()
        .filter(|_| !appeal.anonymous)
        .unwrap_or_else(|| s::ANONYMOUS.to_owned())
}

/// The deadline badge of an appeal that waits for an answer, red when overdue; while the
/// teacher owes the reply to a clarifying question, «Ждём ответа учителя» instead.
#[must_use]
pub fn deadline_badge(appeal: &Appeal) -> Option<AnyView> {
    let waits = matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress);
    // A clarifying question stopped the clock: the teacher owes the reply, not the operator.
    if waits && appeal.waiting_for_teacher {
        return Some(
            view! { <span class="badge waiting-teacher">{s::WAITING_TEACHER}</span> }.into_any(),
        );
    }
    let at = appeal.deadline_at.as_deref().filter(|_| waits)?;
    let (class, late) = if appeal.is_overdue {
        ("badge badge-bad deadline", format!(" · {}", s::OVERDUE))
    } else {
        ("badge badge-wait deadline", String::new())
    };
    Some(view! { <span class=class>{s::DEADLINE} " " {when(at)} {late}</span> }.into_any())
}
