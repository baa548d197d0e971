//! Inside MAX, after signing out, erasing the data or a refused sign-in: a notice and
//! «Войти снова». (Outside MAX the staff module shows the sign-in screens.)

use leptos::prelude::*;

use crate::ctx::ctx;
use crate::max;
use crate::strings;

#[component]
pub fn SignedOutMax(notice: Option<&'static str>) -> impl IntoView {
    let ctx = ctx();
    view! {
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <div class="actions">
            <button type="button" class="button" on:click=move |_| ctx.start()>
                {strings::SIGN_IN_AGAIN}
            </button>
            <button type="button" class="button secondary" on:click=move |_| max::close()>
                {strings::CLOSE_APP}
            </button>
        </div>
    }
}
