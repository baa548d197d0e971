//! Signing in outside MAX: the staff login (e-mail and password, then the code as a second
//! step), «Забыли пароль?» and, when the server runs in dev, the demo login (any role; a
//! demo teacher goes back to the teacher app).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{DevLoginRequest, LoginRequest, PasswordResetRequest, Role};

use crate::api::{self, json_body, request, Method};
use crate::ctx::ctx;
use crate::strings;
use mini_app_client::form::{
    region_options, require, CheckField, FormAlert, FormValues, SelectField, TextField,
};

/// The sign-in screen of a plain browser: e-mail and password first; when the api answers
/// that the account has a second factor, the code (or a recovery code) as a second step.
#[component]
pub fn LoginPage(notice: Option<String>) -> impl IntoView {
    let ctx = ctx();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let demo = RwSignal::new(false);
    // E-mail and password once they were right and a code is what is left.
    let known = RwSignal::new(None::<(String, String)>);
    let forgot = RwSignal::new(false);
    spawn_local(async move { demo.set(api::demo_available().await) });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let (email, password, totp_code) = match known.get_untracked() {
            Some((email, password)) => (email, password, form.opt("login-code")),
            None => (form.text("login-email"), form.raw("login-password"), None),
        };
        if let Some(error) = require(&[
            ("email", !email.is_empty(), strings::FILL_EMAIL),
            ("password", !password.is_empty(), strings::FILL_PASSWORD),
            (
                "totp_code",
                known.get_untracked().is_none() || totp_code.is_some(),
                strings::FILL_CODE,
            ),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = LoginRequest {
                email: email.clone(),
                password: password.clone(),
                totp_code,
            };
            match api::sign_in_staff(body).await {
                Ok(()) => ctx.after_sign_in(),
                // The password was right: the code is the second step.
                Err(error)
                    if known.get_untracked().is_none() && error.field("totp_code").is_some() =>
                {
                    known.set(Some((email, password)));
                }
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };

    let fields = move || match known.get() {
        None => view! {
            <TextField id="login-email" field="email" label=strings::LOGIN_EMAIL kind="email"
                autocomplete="username" errors required=true/>
            <TextField id="login-password" field="password" label=strings::PASSWORD
                kind="password" autocomplete="current-password" errors required=true/>
        }
        .into_any(),
        Some(_) => view! {
            <TextField id="login-code" field="totp_code" label=strings::CODE hint=strings::CODE_HINT
                autocomplete="one-time-code" errors required=true/>
        }
        .into_any(),
    };

    view! {
        <h1>{strings::LOGIN_TITLE}</h1>
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <section class="card" aria-labelledby="staff-login-title">
            <h2 id="staff-login-title" class="card-title">{strings::STAFF_LOGIN_TITLE}</h2>
            <p class="muted">{strings::STAFF_LOGIN_LEAD}</p>
            <form id="staff-login" novalidate on:submit=submit>
                {fields}
                <FormAlert errors fields=&["email", "password", "totp_code"]/>
                <button type="submit" class="button wide" disabled=busy>
                    {strings::SIGN_IN}
                </button>
            </form>
            <button type="button" id="forgot-open" class="button secondary" on:click=move |_| forgot.set(true)>
                {strings::FORGOT}
            </button>
            {move || forgot.get().then(|| view! { <Forgot/> })}
        </section>
        <p class="muted">{strings::TEACHER_HINT}</p>
        {move || demo.get().then(|| view! { <DemoLogin/> })}
    }
}

/// «Забыли пароль?»: the e-mail, then the same answer whoever it is (a letter goes only to a
/// staff member).
#[component]
fn Forgot() -> impl IntoView {
    let errors = RwSignal::new(None);
    let sent = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let email = FormValues::take(&ev).text("reset-email");
        if let Some(error) = require(&[("email", !email.is_empty(), strings::FILL_EMAIL)]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        spawn_local(async move {
            let body = json_body(&PasswordResetRequest {
                email: email.clone(),
            });
            match request::<()>(Method::Post, "/api/v1/auth/password-reset", Some(&body)).await {
                // 202 has no body, which the client reports as undecodable: still accepted.
                Ok(()) | Err(api::ApiError::Decode) => sent.set(Some(strings::reset_sent(&email))),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form id="reset-form" novalidate on:submit=submit>
            <p class="muted">{strings::FORGOT_LEAD}</p>
            <TextField id="reset-email" field="email" label=strings::LOGIN_EMAIL kind="email"
                autocomplete="username" errors required=true/>
            <FormAlert errors fields=&["email"]/>
            <button type="submit" class="button secondary">{strings::FORGOT_SEND}</button>
            <p class="done" role="status">{move || sent.get()}</p>
        </form>
    }
}

const ROLES: [Role; 5] = [
    Role::Teacher,
    Role::Operator,
    Role::RegionalHead,
    Role::Federal,
    Role::Admin,
];

/// The demo sign-in (dev servers only): any role, region and name.
#[component]
fn DemoLogin() -> impl IntoView {
    let ctx = ctx();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let role_options = Signal::derive(|| {
        ROLES
            .iter()
            .map(|r| (r.as_str().to_owned(), r.title().to_owned()))
            .collect()
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let Some(role) = Role::parse(&form.text("demo-role")) else {
            return;
        };
        let body = DevLoginRequest {
            role,
            region: (role.has_regions() || role == Role::Teacher)
                .then(|| form.opt("demo-region"))
                .flatten(),
            verified: (role == Role::Teacher).then(|| form.checked("demo-verified")),
            name: form.opt("demo-name"),
        };
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::sign_in_demo(body).await {
                Ok(()) => ctx.after_sign_in(),
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="demo-title">
            <h2 id="demo-title" class="card-title">{strings::DEMO_TITLE}</h2>
            <p class="muted">{strings::DEMO_LEAD}</p>
            <form id="demo-login" novalidate on:submit=submit>
                <SelectField
                    id="demo-role"
                    field="role"
                    label=strings::DEMO_ROLE
                    errors
                    options=role_options
                />
                <SelectField
                    id="demo-region"
                    field="region"
                    label=strings::DEMO_REGION
                    value="77"
                    errors
                    options=region_options(ctx.regions)
                />
                <TextField
                    id="demo-name"
                    field="name"
                    label=strings::DEMO_NAME
                    hint=strings::DEMO_NAME_HINT
                    errors
                />
                <CheckField id="demo-verified" label=strings::DEMO_VERIFIED checked=true errors/>
                <FormAlert errors fields=&["role", "region", "name"]/>
                <button type="submit" class="button secondary wide" disabled=busy>
                    {strings::DEMO_SIGN_IN}
                </button>
            </form>
        </section>
    }
}
