//! How the operator's screens show an appeal's id, author, times and deadline.

use leptos::prelude::*;
use mini_app_client::{words, Remote};
use shared::appeals::{Appeal, AppealStatus};

use crate::ws_strings as s;

/// «5 дек., 12:26» (the year added when not this year) on the phone's clock: the one
/// shape of a moment on every screen (`mini_app_client::words`).
#[must_use]
pub fn when(iso: &str) -> String {
    words::date_time(iso)
}

/// The IANA time zone of the region `code`, when the regions are loaded: the staff module's
/// list, or the one a hosted module provides (the appeal module does).
fn region_zone(code: &str) -> Option<String> {
    let regions = use_context::<crate::ctx::Ctx>()
        .map(|ctx| ctx.regions)
        .or_else(use_context::<crate::regions::Regions>)?;
    regions.with_untracked(|r| match r {
        Remote::Ready(list) => list
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.timezone.clone()),
        _ => None,
    })
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
    let class = if appeal.is_overdue {
        "badge badge-bad deadline"
    } else {
        "badge badge-wait deadline"
    };
    let tz = region_zone(&appeal.region.code);
    // On the region's clock, its zone named, with the working days the server counted:
    // «осталось 2 раб. дня · до 11 дек., 23:59 (МСК)», «сегодня до 23:59 (МСК)»,
    // «просрочено на 1 раб. день · …»; without the count «Срок до 11 дек., 23:59 (МСК)».
    let text = match appeal.working_days_left {
        Some(_) => words::deadline(at, tz.as_deref(), appeal.working_days_left),
        None if appeal.is_overdue => format!(
            "{} {} · {}",
            s::DEADLINE,
            words::until(at, tz.as_deref()),
            s::OVERDUE
        ),
        None => format!("{} {}", s::DEADLINE, words::until(at, tz.as_deref())),
    };
    Some(view! { <span class=class>{text}</span> }.into_any())
}
