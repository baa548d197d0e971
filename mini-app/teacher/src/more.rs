//! The first load's side of the second teacher module (`mini-app/more`): the first sign-in's
//! consent and profile, the history of questions, one appeal, the base of answers, the
//! profile and the verification request live there, so the first load stays small. The module is fetched when one of its screens opens, or a
//! little after the first screen is up; it mounts into `#more` (a sibling of `#app` in
//! `index.html`) and, while the route is one of its own, puts `more-route` on `<body>`,
//! which hides `#app` and shows `#more` (see `app.css`). Until then `#app` shows
//! [`placeholder`]. When it changes the profile (saved, a verification request) it fires
//! [`ME_CHANGED`] on `window`, and the first load reloads the profile; after a sign-out
//! or erasure there it fires [`SIGNED_OUT`], and the first load shows the signed-out screen.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ErrorBox, Loading};
use crate::ctx::{Ctx, Phase};
use crate::router::Route;
use crate::strings;
use mini_app_client::modules::load_module;

/// The `window` event the second module fires after it changed the profile.
pub const ME_CHANGED: &str = "pomoshnik-me";

/// The `window` event the second module fires after signing out or erasing the data (from
/// the profile screen); the event's `detail` is the notice to show.
pub const SIGNED_OUT: &str = "pomoshnik-signed-out";

/// How long after the first teacher screen the second module is fetched anyway, so that
/// the history opens at once; long enough not to compete with the first screen's calls.
const PREFETCH_AFTER: std::time::Duration = std::time::Duration::from_millis(2500);

/// Whether the second module failed to load (shown by [`placeholder`]).
#[derive(Debug, Clone, Copy)]
struct MoreFailed(RwSignal<bool>);

/// Loads the second module when a teacher opens one of its screens or has not given consent
/// yet (at once), or has been on another screen for a moment (prefetch), and reloads the
/// profile when it says so.
pub fn host(ctx: Ctx, route: ReadSignal<Route>, consented: Memo<bool>) {
    let failed = MoreFailed(RwSignal::new(false));
    provide_context(failed);
    let load = move || load_module("more", move || failed.0.set(true));
    let prefetch_armed = StoredValue::new(false);
    Effect::new(move |_| {
        if ctx.phase.get() != Phase::Teacher {
            return;
        }
        if route.get().in_more() || !consented.get() {
            load();
        } else if !prefetch_armed.get_value() {
            prefetch_armed.set_value(true);
            set_timeout(load, PREFETCH_AFTER);
        }
    });
    let _handle = window_event_listener(
        leptos::ev::Custom::<web_sys::Event>::new(ME_CHANGED),
        move |_| {
            spawn_local(ctx.load_me());
        },
    );
    let _handle = window_event_listener(
        leptos::ev::Custom::<web_sys::CustomEvent>::new(SIGNED_OUT),
        move |event| {
            let detail = event.detail().as_string();
            let notice = [strings::SIGNED_OUT, strings::ERASED]
                .into_iter()
                .find(|known| detail.as_deref() == Some(*known));
            ctx.signed_out(notice);
        },
    );
}

/// What `#app` shows on a screen of the second module until the module takes over.
pub fn placeholder() -> AnyView {
    let failed = use_context::<MoreFailed>().map(|f| f.0);
    (move || {
        if failed.is_some_and(|f| f.get()) {
            view! {
                <ErrorBox
                    message=strings::MORE_FAILED.to_owned()
                    on_retry=move |()| {
                        let _ignored = window().location().reload();
                    }
                />
            }
            .into_any()
        } else {
            view! { <Loading/> }.into_any()
        }
    })
    .into_any()
}
