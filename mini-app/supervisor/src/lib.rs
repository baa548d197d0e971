//! «Помощник» supervisor module: the screens of regional heads and federal supervisors —
//! the dashboard, the regions and operators tables, reports, and for `federal` the
//! knowledge-base editor, the proposals and variant queues and the calendar. The staff
//! module (`mini-app/staff`) appends it when such a user signs in and leaves `#supervisor`
//! with the role in `data-role`; this module mounts `staff_app::supervisor::Supervisor`
//! there. The screens are the staff crate's, linked as a library without its entry point,
//! so their code is here and not in the staff module every operator downloads.
//! Administrators get a module of their own (`mini-app/admin`).

use leptos::prelude::*;
use shared::users::Role;
use staff_app::app::SUPERVISOR_MOUNT;
use staff_app::supervisor::Supervisor;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start(
        SUPERVISOR_MOUNT,
        &[Role::Federal, Role::RegionalHead],
        |role, regions| view! { <Supervisor role regions/> }.into_any(),
    );
}
