//! «Помощник» statistics module: «Сводка», «Субъекты РФ» and «Операторы» of regional heads
//! and federal supervisors (drawn under the supervisor module's tab bar) and the operators'
//! «Моя статистика» (a tab of the staff module). The staff crate's [`ModuleHost`] leaves
//! `#monitor` with the role in `data-role` and fetches this module on demand
//! (`<meta name="monitor-module">`); it links the staff crate as a library without its entry
//! point. A module of its own so the supervisor and staff modules stay within their budgets.
//!
//! Layout: the screen of the current hash in [`screens`]; «Сводка» in [`dashboard`] with its
//! [`charts`] and [`reports`]; «Субъекты РФ» and «Операторы» in [`tables`] with the tile
//! [`map`], the federal [`ranking`] and the numbers of [`teachers`]; «Моя статистика» in [`mine`]; the period picker and
//! how figures are written in [`period`]; the calls in [`api`] and the Russian text in
//! [`strings`].
//!
//! [`ModuleHost`]: staff_app::hosted::ModuleHost

pub mod api;
pub mod charts;
pub mod dashboard;
pub mod map;
pub mod mine;
pub mod period;
pub mod ranking;
pub mod reports;
pub mod screens;
pub mod strings;
pub mod tables;
pub mod teachers;

use leptos::prelude::*;
use shared::users::Role;
use staff_app::hosted::MONITOR_MOUNT;

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start_in(
        "monitor",
        MONITOR_MOUNT,
        &[Role::Federal, Role::RegionalHead, Role::Operator],
        |role, regions| view! { <screens::Monitor role regions/> }.into_any(),
    );
}
