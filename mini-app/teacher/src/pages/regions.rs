//! `#/`: the list of regions.

use leptos::prelude::*;
use shared::Region;

use crate::api::Remote;
use crate::components::{ErrorBox, Loading, RegionRow};
use crate::plural::count;
use crate::router::Route;
use crate::strings;

/// Every region with its code and federal district; each row opens the region's page.
#[component]
pub fn RegionsPage(
    /// The shared list, loaded by the app.
    regions: RwSignal<Remote<Vec<Region>>>,
    /// Loads the list again.
    #[prop(into)]
    reload: Callback<()>,
) -> impl IntoView {
    let body = move || match regions.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=reload/> }.into_any()
        }
        Remote::Ready(list) => view! {
            <p class="lead">{count(list.len(), strings::REGION_FORMS)}</p>
            <ul class="list">
                {list.into_iter().map(|region| view! { <RegionRow region/> }).collect_view()}
            </ul>
        }
        .into_any(),
    };
    view! {
        <a class="back" href=Route::Home.href()>{strings::BACK}</a>
        <h1>{strings::REGIONS_TITLE}</h1>
        {body}
    }
}
