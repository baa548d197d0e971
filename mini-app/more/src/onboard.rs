//! The return from Госуслуги: noticed when the mini-app comes back in front
//! (`visibilitychange`), after which the profile is re-read and the status card shows the
//! result; calls after which the profile is re-read ([`call_then_reread`]).

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
    reread(ctx, onb, None, RwSignal::new(None));
}

/// Sends a call whose answer is not needed (`method`, `path`, `body`) and, once it
/// succeeded, re-reads the profile (which the first load then reads too); a failure goes to
/// `error`.
pub fn call_then_reread(
    ctx: Ctx,
    call: (Method, &'static str, Option<wasm_bindgen::JsValue>),
    error: RwSignal<Option<String>>,
) {
    reread(ctx, onb(), Some(call), error);
}

/// One future for the re-reading and every call before it keeps the module small.
fn reread(
    ctx: Ctx,
    onb: Onb,
    call: Option<(Method, &'static str, Option<wasm_bindgen::JsValue>)>,
    error: RwSignal<Option<String>>,
) {
    spawn_local(async move {
        if let Some((method, path, body)) = call {
            if let Err(e) = request::<()>(method, path, body.as_ref()).await {
                error.set(Some(e.message()));
                return;
            }
        }
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
