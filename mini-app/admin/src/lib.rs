//! «Помощник» administration module: the administrator's screens — users and roles, API
//! keys, webhooks, the outbox and the audit log (`staff_app::admin::Admin`). The staff
//! module (`mini-app/staff`) appends it when an administrator signs in and leaves
//! `#supervisor` with `data-role="admin"`; this module mounts the screens there. They are the
//! staff crate's, linked as a library without its entry point, and kept apart from the
//! supervisor module so that neither the operators' staff module nor the supervisors'
//! module carries the administration code.

use leptos::prelude::*;
use mini_app_client::{load_into, session, Remote};
use staff_app::admin::Admin;
use staff_app::app::ADMIN_MOUNT;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    mount();
    // After a sign-out and another sign-in on the same page the staff module calls this.
    let again = Closure::<dyn Fn()>::new(mount).into_js_value();
    let _ignored = js_sys::Reflect::set(&js_sys::global(), &ADMIN_MOUNT.into(), &again);
}

/// Mounts the screens into `#supervisor` when it is an administrator's.
fn mount() {
    let Some(root) = document()
        .get_element_by_id("supervisor")
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    if root.get_attribute("data-role").as_deref() != Some("admin") {
        return;
    }
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
            <Admin regions/>
        }
    })
    .forget();
}
