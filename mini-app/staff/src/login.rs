//! Signing in outside MAX: the staff login (e-mail, password, code) and, when the server
//! runs in dev, the demo login (any role; a demo teacher goes back to the teacher app).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{DevLoginRequest, LoginRequest, Role};

use crate::api;
use crate::ctx::ctx;
use crate::strings;
use mini_app_client::form::{
    region_options, require, CheckField, FormAlert, FormValues, SelectField, TextField,
};

/// The sign-in screen of a plain browser.
#[component]
pub fn LoginPage(notice: Option<String>) -> impl IntoView {
    let ctx = ctx();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let demo = RwSignal::new(false);
    spawn_local(async move { demo.set(api::demo_available().await) });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let body = LoginRequest {
            email: form.text("login-email"),
            password: form.raw("login-password"),
            totp_code: form.opt("login-code"),
        };
        if let Some(error) = require(&[
            ("email", !body.email.is_empty(), strings::FILL_EMAIL),
            (
                "password",
                !body.password.is_empty(),
                strings::FILL_PASSWORD,
            ),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::sign_in_staff(body).await {
                Ok(()) => ctx.after_sign_in(),
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };

    view! {
        <h1>{strings::LOGIN_TITLE}</h1>
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <section class="card" aria-labelledby="staff-login-title">
            <h2 id="staff-login-title" class="card-title">{strings::STAFF_LOGIN_TITLE}</h2>
            <p class="muted">{strings::STAFF_LOGIN_LEAD}</p>
            <form id="staff-login" novalidate on:submit=submit>
                <TextField
                    id="login-email"
                    field="email"
                    label=strings::LOGIN_EMAIL
                    kind="email"
                    autocomplete="username"
                    errors
                    required=true
                />
                <TextField
                    id="login-password"
                    field="password"
                    label=strings::PASSWORD
                    kind="password"
                    autocomplete="current-password"
                    errors
                    required=true
                />
                <TextField
                    id="login-code"
                    field="totp_code"
                    label=strings::CODE
                    hint=strings::CODE_HINT
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    errors
                />
                <FormAlert errors fields=&["email", "password"]/>
                <button type="submit" class="button wide" disabled=busy>
                    {strings::SIGN_IN}
                </button>
            </form>
        </section>
        <p class="muted">{strings::TEACHER_HINT}</p>
        {move || demo.get().then(|| view! { <DemoLogin/> })}
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
