//! Mounting the staff module and its screens: the sign-in of a plain browser (staff login,
//! demo login in dev, the first sign-in through an invitation or reset link, second-factor
//! enrolment) drawn by the sign-in module (`mini-app/signin`, fetched on demand into
//! `#signin`), then the frame with the user's name, role and sign-out around the screen of
//! the role.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Me, Role};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::api::{self, load_into, session, Remote};
use crate::ctx::{ctx, reload, Ctx, Screen};
use crate::invite;
use crate::oversight::{self, Oversight};
use crate::strings;
use crate::workspace::Workspace;
use mini_app_client::{ErrorBox, Loading};

/// Hides the teacher app and its header, then mounts the staff UI into `#staff` (created
/// when the page has none). A `data-notice` on `#staff` is shown on the sign-in screen.
pub fn mount() {
    let doc = document();
    for selector in ["#app", "body > header.bar"] {
        if let Ok(Some(el)) = doc.query_selector(selector) {
            let _ignored = el.set_attribute("hidden", "");
        }
    }
    let root = match doc.get_element_by_id("staff") {
        Some(root) => Some(root),
        None => doc.create_element("div").ok().and_then(|div| {
            div.set_id("staff");
            doc.body()?.append_child(&div).ok()?;
            Some(div)
        }),
    };
    let Some(root) = root.and_then(|r| r.dyn_into::<HtmlElement>().ok()) else {
        return;
    };
    if let Some(body) = doc.body() {
        let _ignored = body.class_list().add_1("staff-mode");
    }
    let notice = root.get_attribute("data-notice");
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || view! { <StaffApp notice/> }).forget();
}

/// The module's root.
#[component]
pub fn StaffApp(notice: Option<String>) -> impl IntoView {
    let ctx = Ctx {
        screen: RwSignal::new(Screen::Loading),
        regions: RwSignal::new(Remote::Loading),
    };
    provide_context(ctx);
    session::on_event(move |event| match event {
        session::Event::Expired => ctx.signed_out(Some(strings::SESSION_ENDED)),
        session::Event::TotpRequired => ctx.screen.set(Screen::Enrol),
    });
    load_into(ctx.regions, api::regions());
    // An invitation link wins over any session this browser holds.
    if let Some(token) = invite::current_token() {
        ctx.screen.set(Screen::Invite(token));
    } else if session::is_signed_in() {
        ctx.after_sign_in();
    } else {
        ctx.screen.set(Screen::Login(notice));
    }
    // A link opened in the tab where the module already runs.
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(token) = invite::current_token() {
            ctx.screen.set(Screen::Invite(token));
        }
    });
    on_cleanup(move || handle.remove());

    move || match ctx.screen.get() {
        Screen::Staff(me) => view! { <Frame me=*me/> }.into_any(),
        screen => {
            let body = match screen {
                Screen::Failed(error) => view! {
                    <ErrorBox message=error.message() on_retry=move |()| ctx.after_sign_in()/>
                }
                .into_any(),
                Screen::Login(notice) => view! { <SigninHost screen="login" notice/> }.into_any(),
                Screen::Enrol => view! { <SigninHost screen="enrol" notice=None/> }.into_any(),
                Screen::Password => {
                    view! { <SigninHost screen="password" notice=None/> }.into_any()
                }
                Screen::Invite(_) => view! { <SigninHost screen="invite" notice=None/> }.into_any(),
                _ => view! { <Loading/> }.into_any(),
            };
            view! {
                <header class="bar"><span class="brand">{strings::BRAND}</span></header>
                <main class="page">{body}</main>
            }
            .into_any()
        }
    }
}

#[component]
fn Frame(me: Me) -> impl IntoView {
    let ctx = ctx();
    let regions = ctx.regions;
    let name = me
        .full_name
        .clone()
        .unwrap_or_else(|| strings::NO_NAME.to_owned());
    let role = me.role;
    let sign_out = move |_| {
        spawn_local(async move {
            api::sign_out().await;
            ctx.signed_out(Some(strings::SIGNED_OUT));
        });
    };
    let screen = match role {
        Role::Operator => view! { <Workspace me=me.clone() regions/> }.into_any(),
        Role::RegionalHead | Role::Federal => {
            // «Обращения» (`#/list`, `#/appeal/<id>`) are drawn here, under the tabs.
            let route = RwSignal::new(oversight::route());
            let handle = window_event_listener(leptos::ev::hashchange, move |_| {
                route.set(oversight::route());
            });
            on_cleanup(move || handle.remove());
            view! { <SupervisorHost role/> <Oversight me=me.clone() regions route/> }.into_any()
        }
        Role::Admin => view! { <SupervisorHost role/> }.into_any(),
        _ => view! {
            <section class="card">
                <h2 class="card-title">{strings::SOON}</h2>
                <p>{strings::SOON_TEXT}</p>
            </section>
        }
        .into_any(),
    };
    view! {
        <header class="bar staff-bar">
            <span class="brand">{strings::BRAND}</span>
            <span class="staff-who">
                <span id="staff-name" class="staff-name">{name}</span>
                <span id="staff-role" class="staff-role">{role.title()}</span>
            </span>
            <button type="button" id="staff-sign-out" class="button secondary small" on:click=sign_out>
                {strings::SIGN_OUT}
            </button>
        </header>
        <main class="staff-page">
            <mini_app_client::StaleBanner/>
            <p class="muted staff-cabinet">{strings::CABINET}</p>
            {screen}
        </main>
    }
}

/// The global function the supervisor module leaves behind to mount itself again (after a
/// sign-out and a new sign-in on the same page).
pub const SUPERVISOR_MOUNT: &str = "__pomoshnikMountSupervisor";

/// The same for the administration module.
pub const ADMIN_MOUNT: &str = "__pomoshnikMountAdmin";

/// The same for the sign-in module.
pub const SIGNIN_MOUNT: &str = "__pomoshnikMountSignin";

/// Where the sign-in module (`mini-app/signin`: login, links, password, enrolment) draws:
/// `#signin`, with the screen in `data-screen` and a notice in `data-notice`. Loads the
/// module, or asks the loaded one to mount again.
#[component]
fn SigninHost(screen: &'static str, notice: Option<String>) -> impl IntoView {
    let failed = RwSignal::new(false);
    request_animation_frame(move || {
        let again = js_sys::Reflect::get(&js_sys::global(), &SIGNIN_MOUNT.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match again {
            Some(mount) => {
                let _ignored = mount.call0(&wasm_bindgen::JsValue::NULL);
            }
            None => mini_app_client::modules::load_module("signin", move || failed.set(true)),
        }
    });
    view! {
        <div id="signin" data-screen=screen data-notice=notice>
            {move || if failed.get() {
                view! { <ErrorBox message=strings::SIGNIN_FAILED.to_owned() on_retry=move |()| reload()/> }.into_any()
            } else {
                view! { <Loading/> }.into_any()
            }}
        </div>
    }
}

/// Where the screens of regional heads and federal supervisors (`mini-app/supervisor`) or of
/// administrators (`mini-app/admin`) draw — modules of their own, so the staff module every
/// operator downloads stays small: `#supervisor`, with the role in `data-role`. Loads the
/// role's module, or asks the loaded one to mount again.
#[component]
fn SupervisorHost(role: Role) -> impl IntoView {
    let (module, global) = if role == Role::Admin {
        ("admin", ADMIN_MOUNT)
    } else {
        ("supervisor", SUPERVISOR_MOUNT)
    };
    view! { <crate::hosted::ModuleHost root="supervisor" module global role/> }
}
