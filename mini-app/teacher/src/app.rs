//! The root component: signs in (by itself inside MAX), keeps the signed-in user, and shows
//! the page of the current route — or hands the page over to the staff module.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::api::session;
use crate::components::{ErrorBox, Loading};
use crate::ctx::{Ctx, Phase};
use crate::max::{self, Launch};
use crate::more;
use crate::pages::resend_pending;
use crate::pages::{AskPage, HomePage, NotFoundPage, RegionPage, RegionsPage, SignedOutMax};
use crate::router::{self, use_route, Route};
use crate::strings;
use mini_app_client::modules::load_module;
use mini_app_client::StaleBanner;

/// Appends the staff module's script (its hashed name is in
/// `<meta name="staff-module" content="/assets/staff-<hash>.js">`); the module then mounts
/// itself into `#staff` (created here, carrying `notice` for its sign-in screen in
/// `data-notice`) and hides the teacher app.
fn load_staff_module(ctx: Ctx, notice: Option<&'static str>) {
    let doc = document();
    if doc.get_element_by_id("staff-module").is_some() {
        return;
    }
    if let (Ok(root), Some(body)) = (doc.create_element("div"), doc.body()) {
        root.set_id("staff");
        if let Some(notice) = notice {
            let _ignored = root.set_attribute("data-notice", notice);
        }
        let _ignored = body.append_child(&root);
    }
    load_module("staff", move || ctx.phase.set(Phase::StaffFailed));
}

/// Reads the MAX launch data, replaces the placeholder inside `#app` (the static skeleton
/// of `index.html`) with the app, and tells MAX the app is ready. Without `#app` (a broken
/// page) it does nothing.
pub fn mount() {
    let launch = max::launch();
    if let Some(route) = launch
        .start_param
        .as_deref()
        .and_then(Route::from_start_param)
    {
        if let Ok(history) = window().history() {
            let _ignored = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&route.href()),
            );
        }
    }
    let Some(root) = document().get_element_by_id("app") else {
        return;
    };
    let Ok(root) = root.dyn_into::<HtmlElement>() else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || view! { <App launch/> }).forget();
    max::watch_bridge();
    max::ready();
}

/// Holds the app-wide state and shows the page of the current phase and route.
#[component]
pub fn App(launch: Launch) -> impl IntoView {
    let route = use_route();
    let ctx = Ctx::new(launch, resend_pending);
    provide_context(ctx);
    session::on_event(move |event| match event {
        session::Event::Expired => ctx.signed_out(Some(strings::SESSION_ENDED)),
        // Only staff tokens can lack the second factor: the staff module enrols it.
        session::Event::TotpRequired => ctx.phase.set(Phase::Staff),
    });
    ctx.reload_regions();
    // An invitation link is the staff module's, whoever this browser has signed in.
    if route.get_untracked().for_staff_module() {
        ctx.phase.set(Phase::Staff);
    } else {
        ctx.start();
    }

    max::on_back(move || {
        if let Some(parent) = route.get_untracked().parent() {
            router::go(&parent);
        }
    });
    // Changes only when consent is given, so saving the profile does not rebuild the page.
    let consented = Memo::new(move |_| {
        ctx.me
            .with(|me| me.as_ref().is_some_and(|m| m.consent_version.is_some()))
    });
    more::host(ctx, route, consented);
    // Outside MAX the sign-in screens are the staff module's (staff sign in there; the demo
    // sign-in too), and so is an invitation link anywhere. The reference pages stay
    // readable without it.
    Effect::new(move |_| {
        let phase = ctx.phase.get();
        let route = route.get();
        if route.for_staff_module() {
            load_staff_module(ctx, None);
            return;
        }
        let reference = matches!(route, Route::Regions | Route::Region(_));
        match phase {
            Phase::SignedOut(notice) if !ctx.in_max && !reference => load_staff_module(ctx, notice),
            Phase::Staff => load_staff_module(ctx, None),
            _ => {}
        }
    });
    Effect::new(move |_| {
        max::show_back(
            ctx.phase.get() == Phase::Teacher && consented.get() && route.get() != Route::Home,
        );
    });

    let reload = move || ctx.reload_regions();
    let page = move || {
        let route = route.get();
        // The reference pages need no sign-in.
        match route {
            Route::Regions => {
                return view! { <RegionsPage regions=ctx.regions reload/> }.into_any()
            }
            Route::Region(code) => {
                return view! { <RegionPage regions=ctx.regions reload code/> }.into_any()
            }
            _ => {}
        }
        match ctx.phase.get() {
            Phase::Starting => view! { <Loading text=strings::SIGNING_IN/> }.into_any(),
            Phase::Failed(error) => {
                let message = if ctx.in_max && error.status() == Some(401) {
                    strings::MAX_SIGN_IN_FAILED.to_owned()
                } else {
                    error.message()
                };
                view! { <ErrorBox message on_retry=move |()| ctx.start()/> }.into_any()
            }
            Phase::SignedOut(notice) if ctx.in_max => view! { <SignedOutMax notice/> }.into_any(),
            // The staff module brings the sign-in of a plain browser.
            Phase::SignedOut(_) => view! { <Loading/> }.into_any(),
            Phase::Staff => view! { <Loading text=strings::STAFF_LOADING/> }.into_any(),
            Phase::StaffFailed => view! {
                <ErrorBox
                    message=strings::STAFF_FAILED.to_owned()
                    on_retry=move |()| {
                        let _ignored = window().location().reload();
                    }
                />
            }
            .into_any(),
            Phase::Teacher => teacher_page(consented.get(), &route),
        }
    };
    view! {
        <StaleBanner/>
        {page}
    }
}

fn teacher_page(consented: bool, route: &Route) -> AnyView {
    // The first sign-in's consent and profile are the second module's too: once per
    // teacher, so they do not weigh on every day's first load.
    if !consented {
        return more::placeholder();
    }
    match route {
        Route::Home => view! { <HomePage/> }.into_any(),
        Route::Ask => view! { <AskPage/> }.into_any(),
        Route::Profile
        | Route::Appeals
        | Route::Appeal(_)
        | Route::Answers
        | Route::Article(_)
        | Route::Verification => more::placeholder(),
        Route::Regions | Route::Region(_) | Route::Invite(_) | Route::NotFound => {
            view! { <NotFoundPage/> }.into_any()
        }
    }
}
