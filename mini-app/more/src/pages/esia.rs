//! «Подтвердить через Госуслуги»: a single-use link from the api opened in the phone's
//! browser (MAX `openLink`; a new tab elsewhere); when the mini-app is back in front it
//! re-reads the profile ([`crate::onboard`]) and the status card shows the result.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::ErrorLine;
use teacher_app::max;

use crate::onboard::{self, onb};
use crate::strings;

/// The button, and while a flow is open, what to do and a manual re-check.
#[component]
pub fn EsiaButton() -> impl IntoView {
    let onb = onb();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let start = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match onboard::esia_link().await {
                Ok(url) => {
                    onb.esia_waiting.set(true);
                    max::open_link(&url);
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" id="esia-start" class="button wide" disabled=busy on:click=start>
            {strings::ESIA}
        </button>
        {move || onb.esia_waiting.get().then(|| view! {
            <p id="esia-wait">{strings::ESIA_WAIT}</p>
        })}
        <ErrorLine message=error/>
    }
}
