//! «Помощник» staff module: the screens of operators, and the host of the sign-in of a plain
//! browser (staff login with the second factor, invitation and reset links, the demo login
//! in dev), whose screens ([`login`], [`invite`], [`password`], [`enrol`]) live here but are
//! drawn by the sign-in module (`mini-app/signin`) that links this crate. The screens of regional heads and federal supervisors
//! (`mini-app/supervisor`) and of administrators (`mini-app/admin`) are modules of their own
//! that link this crate as a library for what they share: [`regions`], [`users`] (a head's
//! operators and the administrator's users list), [`user_forms`], [`format`], [`hosted`]. The
//! teacher app fetches it on demand — when a staff member signs in inside MAX, when a
//! browser outside MAX has no session, or for an invitation link
//! (`<script type="module" src="/assets/staff-<hash>.js">`); the module then mounts its own
//! UI into `#staff` and hides the teacher app. It shares the session (`localStorage`), the
//! API client and the DTOs with the teacher app through the `mini-app-client` and `shared`
//! crates, so staff code never weighs on teachers.

pub mod api;
pub mod app;
pub mod ctx;
pub mod enrol;
pub mod format;
pub mod help;
pub mod hosted;
pub mod invite;
pub mod login;
pub mod oversight;
pub mod password;
pub mod queue;
pub mod quick;
pub mod regions;
pub mod route;
pub mod strings;
pub mod user_forms;
pub mod users;
pub mod workspace;
pub mod ws_strings;

/// Entry point, run by the glue right after the module is instantiated. Only in the staff
/// module's own build (feature `entry`): the supervisor module links this crate as a library.
#[cfg(feature = "entry")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    app::mount();
}
