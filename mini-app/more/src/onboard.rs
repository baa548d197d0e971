//! The return from Госуслуги: noticed when the mini-app comes back in front
//! (`visibilitychange`), after which the profile is re-read and the status card shows the
//! result.

use leptos::prelude::*;
use leptos::task::spawn_local;
use teacher_app::api::{self, request, ApiError, Method};
use teacher_app::ctx::Ctx;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The state shared by this module's screens.
#[derive(Debug, Clone, Copy)]
pub struct Onb {
    /// A Госуслуги flow was started: re-read the profile when the app is back in front.
    pub esia_waiting: RwSignal<bool>,
}

/// The context provided by [`provide`].
#[must_use]
pub fn onb() -> Onb {
    expect_context::<Onb>()
}

/// Provides the state and listens for the app coming back in front.
pub fn provide(ctx: Ctx) {
    let onb = Onb {
        esia_waiting: RwSignal::new(false),
    };
    provide_context(onb);
    let back = Closure::<dyn Fn()>::new(move || {
        if !document().hidden() && onb.esia_waiting.get_untracked() {
            refresh(ctx, onb);
        }
    });
    let _ignored = document()
        .add_event_listener_with_callback("visibilitychange", back.as_ref().unchecked_ref());
    // Listens for the page's whole life.
    back.forget();
}

/// Re-reads the profile (after Госуслуги).
pub fn refresh(ctx: Ctx, onb: Onb) {
    spawn_local(async move {
        if let Ok(me) = api::me().await {
            if me.verification.status == shared::users::VerificationStatus::Verified {
                onb.esia_waiting.set(false);
            }
            ctx.me.set(Some(me));
        }
    });
}

/// `GET /api/v1/auth/esia/start`: the single-use link to open in the phone's browser.
///
/// # Errors
/// See [`request`]; 409 when already verified, 503 when Госуслуги are unavailable.
pub async fn esia_link() -> Result<String, ApiError> {
    let start: shared::users::EsiaStart =
        request(Method::Get, "/api/v1/auth/esia/start", None).await?;
    Ok(start.url)
}
