//! «Помощник» supervisor module: the screens of regional heads and federal supervisors —
//! the dashboard, the regions and operators tables, reports, and for `federal` the
//! knowledge-base editor, the proposals and variant queues and the calendar. The staff
//! module (`mini-app/staff`) appends it when such a user signs in and leaves `#supervisor`
//! with the role in `data-role`; this module mounts `staff_app::supervisor::Supervisor`
//! there. The screens are the staff crate's, linked as a library without its entry point,
//! so their code is here and not in the staff module every operator downloads.
//! Administrators get a module of their own (`mini-app/admin`).

use leptos::prelude::*;
use mini_app_client::{load_into, session, Remote};
use shared::users::Role;
use staff_app::app::SUPERVISOR_MOUNT;
use staff_app::supervisor::Supervisor;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    mount();
    // After a sign-out and another sign-in on the same page the staff module calls this.
    let again = Closure::<dyn Fn()>::new(mount).into_js_value();
    let _ignored = js_sys::Reflect::set(&js_sys::global(), &SUPERVISOR_MOUNT.into(), &again);
}

/// Mounts the screens into `#supervisor` for the role it names.
fn mount() {
    let Some(root) = document()
        .get_element_by_id("supervisor")
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let role = match root.get_attribute("data-role").as_deref() {
        Some("federal") => Role::Federal,
        Some("regional_head") => Role::RegionalHead,
        _ => return,
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
            <Supervisor role regions/>
        }
    })
    .forget();
}
