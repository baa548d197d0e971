//! «Помощник» administration module: the administrator's screens — users and roles, API
//! keys, webhooks, the outbox and the audit log (`staff_app::admin::Admin`). The staff
//! module (`mini-app/staff`) appends it when an administrator signs in and leaves
//! `#supervisor` with `data-role="admin"`; this module mounts the screens there. They are the
//! staff crate's, linked as a library without its entry point, and kept apart from the
//! supervisor module so that neither the operators' staff module nor the supervisors'
//! module carries the administration code.

use leptos::prelude::*;
use shared::users::Role;
use staff_app::admin::Admin;
use staff_app::app::ADMIN_MOUNT;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start(ADMIN_MOUNT, &[Role::Admin], |_, regions| {
        view! { <Admin regions/> }.into_any()
    });
}
