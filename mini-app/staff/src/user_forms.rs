//! The forms of staff-user management that the administrator's and the regional head's
//! screens share: creating a staff user (the one-time password shown once, with a copy
//! button), changing role and regions, the multiple choice of regions, and a secret shown
//! once (also used for API keys and webhook secrets).
//!
//! The server decides who may do what; nothing here is the only guard.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{require, Errors, FormAlert, FormValues, TextField};
use mini_app_client::html::esc;
use mini_app_client::{json_body, request, ApiError, Method, Remote};
use shared::users::{CreateUserRequest, CreatedUser, Role, UpdateUserRequest, UserSummary};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::regions::Regions;
use crate::strings as s;

/// `navigator.clipboard.writeText(text)`; `false` where there is no clipboard (not a secure
/// context, some WebViews) or it refused.
async fn copy(text: String) -> bool {
    let navigator = window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let promise = write
        .and_then(|f| f.call1(&clipboard, &text.into()).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    match promise {
        Some(p) => JsFuture::from(p).await.is_ok(),
        None => false,
    }
}

/// A secret shown once: the text in `<code id=…>`, a copy button and a warning.
#[component]
pub fn Secret(id: &'static str, label: &'static str, text: String) -> impl IntoView {
    let said = RwSignal::new("");
    let value = text.clone();
    let on_copy = move |_| {
        let value = value.clone();
        spawn_local(async move {
            said.set(if copy(value).await {
                s::COPIED
            } else {
                s::COPY_FAILED
            });
        });
    };
    view! {
        <div class="card secret" role="status">
            <p>{label}</p>
            <p><code id=id class="secret-text">{text}</code></p>
            <p class="muted">{s::SHOWN_ONCE}</p>
            <button type="button" id=format!("{id}-copy") class="button secondary" on:click=on_copy>
                {s::COPY}
            </button>
            <span class="muted">" " {move || said.get()}</span>
        </div>
    }
}

/// The regions a regional head's forms may offer (provided by `users::Team`; `None` until
/// the head's profile arrives). Without it every region is offered.
#[derive(Debug, Clone, Copy)]
pub struct OwnRegions(pub RwSignal<Option<Vec<String>>>);

/// `<option>`s of the regions as HTML, `selected` ones marked; only `own` ones when given.
fn region_options(regions: Regions, selected: &[String], own: Option<OwnRegions>) -> String {
    let own = own.map(|o| o.0.get().unwrap_or_default());
    regions.with(|r| match r {
        Remote::Ready(list) => list
            .iter()
            .filter(|r| own.as_ref().is_none_or(|own| own.contains(&r.code)))
            .map(|r| {
                let mark = if selected.contains(&r.code) {
                    " selected"
                } else {
                    ""
                };
                format!(
                    "<option value=\"{}\"{mark}>{} ({})</option>",
                    esc(&r.code),
                    esc(&r.name),
                    esc(&r.code)
                )
            })
            .collect(),
        _ => String::new(),
    })
}

/// A labelled multiple choice of regions named `regions` (read by [`submitted`]).
pub fn region_select(
    id: &str,
    regions: Regions,
    selected: Vec<String>,
    errors: Errors,
) -> impl IntoView {
    let error = move || errors.with(|e| e.as_ref().and_then(|e| e.field("regions")));
    let own = use_context::<OwnRegions>();
    view! {
        <div class="field">
            <label for=id.to_owned()>{s::REGIONS}</label>
            <p class="hint" id=format!("{id}-hint")>{s::REGIONS_HINT}</p>
            <select id=id.to_owned() name="regions" multiple size="5"
                aria-describedby=format!("{id}-hint {id}-error")
                aria-invalid=move || error().map(|_| "true")
                inner_html=move || region_options(regions, &selected, own)></select>
            <p class="field-error" id=format!("{id}-error")>{error}</p>
        </div>
    }
}

/// Every value of the submitted form's controls named `name` (a multiple `<select>`,
/// checkboxes). Read before [`FormValues::take`].
#[must_use]
pub fn form_list(ev: &SubmitEvent, name: &str) -> Vec<String> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
        .map(|d| {
            d.get_all(name)
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The submitted form's values and the regions chosen in its `regions` list.
pub fn submitted(ev: &SubmitEvent) -> (FormValues, Vec<String>) {
    let codes = form_list(ev, "regions");
    (FormValues::take(ev), codes)
}

/// Strings as a JavaScript array.
#[must_use]
pub fn text_array(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<js_sys::Array>()
        .into()
}

/// The staff roles as `<option>`s, `selected` marked.
#[must_use]
pub fn role_options(selected: Role) -> String {
    Role::ALL
        .iter()
        .filter(|r| r.is_staff())
        .map(|r| {
            let mark = if *r == selected { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{mark}>{}</option>",
                r.as_str(),
                r.title()
            )
        })
        .collect()
}

/// Creating a staff user: e-mail, name, role (only operators for a regional head:
/// `operators_only`) and regions, and whether to send an invitation letter (on by default);
/// the answer's one-time password is shown once, and whether the invitation went out.
#[component]
pub fn NewUser(
    regions: Regions,
    #[prop(optional)] operators_only: bool,
    /// Bumped after a user was created (the list reloads).
    #[prop(optional)]
    refresh: Option<RwSignal<u32>>,
) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<(String, String, bool)>);
    let submit = move |ev: SubmitEvent| {
        let (form, codes) = submitted(&ev);
        let email = form.text("nu-email");
        if let Some(error) = require(&[("email", !email.is_empty(), s::EMAIL_REQUIRED)]) {
            errors.set(Some(error));
            return;
        }
        let role = if operators_only {
            Role::Operator
        } else {
            // The select offers only staff roles; an unknown value cannot be chosen.
            Role::parse(&form.text("nu-role")).unwrap_or(Role::Operator)
        };
        let (surname, name) = (form.opt("nu-surname"), form.opt("nu-name"));
        let invite = form.checked("nu-invite");
        errors.set(None);
        created.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = json_body(&CreateUserRequest {
                email: email.clone(),
                role,
                regions: codes,
                surname,
                name,
                patronymic: None,
                invite,
            });
            let answer: Result<CreatedUser, _> =
                request(Method::Post, "/api/v1/admin/users", Some(&body)).await;
            match answer {
                Ok(answer) => {
                    created.set(Some((
                        email,
                        answer.one_time_password,
                        answer.invitation_sent,
                    )));
                    if let Some(refresh) = refresh {
                        refresh.update(|n| *n += 1);
                    }
                }
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let title = if operators_only {
        s::NEW_OPERATOR
    } else {
        s::NEW_STAFF
    };
    view! {
        <section class="card new-user">
            <h2 class="card-title">{title}</h2>
            <form id="new-user" on:submit=submit novalidate>
                <TextField id="nu-email" label=s::EMAIL errors field="email" kind="email"
                    autocomplete="off" required=true/>
                <TextField id="nu-surname" label=s::SURNAME errors field="surname"/>
                <TextField id="nu-name" label=s::NAME errors field="name"/>
                {(!operators_only).then(|| view! {
                    <div class="field">
                        <label for="nu-role">{s::ROLE}</label>
                        <select id="nu-role" name="nu-role" inner_html=role_options(Role::Operator)></select>
                    </div>
                })}
                {region_select("nu-regions", regions, Vec::new(), errors)}
                // A plain checkbox: the supervisor module has no other use for `CheckField`.
                <div class="check">
                    <input type="checkbox" id="nu-invite" name="nu-invite" checked=true/>
                    <label for="nu-invite">{s::SEND_INVITATION}</label>
                </div>
                <FormAlert errors fields=&["email", "surname", "name", "regions", "role"]/>
                <button type="submit" class="button" disabled=busy>{s::CREATE}</button>
            </form>
            {move || created.get().map(|(email, password, invited)| {
                let note = if invited {
                    s::invitation_sent(&email)
                } else {
                    s::pass_password(&email)
                };
                view! {
                    <div id="nu-created">
                        <Secret id="nu-password"
                            label=if operators_only { s::OPERATOR_CREATED } else { s::STAFF_CREATED }
                            text=password/>
                        <p id="nu-note" class="muted" role="status">
                            {note}
                            {s::FIRST_SIGN_IN}
                        </p>
                    </div>
                }
            })}
        </section>
    }
}

/// Role and regions of a staff user, saved with `PATCH /api/v1/admin/users/{id}`; the
/// changed user goes to `on_saved`.
#[component]
pub fn EditUser(
    id: String,
    role: Role,
    codes: Vec<String>,
    regions: Regions,
    /// A regional head's operator: regions only, the role stays.
    operators_only: bool,
    on_saved: impl Fn(shared::users::UserSummary) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let role_id = format!("role-{id}");
    let regions_id = format!("regions-{id}");
    let submit = {
        let role_id = role_id.clone();
        move |ev: SubmitEvent| {
            let (form, codes) = submitted(&ev);
            let role = form.opt(&role_id);
            let id = id.clone();
            errors.set(None);
            busy.set(true);
            spawn_local(async move {
                let body = json_body(&UpdateUserRequest {
                    role: role.as_deref().and_then(Role::parse),
                    regions: Some(codes),
                    ..UpdateUserRequest::default()
                });
                let path = format!("/api/v1/admin/users/{}", js_sys::encode_uri_component(&id));
                match request::<UserSummary>(Method::Patch, &path, Some(&body)).await {
                    Ok(user) => on_saved(user),
                    Err(error) => errors.set(Some(error)),
                }
                busy.set(false);
            });
        }
    };
    let message = move || errors.with(|e| e.as_ref().map(ApiError::message));
    view! {
        <details class="user-edit">
            <summary>{if operators_only { s::REGIONS } else { s::ROLE_AND_REGIONS }}</summary>
            <form class="edit-user" on:submit=submit novalidate>
                {(!operators_only).then(|| view! {
                    <div class="field">
                        <label for=role_id.clone()>{s::ROLE}</label>
                        <select id=role_id.clone() name=role_id inner_html=role_options(role)></select>
                    </div>
                })}
                {region_select(&regions_id, regions, codes, errors)}
                <p class="form-error" role="alert">{message}</p>
                <button type="submit" class="button secondary" disabled=busy>{s::SAVE}</button>
            </form>
        </details>
    }
}
