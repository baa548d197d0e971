//! «Помощник» sign-in module: what a staff member sees before being signed in — the staff
//! login (e-mail and password, then the code as a second step; «Забыли пароль?»; the demo
//! login in dev), the page of an invitation or password-reset link, the replacement of a
//! one-time password and the second factor's enrolment (QR code, recovery codes). The
//! screens are `staff_app`'s ([`staff_app::login`], [`staff_app::enrol`],
//! [`staff_app::invite`], [`staff_app::password`]); this crate links it without its entry
//! point, so the staff module that every signed-in operator downloads does not carry them.
//!
//! The staff module fetches it (`<meta name="signin-module">`) and leaves `#signin` with the
//! screen to show in `data-screen` (`login`, `enrol`, `password`, `invite`) and a notice in
//! `data-notice`. The module keeps its own [`Ctx`]; once a sign-in is complete it reloads
//! the page, and the staff module, finding the session, opens the staff screens.

use leptos::prelude::*;
use mini_app_client::{load_into, session, ErrorBox, Loading, Remote};
use staff_app::ctx::{reload, Ctx, Screen};
use staff_app::enrol::EnrolPage;
use staff_app::invite::{self, InvitePage};
use staff_app::login::LoginPage;
use staff_app::password::PasswordPage;
use staff_app::{api, strings};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Entry point, run by the glue right after the module is instantiated: mounts into
/// `#signin` and leaves [`staff_app::app::SIGNIN_MOUNT`] behind to mount again.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    mount();
    let again = Closure::<dyn Fn()>::new(mount).into_js_value();
    let _ignored = js_sys::Reflect::set(
        &js_sys::global(),
        &staff_app::app::SIGNIN_MOUNT.into(),
        &again,
    );
}

fn mount() {
    let Some(root) = document()
        .get_element_by_id("signin")
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let first = match root.get_attribute("data-screen").as_deref() {
        Some("enrol") => Screen::Enrol,
        Some("password") => Screen::Password,
        _ => match invite::current_token() {
            Some(token) => Screen::Invite(token),
            None => Screen::Login(root.get_attribute("data-notice")),
        },
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || view! { <SignIn first/> }).forget();
}

/// The sign-in screens with their own context; a complete sign-in hands over to the staff
/// module by reloading the page.
#[component]
fn SignIn(first: Screen) -> impl IntoView {
    let ctx = Ctx {
        screen: RwSignal::new(first),
        regions: RwSignal::new(Remote::Loading),
    };
    provide_context(ctx);
    session::on_event(move |event| match event {
        session::Event::Expired => ctx.signed_out(Some(strings::SESSION_ENDED)),
        session::Event::TotpRequired => ctx.screen.set(Screen::Enrol),
    });
    load_into(ctx.regions, api::regions());
    move || match ctx.screen.get() {
        Screen::Login(notice) => view! { <LoginPage notice/> }.into_any(),
        Screen::Enrol => view! { <EnrolPage/> }.into_any(),
        Screen::Password => view! { <PasswordPage/> }.into_any(),
        Screen::Invite(token) => view! { <InvitePage token/> }.into_any(),
        Screen::Failed(error) => view! {
            <ErrorBox message=error.message() on_retry=move |()| ctx.after_sign_in()/>
        }
        .into_any(),
        Screen::Staff(_) => {
            reload();
            view! { <Loading/> }.into_any()
        }
        Screen::Loading => view! { <Loading/> }.into_any(),
    }
}
