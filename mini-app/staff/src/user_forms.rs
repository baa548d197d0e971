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
use mini_app_client::json::{get, object, string};
use mini_app_client::{request_value, ApiError, Method, Remote};
use shared::users::Role;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::regions::Regions;

/// The title of a regional head's list of operators.
pub const OPERATORS_TITLE: &str = "Операторы региона";

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
                "Скопировано."
            } else {
                "Скопировать не удалось: выделите текст и скопируйте вручную."
            });
        });
    };
    view! {
        <div class="card secret" role="status">
            <p>{label}</p>
            <p><code id=id class="secret-text">{text}</code></p>
            <p class="muted">"Показывается один раз: сохраните сейчас, потом его не увидеть."</p>
            <button type="button" id=format!("{id}-copy") class="button secondary" on:click=on_copy>
                "Копировать"
            </button>
            <span class="muted">" " {move || said.get()}</span>
        </div>
    }
}

/// `<option>`s of the regions as HTML, `selected` ones marked.
fn region_options(regions: Regions, selected: &[String]) -> String {
    regions.with(|r| match r {
        Remote::Ready(list) => list
            .iter()
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
    view! {
        <div class="field">
            <label for=id.to_owned()>"Регионы"</label>
            <p class="hint" id=format!("{id}-hint")>
                "Несколько — с Ctrl или долгим нажатием. Администратору и федеральному куратору не нужны."
            </p>
            <select id=id.to_owned() name="regions" multiple size="5"
                aria-describedby=format!("{id}-hint {id}-error")
                aria-invalid=move || error().map(|_| "true")
                inner_html=move || region_options(regions, &selected)></select>
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
        if let Some(error) = require(&[("email", !email.is_empty(), "Укажите e-mail.")]) {
            errors.set(Some(error));
            return;
        }
        let role = if operators_only {
            "operator".to_owned()
        } else {
            form.text("nu-role")
        };
        let (surname, name) = (form.opt("nu-surname"), form.opt("nu-name"));
        let invite = form.checked("nu-invite");
        errors.set(None);
        created.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = object(&[
                ("email", JsValue::from_str(&email)),
                ("role", JsValue::from_str(&role)),
                ("regions", text_array(&codes)),
                ("surname", mini_app_client::json::opt(surname.as_ref())),
                ("name", mini_app_client::json::opt(name.as_ref())),
                ("invite", JsValue::from_bool(invite)),
            ]);
            match request_value(Method::Post, "/api/v1/admin/users", Some(&body)).await {
                Ok(answer) => {
                    let password = string(&answer, "one_time_password").unwrap_or_default();
                    let invited = get(&answer, "invitation_sent").as_bool().unwrap_or(false);
                    created.set(Some((email, password, invited)));
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
        "Новый оператор"
    } else {
        "Новый сотрудник"
    };
    view! {
        <section class="card new-user">
            <h2 class="card-title">{title}</h2>
            <form id="new-user" on:submit=submit novalidate>
                <TextField id="nu-email" label="E-mail" errors field="email" kind="email"
                    autocomplete="off" required=true/>
                <TextField id="nu-surname" label="Фамилия" errors field="surname"/>
                <TextField id="nu-name" label="Имя" errors field="name"/>
                {(!operators_only).then(|| view! {
                    <div class="field">
                        <label for="nu-role">"Роль"</label>
                        <select id="nu-role" name="nu-role" inner_html=role_options(Role::Operator)></select>
                    </div>
                })}
                {region_select("nu-regions", regions, Vec::new(), errors)}
                // A plain checkbox: the supervisor module has no other use for `CheckField`.
                <div class="check">
                    <input type="checkbox" id="nu-invite" name="nu-invite" checked=true/>
                    <label for="nu-invite">"Отправить приглашение на e-mail"</label>
                </div>
                <FormAlert errors fields=&["email", "surname", "name", "regions", "role"]/>
                <button type="submit" class="button" disabled=busy>"Создать"</button>
            </form>
            {move || created.get().map(|(email, password, invited)| {
                let note = if invited {
                    format!(
                        "Приглашение отправлено на {email}: в письме — ссылка для первого входа. \
                         Если письмо не дойдёт, передайте сотруднику одноразовый пароль."
                    )
                } else {
                    format!("Передайте пароль сотруднику ({email}).")
                };
                view! {
                    <div id="nu-created">
                        <Secret id="nu-password"
                            label=if operators_only { "Оператор создан. Одноразовый пароль для первого входа:" }
                                else { "Сотрудник создан. Одноразовый пароль для первого входа:" }
                            text=password/>
                        <p id="nu-note" class="muted" role="status">
                            {note}
                            " При первом входе сотрудник задаст свой пароль и подключит второй фактор — приложение с одноразовыми кодами."
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
                let body = object(&[
                    ("role", mini_app_client::json::opt(role.as_ref())),
                    ("regions", text_array(&codes)),
                ]);
                let path = format!("/api/v1/admin/users/{}", js_sys::encode_uri_component(&id));
                match request_value(Method::Patch, &path, Some(&body)).await {
                    Ok(answer) => match mini_app_client::decode(&answer) {
                        Ok(user) => on_saved(user),
                        Err(error) => errors.set(Some(error)),
                    },
                    Err(error) => errors.set(Some(error)),
                }
                busy.set(false);
            });
        }
    };
    let message = move || errors.with(|e| e.as_ref().map(ApiError::message));
    view! {
        <details class="user-edit">
            <summary>{if operators_only { "Регионы" } else { "Роль и регионы" }}</summary>
            <form class="edit-user" on:submit=submit novalidate>
                {(!operators_only).then(|| view! {
                    <div class="field">
                        <label for=role_id.clone()>"Роль"</label>
                        <select id=role_id.clone() name=role_id inner_html=role_options(role)></select>
                    </div>
                })}
                {region_select(&regions_id, regions, codes, errors)}
                <p class="form-error" role="alert">{message}</p>
                <button type="submit" class="button secondary" disabled=busy>"Сохранить"</button>
            </form>
        </details>
    }
}
