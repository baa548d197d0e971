//! Any unknown `#/…` address.

use leptos::prelude::*;

use crate::router::Route;
use crate::strings;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>{strings::NOT_FOUND_TITLE}</h1>
        <p class="state">{strings::NOT_FOUND_TEXT}</p>
        <a class="button" href=Route::Home.href()>{strings::TO_HOME}</a>
    }
}
