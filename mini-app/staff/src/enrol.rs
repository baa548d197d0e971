//! Enrolling the staff second factor: the QR code (SVG drawn by the api), the `otpauth://`
//! link and its secret, then a first code to confirm; the ten recovery codes of the answer
//! are shown once, and afterwards the staff member signs in again with the code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::TotpEnrollment;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, load_into, Remote};
use crate::ctx::ctx;
use crate::strings;
use crate::user_forms::Secret;
use mini_app_client::form::{require, FormAlert, FormValues, TextField};
use mini_app_client::{ErrorBox, Loading};

/// The `secret` parameter of an `otpauth://` URI, grouped by four for reading.
#[must_use]
pub fn secret_of(uri: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    let secret = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("secret="))?;
    let chars: Vec<char> = secret.chars().collect();
    Some(
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let ctx = ctx();
    let enrollment: RwSignal<Remote<TotpEnrollment>> = RwSignal::new(Remote::Loading);
    let start = move || load_into(enrollment, api::totp_enroll(None));
    start();

    let cancel = move |_| {
        spawn_local(async move {
            api::sign_out().await;
            ctx.signed_out(None);
        });
    };

    let body = move || match enrollment.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=move |()| start()/> }.into_any()
        }
        Remote::Ready(TotpEnrollment {
            otpauth_uri: Some(uri),
            qr_svg,
            ..
        }) => view! { <Steps uri qr=qr_svg/> }.into_any(),
        // Already enrolled (another tab finished it): a full sign-in is what is left.
        Remote::Ready(_) => view! { <p class="notice">{strings::TOTP_DONE}</p> }.into_any(),
    };

    view! {
        <h1>{strings::TOTP_TITLE}</h1>
        <p class="lead">{strings::TOTP_LEAD}</p>
        {body}
        <button type="button" class="button secondary" on:click=cancel>
            {strings::SIGN_OUT}
        </button>
    }
}

/// `navigator.clipboard.writeText(text)`, guarded: the clipboard exists only in secure
/// contexts (https, localhost) and not in every WebView.
fn clipboard_write(text: &str) -> Option<js_sys::Promise> {
    let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()).ok()?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()?
        .dyn_into()
        .ok()?;
    write.call1(&clipboard, &text.into()).ok()?.dyn_into().ok()
}

#[component]
fn Steps(uri: String, qr: Option<String>) -> impl IntoView {
    let ctx = ctx();
    let codes = RwSignal::new(None::<String>);
    let secret = secret_of(&uri).unwrap_or_default();
    let copied = RwSignal::new(None::<&'static str>);
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let link = uri.clone();
    let copy = move |_| {
        let link = link.clone();
        spawn_local(async move {
            let ok = match clipboard_write(&link) {
                Some(promise) => JsFuture::from(promise).await.is_ok(),
                None => false,
            };
            copied.set(Some(if ok {
                strings::TOTP_COPIED
            } else {
                strings::TOTP_COPY_FAILED
            }));
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let value: String = FormValues::take(&ev)
            .text("totp-code")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if let Some(error) = require(&[("code", value.len() == 6, strings::TOTP_FILL_CODE)]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::totp_enroll(Some(value)).await {
                // Shown once; then a new sign-in (the password-only token may do nothing else).
                Ok(done) => codes.set(Some(done.recovery_codes.join("  "))),
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };

    let done = move |_| {
        spawn_local(async move {
            api::sign_out().await;
            ctx.signed_out(Some(strings::TOTP_DONE));
        });
    };
    view! {
        {move || codes.get().map(|text| view! {
            <Secret id="recovery-codes" label=strings::RECOVERY_CODES text/>
            <button type="button" id="recovery-done" class="button wide" on:click=done>
                {strings::RECOVERY_DONE}
            </button>
        })}
        <div hidden=move || codes.with(Option::is_some)>
        <section class="card">
            <p>{strings::TOTP_STEP_ADD}</p>
            {qr.map(|svg| view! {
                <div id="totp-qr" class="qr" role="img" aria-label=strings::TOTP_QR inner_html=svg></div>
            })}
            <div class="field">
                <label for="totp-uri">{strings::TOTP_URI}</label>
                <textarea id="totp-uri" class="mono" rows="3" readonly>{uri.clone()}</textarea>
            </div>
            <div class="actions">
                <a class="button secondary" href=uri>{strings::TOTP_OPEN}</a>
                <button type="button" class="button secondary" on:click=copy>
                    {strings::TOTP_COPY}
                </button>
            </div>
            <p class="done" role="status">{move || copied.get()}</p>
            <p>
                {strings::TOTP_SECRET} ": "
                <code id="totp-secret" class="mono">{secret}</code>
            </p>
        </section>
        <section class="card">
            <p>{strings::TOTP_STEP_CODE}</p>
            <form id="totp-form" novalidate on:submit=submit>
                <TextField
                    id="totp-code"
                    field="code"
                    label=strings::TOTP_CODE
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    errors
                    required=true
                />
                <FormAlert errors fields=&["code"]/>
                <button type="submit" class="button wide" disabled=busy>
                    {strings::TOTP_CONFIRM}
                </button>
            </form>
        </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::secret_of;

    #[test]
    fn reads_the_secret() {
        let uri = "otpauth://totp/%D0%9F:op%40x.ru?secret=ABCDEFGHIJKLMNOPQ&issuer=%D0%9F";
        assert_eq!(secret_of(uri).as_deref(), Some("ABCD EFGH IJKL MNOP Q"));
        assert_eq!(secret_of("otpauth://totp/x"), None);
    }
}
