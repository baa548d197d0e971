//! The start of a module the staff module fetches for some roles (`mini-app/supervisor`,
//! `mini-app/admin`): both link this crate without its entry point and draw into the
//! `#supervisor` element that [`crate::app`] leaves with the role in `data-role`.

use leptos::prelude::*;
use mini_app_client::{load_into, session, Remote};
use shared::users::Role;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::regions::Regions;

/// Mounts `screen` into `#supervisor` when its role is one of `roles`, and leaves `global`
/// behind on `window` to mount again after a sign-out and another sign-in on the same page.
pub fn start(global: &'static str, roles: &'static [Role], screen: fn(Role, Regions) -> AnyView) {
    let mount = move || mount(roles, screen);
    mount();
    let again = Closure::<dyn Fn()>::new(mount).into_js_value();
    let _ignored = js_sys::Reflect::set(&js_sys::global(), &global.into(), &again);
}

fn mount(roles: &'static [Role], screen: fn(Role, Regions) -> AnyView) {
    let Some(root) = document()
        .get_element_by_id("supervisor")
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let named = root.get_attribute("data-role");
    let Some(role) = roles
        .iter()
        .copied()
        .find(|r| named.as_deref() == Some(r.as_str()))
    else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || {
        // The staff module owns the session: when it ends here, it starts over.
        session::on_event(|_| {
            let _ignored = window().location().reload();
        });
        let regions = RwSignal::new(Remote::Loading);
        load_into(regions, mini_app_client::endpoints::regions());
        view! {
            <mini_app_client::StaleBanner/>
            {screen(role, regions)}
        }
    })
    .forget();
}
