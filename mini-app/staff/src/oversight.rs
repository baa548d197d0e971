//! «Обращения» of regional heads (own regions) and federal supervisors (every region, with a
//! region filter): the operators' list with its filters and the appeal screen read-only with
//! «На контроль», behind `#/list` and `#/appeal/<id>`. The staff module, which these roles
//! load anyway and which holds the list and the appeal screen, draws them under the
//! supervisor module's tab bar: the supervisor module (near its size budget) only adds the
//! tab.

use leptos::prelude::*;
use mini_app_client::Remote;
use shared::users::{Me, Role};

use crate::hosted::AppealHost;
use crate::regions::Regions;
use crate::route::Route;
use crate::workspace::{region_filter, List};
use crate::ws_strings as s;
use mini_app_client::form::Done;

/// The leadership's screen of the current hash, if it is one of theirs.
#[must_use]
pub fn route() -> Option<Route> {
    let hash = window().location().hash().unwrap_or_default();
    Route::parse(&hash).filter(|r| matches!(r, Route::List | Route::Appeal(_)))
}

/// The list or one appeal, following `route` (kept by [`crate::app`]).
#[component]
pub fn Oversight(me: Me, regions: Regions, route: RwSignal<Option<Route>>) -> impl IntoView {
    let region = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<&'static str>);
    let role = me.role;
    let federal = role == Role::Federal;
    let all = if federal {
        s::ALL_OF_RUSSIA
    } else {
        s::ALL_REGIONS
    };
    let own = StoredValue::new(me.regions.clone());
    let me_id = StoredValue::new(me.id);
    // Federal users choose among every region, heads among their own.
    let codes = move || {
        if federal {
            regions.with(|r| match r {
                Remote::Ready(list) => list.iter().map(|r| r.code.clone()).collect(),
                _ => Vec::new(),
            })
        } else {
            own.get_value()
        }
    };
    move || match route.get() {
        Some(Route::Appeal(id)) => view! {
            <AppealHost id me_id=me_id.get_value() role notice/>
        }
        .into_any(),
        Some(_) => {
            // The statistics link here with a region (`#/list?region=16&show=overdue`).
            let linked = crate::route::query("region");
            if !linked.is_empty() {
                region.update_untracked(|r| *r = linked);
            }
            view! {
            <section id="oversight">
                <h1>{s::BOARD_TITLE}</h1>
                <Done message=notice/>
                {move || region_filter(&codes(), regions, region, all)}
                <List region/>
            </section>
            }
            .into_any()
        }
        None => ().into_any(),
    }
}
