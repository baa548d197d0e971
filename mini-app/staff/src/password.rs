//! The first sign-in with a one-time password: it is replaced by the staff member's own
//! before anything else (the api refuses TOTP enrolment until then), then enrolment follows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{ChangePassword, Me};

use crate::api::{json_body, request, session, Method};
use crate::ctx::ctx;
use crate::strings;
use mini_app_client::form::{require, FormAlert, FormValues, TextField};

/// `POST /api/v1/me/password`.
async fn change(body: ChangePassword) -> Result<Me, mini_app_client::ApiError> {
    request(Method::Post, "/api/v1/me/password", Some(&json_body(&body))).await
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let ctx = ctx();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let (current, new, repeat) = (
            form.text("pw-current"),
            form.text("pw-new"),
            form.text("pw-repeat"),
        );
        if let Some(error) = require(&[
            (
                "current_password",
                !current.is_empty(),
                strings::PW_FILL_CURRENT,
            ),
            (
                "new_password",
                new.chars().count() >= 10,
                strings::PW_TOO_SHORT,
            ),
            ("repeat", new == repeat, strings::PW_MISMATCH),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            match change(ChangePassword {
                current_password: current,
                new_password: new,
            })
            .await
            {
                // Then the second factor, with the same (password-only) session.
                Ok(_) => ctx.after_sign_in(),
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let cancel = move |_| {
        spawn_local(async move {
            crate::api::sign_out().await;
            session::clear();
            ctx.signed_out(None);
        });
    };
    view! {
        <h1>{strings::PW_TITLE}</h1>
        <p class="lead">{strings::PW_LEAD}</p>
        <form id="password-form" class="card" novalidate on:submit=submit>
            <TextField id="pw-current" field="current_password" label=strings::PW_CURRENT
                kind="password" autocomplete="current-password" errors required=true/>
            <TextField id="pw-new" field="new_password" label=strings::PW_NEW
                kind="password" autocomplete="new-password" errors required=true/>
            <TextField id="pw-repeat" field="repeat" label=strings::PW_REPEAT
                kind="password" autocomplete="new-password" errors required=true/>
            <FormAlert errors fields=&["current_password", "new_password", "repeat"]/>
            <button type="submit" class="button wide" disabled=busy>{strings::PW_SAVE}</button>
        </form>
        <button type="button" class="button secondary" on:click=cancel>{strings::SIGN_OUT}</button>
    }
}
