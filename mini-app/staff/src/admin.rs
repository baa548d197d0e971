//! The administrator's screens, in the supervisor module: a tab bar driven by the URL hash
//! (`#/users`, `#/keys`, `#/webhooks`, `#/outbox`, `#/audit`; webhooks and the outbox are
//! in [`crate::hooks_admin`]). Users: the list with filters and blocking
//! ([`crate::users`]), creating a staff user (the one-time password shown once, with a copy
//! button), changing role and regions. API keys: create (the key shown once), the list with
//! the last use, revoke. The audit log: filters by actor, action, object and period, pages
//! by cursor. Read-only content is built as escaped HTML text, as in the supervisor screens.
//! Also the regional head's «new operator» form ([`NewUser`] with `operators_only`).
//!
//! The server decides who may do what; nothing here is the only guard.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{require, Errors, FormAlert, FormValues, TextField};
use mini_app_client::json::{array, get, object, string, strings};
use mini_app_client::{request_value, ApiError, ErrorLine, Method};
use shared::users::Role;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::{query, Remote};
use crate::app::Regions;
use crate::hooks_admin::{Outbox, Webhooks};
use crate::supervisor::{clicked, esc, html, show, Html};
use crate::users::Users;
use crate::workspace::when;

/// The title of a regional head's list of operators.
pub const OPERATORS_TITLE: &str = "Операторы региона";

/// `(slug, title)` of every tab, in order.
const TABS: [(&str, &str); 5] = [
    ("users", "Пользователи"),
    ("keys", "API-ключи"),
    ("webhooks", "Вебхуки"),
    ("outbox", "Очередь"),
    ("audit", "Журнал"),
];

/// The tab of the URL hash; an empty or unknown one is the users.
fn route() -> &'static str {
    let hash = window().location().hash().unwrap_or_default();
    let slug = hash.trim_start_matches('#').trim_start_matches('/');
    let slug = slug.split('/').next().unwrap_or_default();
    TABS.iter().find(|t| t.0 == slug).map_or("users", |t| t.0)
}

#[component]
pub fn Admin(regions: Regions) -> impl IntoView {
    let current = RwSignal::new(route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| current.set(route()));
    on_cleanup(move || handle.remove());
    let tabs = TABS
        .iter()
        .map(|&(tab, title)| {
            view! {
                <a href=format!("#/{tab}") class="tab"
                    aria-current=move || (current.get() == tab).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label="Разделы">{tabs}</nav>
        {move || match current.get() {
            "keys" => view! { <ApiKeys regions/> }.into_any(),
            "audit" => view! { <Audit/> }.into_any(),
            "webhooks" => view! { <Webhooks regions/> }.into_any(),
            "outbox" => view! { <Outbox/> }.into_any(),
            _ => {
                let refresh = RwSignal::new(0);
                view! { <Users regions refresh/> <NewUser regions refresh/> }.into_any()
            }
        }}
    }
}

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
fn submitted(ev: &SubmitEvent) -> (FormValues, Vec<String>) {
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

// --- API keys ------------------------------------------------------------------------------

/// One key of `GET /api/v1/admin/api-keys` as a list item, with a revoke button while active.
fn key_item(key: &JsValue) -> String {
    let id = esc(&string(key, "id").unwrap_or_default());
    let revoked = string(key, "revoked_at");
    let used =
        string(key, "last_used_at").map_or_else(|| "не использовался".to_owned(), |t| when(&t));
    let state = match &revoked {
        Some(at) => format!(
            "<span class=\"badge badge-bad\">отозван {}</span>",
            esc(&when(at))
        ),
        None => "<span class=\"badge badge-ok\">действует</span>".to_owned(),
    };
    let button = if revoked.is_none() {
        format!("<button type=\"button\" class=\"button danger-outline\" data-revoke=\"{id}\">Отозвать</button>")
    } else {
        String::new()
    };
    format!(
        "<li class=\"card staff-item\" data-key=\"{id}\"><h2 class=\"card-title\">{} {state}</h2>\
         <p class=\"muted\">{}… · регионы: {} · создан {} · последнее использование: {}</p>{button}</li>",
        esc(&string(key, "name").unwrap_or_default()),
        esc(&string(key, "prefix").unwrap_or_default()),
        esc(&strings(key, "regions").join(", ")),
        esc(&when(&string(key, "created_at").unwrap_or_default())),
        esc(&used),
    )
}

fn load_keys(list: Html) {
    mini_app_client::load_into(list, async move {
        let page = request_value(Method::Get, "/api/v1/admin/api-keys?limit=100", None).await?;
        let items = array(&page, "items");
        if items.is_empty() {
            return Ok("<p class=\"state\">Ключей нет.</p>".to_owned());
        }
        let items: String = items.iter().map(key_item).collect();
        Ok(format!("<ul id=\"keys\" class=\"staff-list\">{items}</ul>"))
    });
}

/// `#/keys`: create a key for an integrator (shown once), the keys with their last use,
/// revoke.
#[component]
fn ApiKeys(regions: Regions) -> impl IntoView {
    let list = html();
    load_keys(list);
    let errors: Errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<String>);
    let revoke_error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        let (form, codes) = submitted(&ev);
        let name = form.text("key-name");
        if let Some(error) = require(&[("name", !name.is_empty(), "Назовите ключ.")]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        created.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = object(&[
                ("name", JsValue::from_str(&name)),
                ("regions", text_array(&codes)),
            ]);
            match request_value(Method::Post, "/api/v1/admin/api-keys", Some(&body)).await {
                Ok(answer) => {
                    created.set(string(&answer, "key"));
                    load_keys(list);
                }
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(id) = clicked(&ev, "revoke") else {
            return;
        };
        revoke_error.set(None);
        spawn_local(async move {
            let path = format!(
                "/api/v1/admin/api-keys/{}",
                js_sys::encode_uri_component(&id)
            );
            match request_value(Method::Delete, &path, None).await {
                Ok(_) => load_keys(list),
                Err(error) => revoke_error.set(Some(error.message())),
            }
        });
    };
    view! {
        <h1>"API-ключи"</h1>
        <section class="card">
            <h2 class="card-title">"Новый ключ"</h2>
            <form id="new-key" on:submit=submit novalidate>
                <TextField id="key-name" label="Название (кто и зачем)" errors field="name" required=true/>
                {region_select("key-regions", regions, Vec::new(), errors)}
                <FormAlert errors fields=&["name", "regions"]/>
                <button type="submit" class="button" disabled=busy>"Создать ключ"</button>
            </form>
            {move || created.get().map(|key| view! {
                <Secret id="key-secret" label="Ключ создан. Передайте его интегратору:" text=key/>
            })}
        </section>
        <ErrorLine message=revoke_error/>
        <div class="keys" on:click=on_click>{show(list)}</div>
    }
}

// --- the audit log -------------------------------------------------------------------------

/// A JSON value as compact text («—» when absent).
fn json_text(value: &JsValue) -> String {
    if value.is_undefined() || value.is_null() {
        return "—".to_owned();
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn audit_row(e: &JsValue) -> String {
    let actor = match (string(e, "actor_id"), string(e, "actor_role")) {
        (Some(id), Some(role)) => format!("{id} ({role})"),
        (Some(id), None) => id,
        (None, Some(role)) => role,
        (None, None) => "система".to_owned(),
    };
    let object = format!(
        "{} {}",
        string(e, "object_type").unwrap_or_default(),
        string(e, "object_id").unwrap_or_default()
    );
    let cells = [
        when(&string(e, "created_at").unwrap_or_default()),
        actor,
        string(e, "action").unwrap_or_default(),
        object,
        json_text(&get(e, "before")),
        json_text(&get(e, "after")),
    ];
    let cells: String = cells
        .iter()
        .map(|c| format!("<td>{}</td>", esc(c)))
        .collect();
    format!("<tr>{cells}</tr>")
}

/// A date input's `YYYY-MM-DD` as the start (or, with `end`, the end) of that Moscow day.
fn day_bound(date: &str, end: bool) -> String {
    if date.is_empty() {
        return String::new();
    }
    let time = if end { "23:59:59" } else { "00:00:00" };
    format!("{date}T{time}+03:00")
}

/// `#/audit`: who did what, newest first, with filters and «Показать ещё».
#[component]
fn Audit() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let rows = RwSignal::new(String::new());
    let cursor = RwSignal::new(None::<String>);
    let state = html();
    let load = move |more: bool| {
        let mut path = format!("/api/v1/admin/audit{}", filter.get_untracked());
        let from = if more { cursor.get_untracked() } else { None };
        if let Some(from) = from {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&query(&[("cursor", &from)])[1..]);
        }
        if !more {
            rows.set(String::new());
        }
        state.set(Remote::Loading);
        spawn_local(async move {
            match request_value(Method::Get, &path, None).await {
                Ok(page) => {
                    let html: String = array(&page, "items").iter().map(audit_row).collect();
                    rows.update(|r| r.push_str(&html));
                    cursor.set(string(&page, "next_cursor"));
                    state.set(Remote::Ready(String::new()));
                }
                Err(error) => state.set(Remote::Failed(error)),
            }
        });
    };
    load(false);
    let submit = move |ev: SubmitEvent| {
        let form = FormValues::take(&ev);
        filter.set(query(&[
            ("actor", &form.text("au-actor")),
            ("action", &form.text("au-action")),
            ("object_type", &form.text("au-object")),
            ("object_id", &form.text("au-object-id")),
            ("from", &day_bound(&form.text("au-from"), false)),
            ("to", &day_bound(&form.text("au-to"), true)),
            ("limit", "50"),
        ]));
        load(false);
    };
    let errors: Errors = RwSignal::new(None);
    let table = move || {
        rows.with(|r| {
            if r.is_empty() {
                let loaded = state.with(|s| matches!(s, Remote::Ready(_)));
                return if loaded {
                    "<p class=\"state\">Записей нет.</p>".to_owned()
                } else {
                    String::new()
                };
            }
            format!(
                "<div class=\"table-wrap\"><table id=\"audit\" class=\"data\"><caption>Журнал действий</caption>\
                 <thead><tr><th scope=\"col\">Когда</th><th scope=\"col\">Кто</th><th scope=\"col\">Действие</th>\
                 <th scope=\"col\">Объект</th><th scope=\"col\">Было</th><th scope=\"col\">Стало</th></tr></thead>\
                 <tbody>{r}</tbody></table></div>"
            )
        })
    };
    view! {
        <h1>"Журнал действий"</h1>
        <form id="audit-filters" class="filters" on:submit=submit novalidate>
            <TextField id="au-actor" label="Кто (id пользователя)" errors field="actor"/>
            <TextField id="au-action" label="Действие" errors field="action"
                hint="Например, user.create, user.update, api_key.create, api_key.revoke."/>
            <TextField id="au-object" label="Тип объекта" errors field="object_type"
                hint="Например, user, api_key, article."/>
            <TextField id="au-object-id" label="Id объекта" errors field="object_id"/>
            <TextField id="au-from" label="С даты" errors field="from" kind="date"/>
            <TextField id="au-to" label="По дату" errors field="to" kind="date"/>
            <button type="submit" class="button secondary">"Показать"</button>
        </form>
        <div inner_html=table></div>
        {show(state)}
        {move || cursor.with(Option::is_some).then(|| view! {
            <button type="button" id="audit-more" class="button secondary" on:click=move |_| load(true)>
                "Показать ещё"
            </button>
        })}
    }
}

/// A regional head's operators (under the figures of the «Операторы» tab): the list of own
/// operators with blocking and their regions, and the form adding an operator by e-mail.
#[component]
pub fn Team(regions: Regions) -> impl IntoView {
    let refresh = RwSignal::new(0);
    view! {
        <section class="team">
            <Users regions operators_only=true refresh/>
            <NewUser regions operators_only=true refresh/>
        </section>
    }
}
