//! `#/regions/<code>`: one region.

use leptos::prelude::*;
use shared::{Region, RegionCode};

use crate::api::Remote;
use crate::components::{ErrorBox, Loading};
use crate::router::Route;
use crate::strings;

/// The region's details, taken from the shared list.
#[component]
pub fn RegionPage(
    /// The shared list, loaded by the app.
    regions: RwSignal<Remote<Vec<Region>>>,
    /// Loads the list again.
    #[prop(into)]
    reload: Callback<()>,
    /// Which region to show.
    code: RegionCode,
) -> impl IntoView {
    let body = move || match regions.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=reload/> }.into_any()
        }
        Remote::Ready(list) => match list.into_iter().find(|r| r.code == code.as_str()) {
            Some(region) => details(region).into_any(),
            None => view! {
                <h1>{strings::REGIONS_TITLE}</h1>
                <p class="state">{strings::REGION_NOT_FOUND}</p>
            }
            .into_any(),
        },
    };
    view! {
        <a class="back" href=Route::Regions.href()>{strings::BACK_TO_REGIONS}</a>
        {body}
    }
}

fn details(region: Region) -> impl IntoView {
    view! {
        <h1>{region.name}</h1>
        <dl class="facts">
            <dt>{strings::REGION_CODE}</dt>
            <dd>{region.code}</dd>
            <dt>{strings::FEDERAL_DISTRICT}</dt>
            <dd>{region.federal_district}</dd>
            <dt>{strings::TIMEZONE}</dt>
            <dd>{region.timezone}</dd>
        </dl>
    }
}
