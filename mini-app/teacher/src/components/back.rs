//! «← Назад» at the top of a screen, in a plain browser only: inside MAX the messenger's own
//! back button does it (see `crate::max`).

use leptos::prelude::*;

use crate::ctx::ctx;
use crate::strings;

#[component]
pub fn BackLink(
    /// Where the link leads (the `href` of the parent route, e.g. `#/`).
    href: &'static str,
) -> impl IntoView {
    (!ctx().in_max).then(|| view! { <a class="back" href=href>{strings::BACK}</a> })
}
