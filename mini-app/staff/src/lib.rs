//! «Помощник» staff module: the sign-in of a plain browser (staff login with the second
//! factor, the first sign-in through an invitation link, the demo login in dev) and the
//! screens of operators, regional heads, federal supervisors and administrators. The
//! teacher app fetches it on demand — when a staff member signs in inside MAX, when a
//! browser outside MAX has no session, or for an invitation link
//! (`<script type="module" src="/assets/staff-<hash>.js">`); the module then mounts its own
//! UI into `#staff` and hides the teacher app. It shares the session (`localStorage`), the
//! API client and the DTOs with the teacher app through the `mini-app-client` and `shared`
//! crates, so staff code never weighs on teachers.

pub mod admin;
pub mod api;
pub mod app;
pub mod appeal;
pub mod calendar_admin;
pub mod ctx;
pub mod dashboard;
pub mod enrol;
pub mod format;
pub mod hooks_admin;
pub mod hosted;
pub mod invite;
pub mod kb_admin;
pub mod kb_history;
pub mod login;
pub mod password;
pub mod period;
pub mod queue;
pub mod regions;
pub mod route;
pub mod strings;
pub mod supervisor;
pub mod synonyms;
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
