//! The root component and mounting.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::api::{self, load_into, Remote};
use crate::pages::{NotFoundPage, RegionPage, RegionsPage};
use crate::router::{use_route, Route};

/// Replaces the placeholder inside `#app` (the static skeleton of `index.html`) with the
/// app. Without `#app` (a broken page) it does nothing.
pub fn mount() {
    let Some(root) = document().get_element_by_id("app") else {
        return;
    };
    let Ok(root) = root.dyn_into::<HtmlElement>() else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, App).forget();
}

/// Holds the app-wide data and shows the page of the current route.
#[component]
pub fn App() -> impl IntoView {
    let route = use_route();
    let regions = RwSignal::new(Remote::Loading);
    let reload = move || load_into(regions, api::regions());
    reload();

    move || match route.get() {
        Route::Regions => EitherOf3::A(view! { <RegionsPage regions reload/> }),
        Route::Region(code) => EitherOf3::B(view! { <RegionPage regions reload code/> }),
        Route::NotFound => EitherOf3::C(view! { <NotFoundPage/> }),
    }
}
