//! «Сбросить второй фактор» under each staff member of the users tab: for someone who lost
//! the phone and the recovery codes. The api ends their sessions and audit-logs the reset;
//! at the next sign-in the password alone leads to a new enrolment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::{request, Method};

use crate::strings as s;

/// The reset button of staff member `id` with its outcome, for `Users`' `staff_action`.
pub fn reset_button(id: String) -> AnyView {
    let said = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let reset = move |_| {
        let path = format!(
            "/api/v1/users/{}/totp/reset",
            js_sys::encode_uri_component(&id)
        );
        busy.set(true);
        spawn_local(async move {
            let answer: Result<(), _> = request(Method::Post, &path, None).await;
            said.set(Some(match answer {
                Ok(()) => s::TOTP_RESET_DONE.to_owned(),
                Err(error) => error.message(),
            }));
            busy.set(false);
        });
    };
    view! {
        <p class="totp-reset">
            <button type="button" class="button secondary small totp-reset-button" disabled=busy on:click=reset>
                {s::TOTP_RESET}
            </button>
            <span role="status">" " {move || said.get()}</span>
        </p>
    }
    .into_any()
}
