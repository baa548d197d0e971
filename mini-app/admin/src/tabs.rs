//! The administrator's screens, in the supervisor module: a tab bar driven by the URL hash
//! (`#/users`, `#/keys`, `#/webhooks`, `#/outbox`, `#/audit`; webhooks and the outbox are
//! in [`crate::hooks`]). Users: the list with filters and blocking
//! (`staff_app::users`), creating a staff user (the one-time password shown once, with a copy
//! button), changing role and regions. API keys: create (the key shown once), the list with
//! the last use, revoke. The audit log: filters by actor, action, object and period, pages
//! by cursor. Read-only content is built as escaped HTML text, as in the supervisor screens.
//! The user forms shared with the regional head's screens are in `staff_app::user_forms`.
//!
//! The server decides who may do what; nothing here is the only guard.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{require, Errors, FormAlert, FormValues, SelectField, TextField};
use mini_app_client::json::{array, get, string};
use mini_app_client::{json_body, request, request_value, ErrorLine, Method};
use shared::integrations::ApiPermission;
use shared::users::{ApiKeyInfo, CreateApiKeyRequest, CreatedApiKey};
use shared::Page;
use wasm_bindgen::JsValue;

use crate::hooks::{Outbox, Webhooks};
use crate::labels;
use crate::strings as s;
use mini_app_client::html::{clicked, esc, html, show, Html};
use staff_app::api::{query, Remote};
use staff_app::format::when;
use staff_app::regions::Regions;
use staff_app::user_forms::{form_list, region_select, submitted, NewUser, Secret};
use staff_app::users::Users;

/// `(slug, title)` of every tab, in order.
const TABS: [(&str, &str); 5] = [
    ("users", s::TAB_USERS),
    ("keys", s::TAB_KEYS),
    ("webhooks", s::TAB_WEBHOOKS),
    ("outbox", s::TAB_OUTBOX),
    ("audit", s::TAB_AUDIT),
];

/// A tab of the administrator's screens, as the URL hash names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Users,
    Keys,
    Webhooks,
    Outbox,
    Audit,
}

impl Route {
    /// The tab of `#/<slug>…`; an empty or unknown one is the users.
    #[must_use]
    pub fn parse(hash: &str) -> Self {
        let slug = hash.trim_start_matches('#').trim_start_matches('/');
        match slug.split('/').next().unwrap_or_default() {
            "keys" => Self::Keys,
            "webhooks" => Self::Webhooks,
            "outbox" => Self::Outbox,
            "audit" => Self::Audit,
            _ => Self::Users,
        }
    }

    /// The slug of the tab in the URL hash.
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Keys => "keys",
            Self::Webhooks => "webhooks",
            Self::Outbox => "outbox",
            Self::Audit => "audit",
        }
    }
}

/// The route of the current URL hash.
fn route() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
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
                    aria-current=move || (current.get().slug() == tab).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label=s::TABS>{tabs}</nav>
        {move || match current.get() {
            Route::Keys => view! { <ApiKeys regions/> }.into_any(),
            Route::Audit => view! { <Audit/> }.into_any(),
            Route::Webhooks => view! { <Webhooks regions/> }.into_any(),
            Route::Outbox => view! { <Outbox/> }.into_any(),
            Route::Users => {
                let refresh = RwSignal::new(0);
                view! {
                    <Users regions refresh staff_action=crate::totp::reset_button/>
                    <NewUser regions refresh/>
                }
                .into_any()
            }
        }}
    }
}

// --- API keys ------------------------------------------------------------------------------

/// One key of `GET /api/v1/admin/api-keys` as a list item, with a revoke button while active.
fn key_item(key: &ApiKeyInfo) -> String {
    let id = esc(&key.id);
    let used = key
        .last_used_at
        .as_deref()
        .map_or_else(|| s::KEY_NEVER_USED.to_owned(), when);
    let state = match &key.revoked_at {
        Some(at) => format!(
            "<span class=\"badge badge-bad\">{}</span>",
            s::key_revoked_at(&esc(&when(at)))
        ),
        None => format!("<span class=\"badge badge-ok\">{}</span>", s::KEY_ACTIVE),
    };
    let button = if key.revoked_at.is_none() {
        format!(
            "<button type=\"button\" class=\"button danger-outline\" data-revoke=\"{id}\">{}</button>",
            s::REVOKE
        )
    } else {
        String::new()
    };
    let permissions: Vec<&str> = key.permissions.iter().map(|p| p.as_str()).collect();
    let creator = key
        .created_by_name
        .as_deref()
        .or(key.created_by.as_deref())
        .unwrap_or("—");
    format!(
        "<li class=\"card staff-item\" data-key=\"{id}\"><h2 class=\"card-title\">{} {state}</h2>\
         <p class=\"muted\">{}</p><p class=\"muted\">{}</p>{button}</li>",
        esc(&key.name),
        s::key_meta(
            &esc(&key.prefix),
            &esc(&key.regions.join(", ")),
            &esc(&when(&key.created_at)),
            &esc(&used),
        ),
        s::key_grants(&esc(&permissions.join(", ")), &esc(creator)),
    )
}

/// The permission checkboxes of a new key; reading appeals and statistics are ticked, as
/// keys always could.
fn permission_checks() -> impl IntoView {
    s::PERMISSIONS
        .iter()
        .enumerate()
        .map(|(i, &(value, text))| {
            let id = format!("key-perm-{}", value.replace(':', "-"));
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="permissions" value=value
                        checked=i < 2/>
                    <label for=id>{text} " (" {value} ")"</label>
                </div>
            }
        })
        .collect_view()
}

fn load_keys(list: Html) {
    mini_app_client::load_into(list, async move {
        let page: Page<ApiKeyInfo> =
            request(Method::Get, "/api/v1/admin/api-keys?limit=100", None).await?;
        let items = page.items;
        if items.is_empty() {
            return Ok(format!("<p class=\"state\">{}</p>", s::NO_KEYS));
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
        let permissions: Vec<ApiPermission> = form_list(&ev, "permissions")
            .iter()
            .filter_map(|p| ApiPermission::parse(p))
            .collect();
        let (form, codes) = submitted(&ev);
        let name = form.text("key-name");
        if let Some(error) = require(&[
            ("name", !name.is_empty(), s::KEY_NAME_REQUIRED),
            (
                "permissions",
                !permissions.is_empty(),
                s::PERMISSIONS_REQUIRED,
            ),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        created.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = json_body(&CreateApiKeyRequest {
                name,
                regions: codes,
                permissions: Some(permissions),
            });
            let answer: Result<CreatedApiKey, _> =
                request(Method::Post, "/api/v1/admin/api-keys", Some(&body)).await;
            match answer {
                Ok(answer) => {
                    created.set(Some(answer.key));
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
            match request::<()>(Method::Delete, &path, None).await {
                Ok(()) => load_keys(list),
                Err(error) => revoke_error.set(Some(error.message())),
            }
        });
    };
    view! {
        <h1>{s::TAB_KEYS}</h1>
        <section class="card">
            <h2 class="card-title">{s::NEW_KEY}</h2>
            <form id="new-key" on:submit=submit novalidate>
                <TextField id="key-name" label=s::KEY_NAME errors field="name" required=true/>
                {region_select("key-regions", regions, Vec::new(), errors)}
                <fieldset class="checks">
                    <legend>{s::KEY_PERMISSIONS}</legend>
                    {permission_checks()}
                </fieldset>
                <FormAlert errors fields=&["name", "regions", "permissions"]/>
                <button type="submit" class="button" disabled=busy>{s::CREATE_KEY}</button>
            </form>
            {move || created.get().map(|key| view! {
                <Secret id="key-secret" label=s::KEY_CREATED text=key/>
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
        (Some(id), Some(role)) => format!("{} ({id})", labels::role(&role)),
        (Some(id), None) => id,
        (None, Some(role)) => labels::role(&role),
        (None, None) => s::SYSTEM.to_owned(),
    };
    let object = format!(
        "{} {}",
        labels::object(&string(e, "object_type").unwrap_or_default()),
        string(e, "object_id").unwrap_or_default()
    );
    let cells = [
        when(&string(e, "created_at").unwrap_or_default()),
        actor,
        labels::action(&string(e, "action").unwrap_or_default()),
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

/// The audit actions in words, «Все действия» first.
fn action_options() -> Vec<(String, String)> {
    let mut list = vec![(String::new(), s::AU_ACTION_ANY.to_owned())];
    list.extend(labels::action_choices());
    list
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
                    format!("<p class=\"state\">{}</p>", s::NO_AUDIT)
                } else {
                    String::new()
                };
            }
            let heads: String = s::AUDIT_HEADS
                .iter()
                .map(|h| format!("<th scope=\"col\">{h}</th>"))
                .collect();
            format!(
                "<div class=\"table-wrap\" tabindex=\"0\"><table id=\"audit\" class=\"data\"><caption>{}</caption>\
                 <thead><tr>{heads}</tr></thead><tbody>{r}</tbody></table></div>",
                s::AUDIT_TITLE
            )
        })
    };
    view! {
        <h1>{s::AUDIT_TITLE}</h1>
        <form id="audit-filters" class="filters" on:submit=submit novalidate>
            <TextField id="au-actor" label=s::AU_ACTOR errors field="actor"/>
            <SelectField id="au-action" label=s::AU_ACTION errors field="action"
                options=Signal::stored(action_options())/>
            <TextField id="au-object" label=s::AU_OBJECT errors field="object_type"
                hint=s::AU_OBJECT_HINT/>
            <TextField id="au-object-id" label=s::AU_OBJECT_ID errors field="object_id"/>
            <TextField id="au-from" label=s::AU_FROM errors field="from" kind="date"/>
            <TextField id="au-to" label=s::AU_TO errors field="to" kind="date"/>
            <button type="submit" class="button secondary">{s::SHOW}</button>
        </form>
        <div inner_html=table></div>
        {show(state)}
        {move || cursor.with(Option::is_some).then(|| view! {
            <button type="button" id="audit-more" class="button secondary" on:click=move |_| load(true)>
                {s::SHOW_MORE}
            </button>
        })}
    }
}
