//! «Помощник» administration module: the administrator's screens — users and roles, API
//! keys, webhooks, the outbox and the audit log ([`tabs::Admin`]). The staff module
//! (`mini-app/staff`) appends it when an administrator signs in and leaves `#supervisor`
//! with `data-role="admin"`; this module mounts the screens there. It links the staff crate
//! as a library without its entry point for what the staff screens share (the users list and
//! forms, the regions, the request), and is kept apart from the supervisor module so that
//! neither the operators' staff module nor the supervisors' module carries the
//! administration code.
//!
//! Layout: the tab bar and its typed route, API keys and the audit log in [`tabs`], webhooks
//! and the outbox in [`hooks`], the codes in words in [`labels`], Russian text in [`strings`].

pub mod hooks;
pub mod labels;
pub mod strings;
pub mod tabs;
pub mod totp;

use leptos::prelude::*;
use shared::users::Role;
use staff_app::app::ADMIN_MOUNT;
use tabs::Admin;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start(ADMIN_MOUNT, &[Role::Admin], |_, regions| {
        view! { <Admin regions/> }.into_any()
    });
}
