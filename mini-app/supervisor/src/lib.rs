//! «Помощник» supervisor module: the screens of regional heads and federal supervisors —
//! the tab bar, a head's operators, and for `federal` the knowledge-base editor, the proposals and variant queues, the calendar and the synonyms.
//! The staff module (`mini-app/staff`) appends it when such a user signs in and leaves
//! `#supervisor` with the role in `data-role`; this module mounts [`tabs::Supervisor`] there.
//! It links the staff crate as a library without its entry point for what the staff screens
//! share (the regions, a head's operators, the request), so the supervisors' code is here
//! and not in the staff module every operator downloads. Administrators get a module of
//! their own (`mini-app/admin`).
//!
//! The statistics tabs («Сводка», «Субъекты РФ», «Операторы») are drawn by the statistics
//! module (`mini-app/monitor`) in `#monitor`, which [`tabs`] leaves for it.
//!
//! Layout: the tab bar and its typed route in [`tabs`], the knowledge base in
//! [`kb`] and [`kb_history`], the production calendar in [`calendar`], the synonyms in
//! [`synonyms`], the calls in [`api`] and Russian text in [`strings`].

pub mod api;
pub mod calendar;
pub mod campaigns;
pub mod kb;
pub mod kb_history;
pub mod strings;
pub mod synonyms;
pub mod tabs;

use leptos::prelude::*;
use shared::users::Role;
use staff_app::app::SUPERVISOR_MOUNT;
use tabs::Supervisor;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start(
        SUPERVISOR_MOUNT,
        &[Role::Federal, Role::RegionalHead],
        |role, regions| view! { <Supervisor role regions/> }.into_any(),
    );
}
