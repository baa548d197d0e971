//! The first sign-in through the link of an invitation letter (`#/invite/<token>`): the
//! staff member sets their own password, the api answers a password sign-in's token pair,
//! and the second factor's enrolment follows as after a sign-in. The link of a password
//! reset (`#/invite/<token>?reset`) is the same page with its own words; a staff member who
//! already has the second factor then signs in anew with it. The token leaves the address
//! bar (and the history entry) as soon as it is used.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{AcceptInvitation, TokenPair};

use crate::api::{self, json_body, request, session, Method};
use crate::ctx::{ctx, Screen};
use crate::strings;
use mini_app_client::form::{require, FormAlert, FormValues, TextField};

/// The token of an invitation link in the URL hash (`#/invite/<token>`), if this is one.
#[must_use]
pub fn token_in(hash: &str) -> Option<String> {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    let token = path.strip_prefix("invite/")?.trim_end_matches('/');
    (!token.is_empty()
        && token.len() <= 64
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| token.to_owned())
}

/// The invitation token of the current address.
#[must_use]
pub fn current_token() -> Option<String> {
    token_in(&window().location().hash().unwrap_or_default())
}

/// Replaces `#/invite/<token>` with `#/` without a new history entry.
fn forget_link() {
    if let Ok(history) = window().history() {
        let _ignored = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#/"));
    }
}

/// `POST /api/v1/auth/invite`.
async fn accept(body: AcceptInvitation) -> Result<TokenPair, mini_app_client::ApiError> {
    request(Method::Post, "/api/v1/auth/invite", Some(&json_body(&body))).await
}

#[component]
pub fn InvitePage(token: String) -> impl IntoView {
    let ctx = ctx();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let reset = window()
        .location()
        .hash()
        .unwrap_or_default()
        .ends_with("?reset");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let (password, repeat) = (form.raw("inv-password"), form.raw("inv-repeat"));
        if let Some(error) = require(&[
            (
                "password",
                password.chars().count() >= 10,
                strings::PW_TOO_SHORT,
            ),
            ("repeat", password == repeat, strings::PW_MISMATCH),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = AcceptInvitation {
                token: token.get_value(),
                password,
            };
            match accept(body).await {
                Ok(pair) => {
                    // The new sign-in replaces whatever session this browser held.
                    session::store(&pair);
                    forget_link();
                    match api::me().await {
                        // A reset keeps the second factor: a full sign-in with it.
                        Ok(me) if me.totp_enabled => {
                            api::sign_out().await;
                            ctx.signed_out(Some(strings::RESET_DONE));
                        }
                        _ => ctx.after_sign_in(),
                    }
                }
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let to_login = move |_| {
        forget_link();
        ctx.screen.set(Screen::Login(None));
    };
    view! {
        <h1>{if reset { strings::RESET_TITLE } else { strings::INV_TITLE }}</h1>
        <p class="lead">{if reset { strings::RESET_LEAD } else { strings::INV_LEAD }}</p>
        <form id="invite-form" class="card" novalidate on:submit=submit>
            <TextField id="inv-password" field="password" label=strings::PW_NEW
                kind="password" autocomplete="new-password" errors required=true/>
            <TextField id="inv-repeat" field="repeat" label=strings::PW_REPEAT
                kind="password" autocomplete="new-password" errors required=true/>
            <FormAlert errors fields=&["password", "repeat"]/>
            <button type="submit" class="button wide" disabled=busy>{strings::INV_SAVE}</button>
        </form>
        <button type="button" id="invite-to-login" class="button secondary" on:click=to_login>
            {strings::INV_TO_LOGIN}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::token_in;

    #[test]
    fn reads_the_token_of_an_invitation_link() {
        assert_eq!(token_in("#/invite/AbC123").as_deref(), Some("AbC123"));
        assert_eq!(token_in("#/invite/AbC123/").as_deref(), Some("AbC123"));
        assert_eq!(token_in("#invite/x_y-z").as_deref(), Some("x_y-z"));
        assert_eq!(token_in("#/invite/AbC123?reset").as_deref(), Some("AbC123"));
        for hash in [
            "",
            "#/",
            "#/invite",
            "#/invite/",
            "#/board",
            "#/invite/a b",
            "#/invite/a/b",
        ] {
            assert_eq!(token_in(hash), None, "{hash:?}");
        }
    }
}
