//! Loading and error states, the same on every page.

use leptos::prelude::*;

use crate::strings;

/// Shown while data is on its way. The same markup as the placeholder in `index.html`, so
/// the hand-over from the static skeleton does not flicker.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="state loading" role="status">{strings::LOADING}</p> }
}

/// A failed load: the Russian message and a retry button.
#[component]
pub fn ErrorBox(
    /// Text for the user, usually `ApiError::message`.
    message: String,
    /// Called by the «Повторить» button.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="state error" role="alert">
            <p>{message}</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                {strings::RETRY}
            </button>
        </div>
    }
}
