//! The loading and error states, the same in both modules.

use leptos::prelude::*;

use crate::strings;

/// Shown while data is on its way. The same markup as the placeholder in `index.html`, so
/// the hand-over from the static skeleton does not flicker.
#[component]
pub fn Loading(
    /// What is happening; «Загрузка…» by default.
    #[prop(default = strings::LOADING)]
    text: &'static str,
) -> impl IntoView {
    view! { <p class="state loading" role="status">{text}</p> }
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

/// A message under a form or an action: shown while `message` holds one.
#[component]
pub fn ErrorLine(message: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="form-error" role="alert">{m}</p> })
    }
}
