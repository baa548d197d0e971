//! «Помощник», the teacher's second module: the first sign-in's consent and profile, the
//! history of questions, one appeal with its thread, follow-up, rating and escalation, the
//! base of answers, the profile and the verification request. The first load (`mini-app/teacher`) appends it when one of these screens opens
//! or a little after its first screen (see `teacher_app::more`); it signs in with the
//! session the first load stored, mounts into `#more` and, while the route is one of its
//! own or consent is missing, sets `more-route` on `<body>` so that `#more` shows instead of `#app`.
//!
//! The screens are this crate's ([`pages`]); it links the first load's crate as a library
//! (without its entry point) for what both share — the context, the calls, the router, the
//! components and the strings — so the screens' code is in this module's WebAssembly and not
//! in the first load's.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::endpoints::{ME_PATH, REGIONS_PATH};
use mini_app_client::offline;
use shared::users::Me;
use shared::{Page, Region};
use teacher_app::api::{self, session, Remote};
use teacher_app::components::{ErrorBox, Loading};
use teacher_app::ctx::{Ctx, Phase};
use teacher_app::more::{ME_CHANGED, SIGNED_OUT};
pub mod onboard;
pub mod pages;
pub mod strings;

use pages::{
    AnswersPage, AppealPage, AppealsPage, ArticlePage, OnboardingPage, ProfilePage,
    VerificationPage,
};
use teacher_app::router::{use_route, Route};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let Some(root) = document()
        .get_element_by_id("more")
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, || view! { <More/> }).forget();
}

/// Loads the profile with the stored session, then what is still to ask or tell.
///
/// The first load has just read `/me` (this module is appended only once it has), and every
/// read's answer is kept in `localStorage` by the offline layer: the screens start from that
/// copy at once — on a slow network a first run's consent screen no longer waits for a second
/// round trip — and the answer of the fresh read replaces it only when it differs (which the
/// first load is then told, as for any change).
fn load_me(ctx: Ctx) {
    let kept = offline::kept(ME_PATH).and_then(|value| mini_app_client::decode::<Me>(&value).ok());
    let started = kept.is_some();
    if let Some(me) = kept {
        ctx.me.set(Some(me));
        ctx.phase.set(Phase::Teacher);
    } else {
        ctx.phase.set(Phase::Starting);
    }
    spawn_local(async move {
        match api::me().await {
            Ok(me) => {
                // Setting an equal value would still rebuild the screen under the teacher's
                // fingers, so only a difference is set.
                if ctx.me.with_untracked(|known| known.as_ref() != Some(&me)) {
                    ctx.me.set(Some(me));
                }
                if ctx.phase.get_untracked() != Phase::Teacher {
                    ctx.phase.set(Phase::Teacher);
                }
            }
            // The kept copy stays on screen; a request of the screens will meet the same
            // trouble and say so (or the offline marker shows).
            Err(_) if started => {}
            Err(error) => ctx.phase.set(Phase::Failed(error)),
        }
    });
}

/// The regions as the first load last read them (they do not change between two loads), or a
/// fresh read when there is no copy.
fn load_regions(ctx: Ctx) {
    match offline::kept(REGIONS_PATH)
        .and_then(|value| mini_app_client::decode::<Page<Region>>(&value).ok())
    {
        Some(page) => ctx.regions.set(Remote::Ready(page.items)),
        None => ctx.reload_regions(),
    }
}

/// Tells the first load that the profile changed here.
fn announce_me_changed() {
    if let Ok(event) = web_sys::CustomEvent::new(ME_CHANGED) {
        let _ignored = window().dispatch_event(&event);
    }
}

/// Hands a sign-out (or erasure) on the profile screen over to the first load.
fn announce_signed_out(notice: Option<&str>) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&notice.map_or(wasm_bindgen::JsValue::NULL, wasm_bindgen::JsValue::from_str));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(SIGNED_OUT, &init) {
        let _ignored = window().dispatch_event(&event);
    }
    let _ignored = window().location().set_hash("#/");
}

fn show_more(on: bool) {
    if let Some(body) = document().body() {
        let _ignored = body.class_list().toggle_with_force("more-route", on);
    }
}

#[component]
fn More() -> impl IntoView {
    let ctx = Ctx::detached();
    provide_context(ctx);
    let route = use_route();
    // The first load owns the sign-in: when the session ends here, it starts over.
    session::on_event(|_| {
        let _ignored = window().location().reload();
    });
    load_regions(ctx);
    onboard::provide(ctx);
    load_me(ctx);

    // Every change of the profile after the first load of it is announced.
    let seen = StoredValue::new(false);
    Effect::new(move |_| {
        if ctx.me.with(Option::is_some) {
            if seen.get_value() {
                announce_me_changed();
            }
            seen.set_value(true);
        }
    });
    Effect::new(move |_| {
        if let Phase::SignedOut(notice) = ctx.phase.get() {
            announce_signed_out(notice);
        }
    });
    let consented = Memo::new(move |_| {
        ctx.me
            .with(|me| me.as_ref().is_some_and(|m| m.consent_version.is_some()))
    });
    // A teacher who agreed to an earlier notice is asked again, over any screen, until
    // they accept or decline it.
    let reask = Memo::new(move |_| {
        ctx.me.with(|me| {
            me.as_ref().is_some_and(|m| {
                m.consent_declined.is_none()
                    && m.consent_version
                        .as_deref()
                        .is_some_and(|v| v != shared::users::CONSENT_VERSION)
            })
        })
    });
    Effect::new(move |_| {
        let ready = matches!(ctx.phase.get(), Phase::Teacher | Phase::Failed(_));
        show_more(ready && (route.get().in_more() || !consented.get() || reask.get()));
    });

    let page = move || match ctx.phase.get() {
        Phase::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=move |()| load_me(ctx)/> }.into_any()
        }
        Phase::Teacher if !consented.get() || reask.get() => view! { <OnboardingPage/> }.into_any(),
        Phase::Teacher => match route.get() {
            Route::Appeals => view! { <AppealsPage/> }.into_any(),
            Route::Appeal(id) => view! { <AppealPage id/> }.into_any(),
            Route::Answers => view! { <AnswersPage/> }.into_any(),
            Route::Article(id) => view! { <ArticlePage id/> }.into_any(),
            Route::Profile => view! { <ProfilePage/> }.into_any(),
            Route::Verification => view! { <VerificationPage/> }.into_any(),
            _ => ().into_any(),
        },
        _ => view! { <Loading/> }.into_any(),
    };
    view! {
        <mini_app_client::StaleBanner/>
        {page}
    }
}
