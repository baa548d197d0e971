//! The administrator's delivery tools, in the supervisor module: webhook subscriptions
//! (`#/webhooks`: list, create with the signing secret shown once, ping, recent deliveries,
//! rotate the secret, delete) and the outbox (`#/outbox`: notifications waiting, being
//! delivered or given up, retry). Read-only content is escaped HTML text; the buttons in it
//! carry `data-*` attributes read by one click handler per list.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{require, Errors, FormAlert, FormValues, TextField};
use mini_app_client::json::{array, get, object, string, strings};
use mini_app_client::{load_into, request_value, ErrorLine, Method};
use wasm_bindgen::JsValue;

use mini_app_client::html::{clicked, esc, html, show, Html};
use staff_app::api::{query, Remote};
use staff_app::format::when;
use staff_app::regions::Regions;
use staff_app::user_forms::{form_list, region_select, text_array, Secret};

/// `(value, text)` of the event types a subscription can take.
const EVENTS: [(&str, &str); 4] = [
    ("appeal.created", "Новое обращение"),
    ("appeal.answered", "Ответ на обращение"),
    ("appeal.rated", "Оценка ответа"),
    ("appeal.overdue", "Просрочка"),
];

fn webhook_path(id: &str, action: &str) -> String {
    format!(
        "/api/v1/webhooks/{}{action}",
        js_sys::encode_uri_component(id)
    )
}

fn button(attr: &str, id: &str, class: &str, text: &str) -> String {
    format!("<button type=\"button\" class=\"button {class} small\" data-{attr}=\"{id}\">{text}</button>")
}

fn webhook_item(w: &JsValue) -> String {
    let id = esc(&string(w, "id").unwrap_or_default());
    let previous = string(w, "previous_secret_valid_until")
        .map(|t| format!(" · прежний секрет действует до {}", esc(&when(&t))))
        .unwrap_or_default();
    format!(
        "<li class=\"card staff-item\" data-webhook=\"{id}\"><h2 class=\"card-title\">{}</h2>\
         <p class=\"muted\">события: {} · регионы: {} · создана {}{previous}</p><div class=\"actions\">{}{}{}{}</div></li>",
        esc(&string(w, "url").unwrap_or_default()),
        esc(&strings(w, "events").join(", ")),
        esc(&strings(w, "regions").join(", ")),
        esc(&when(&string(w, "created_at").unwrap_or_default())),
        button("ping", &id, "secondary", "Проверить"),
        button("deliveries", &id, "secondary", "Доставки"),
        button("rotate", &id, "secondary", "Сменить секрет"),
        button("delete", &id, "danger-outline", "Удалить"),
    )
}

fn load_webhooks(list: Html) {
    load_into(list, async move {
        let page = request_value(Method::Get, "/api/v1/webhooks?limit=100", None).await?;
        let items = array(&page, "items");
        if items.is_empty() {
            return Ok("<p class=\"state\">Подписок нет.</p>".to_owned());
        }
        let items: String = items.iter().map(webhook_item).collect();
        Ok(format!(
            "<ul id=\"webhooks\" class=\"staff-list\">{items}</ul>"
        ))
    });
}

/// A table of text cells with a caption; empty `rows` say so.
fn data_table(id: &str, caption: &str, heads: &[&str], rows: &[String]) -> String {
    if rows.is_empty() {
        return format!("<p class=\"state\" id=\"{id}\">{caption}: записей нет.</p>");
    }
    let heads: String = heads
        .iter()
        .map(|h| format!("<th scope=\"col\">{h}</th>"))
        .collect();
    format!(
        "<div class=\"table-wrap\"><table id=\"{id}\" class=\"data\"><caption>{caption}</caption>\
         <thead><tr>{heads}</tr></thead><tbody>{}</tbody></table></div>",
        rows.concat()
    )
}

fn cells(values: &[String]) -> String {
    let cells: String = values
        .iter()
        .map(|c| format!("<td>{}</td>", esc(c)))
        .collect();
    format!("<tr>{cells}</tr>")
}

fn code_text(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_f64()
        .map_or_else(|| "—".to_owned(), |c| format!("{c}"))
}

fn delivery_row(d: &JsValue) -> String {
    cells(&[
        when(&string(d, "created_at").unwrap_or_default()),
        string(d, "event_type").unwrap_or_default(),
        string(d, "status").unwrap_or_default(),
        code_text(d, "attempts"),
        code_text(d, "response_code"),
        string(d, "last_error").unwrap_or_default(),
    ])
}

fn load_deliveries(target: Html, id: String) {
    load_into(target, async move {
        let page = request_value(
            Method::Get,
            &webhook_path(&id, "/deliveries?limit=20"),
            None,
        )
        .await?;
        let rows: Vec<String> = array(&page, "items").iter().map(delivery_row).collect();
        Ok(data_table(
            "deliveries",
            "Последние доставки",
            &[
                "Когда",
                "Событие",
                "Статус",
                "Попыток",
                "Код ответа",
                "Ошибка",
            ],
            &rows,
        ))
    });
}

/// `#/webhooks`.
#[component]
pub fn Webhooks(regions: Regions) -> impl IntoView {
    let list = html();
    load_webhooks(list);
    let deliveries: Html = RwSignal::new(Remote::Ready(String::new()));
    let errors: Errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let secret = RwSignal::new(None::<(&'static str, String)>);
    let notice = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        let events = form_list(&ev, "events");
        let codes = form_list(&ev, "regions");
        let form = FormValues::take(&ev);
        let url = form.text("wh-url");
        if let Some(error) = require(&[
            ("url", !url.is_empty(), "Укажите адрес получателя."),
            (
                "events",
                !events.is_empty(),
                "Отметьте хотя бы одно событие.",
            ),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        secret.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = object(&[
                ("url", JsValue::from_str(&url)),
                ("events", text_array(&events)),
                ("regions", text_array(&codes)),
            ]);
            match request_value(Method::Post, "/api/v1/webhooks", Some(&body)).await {
                Ok(answer) => {
                    if let Some(s) = string(&answer, "secret") {
                        secret.set(Some(("Подписка создана. Секрет для проверки подписи:", s)));
                    }
                    load_webhooks(list);
                }
                Err(error) => errors.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let action = ["ping", "deliveries", "rotate", "delete"]
            .into_iter()
            .find_map(|a| clicked(&ev, a).map(|id| (a, id)));
        let Some((action, id)) = action else {
            return;
        };
        notice.set(None);
        if action == "deliveries" {
            load_deliveries(deliveries, id);
            return;
        }
        spawn_local(async move {
            let (method, path) = match action {
                "ping" => (Method::Post, webhook_path(&id, "/ping")),
                "rotate" => (Method::Post, webhook_path(&id, "/rotate-secret")),
                _ => (Method::Delete, webhook_path(&id, "")),
            };
            match request_value(method, &path, None).await {
                Ok(answer) => match action {
                    "ping" => {
                        notice.set(Some("Тестовое событие поставлено в очередь.".to_owned()));
                        load_deliveries(deliveries, id);
                    }
                    "rotate" => {
                        if let Some(s) = string(&answer, "secret") {
                            secret.set(Some(("Новый секрет (прежний действует ещё сутки):", s)));
                        }
                        load_webhooks(list);
                    }
                    _ => {
                        deliveries.set(Remote::Ready(String::new()));
                        load_webhooks(list);
                    }
                },
                Err(error) => notice.set(Some(error.message())),
            }
        });
    };
    let checks = EVENTS
        .iter()
        .map(|&(value, text)| {
            let id = format!("wh-ev-{}", value.replace('.', "-"));
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="events" value=value/>
                    <label for=id>{text} " (" {value} ")"</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <h1>"Вебхуки"</h1>
        <section class="card">
            <h2 class="card-title">"Новая подписка"</h2>
            <form id="new-webhook" on:submit=submit novalidate>
                <TextField id="wh-url" label="Адрес получателя" errors field="url" kind="url"
                    hint="https://…" required=true/>
                <fieldset class="checks">
                    <legend>"События"</legend>
                    {checks}
                </fieldset>
                {region_select("wh-regions", regions, Vec::new(), errors)}
                <FormAlert errors fields=&["url", "events", "regions"]/>
                <button type="submit" class="button" disabled=busy>"Подписать"</button>
            </form>
        </section>
        {move || secret.get().map(|(label, text)| view! { <Secret id="wh-secret" label text/> })}
        <p class="done" role="status" id="wh-notice">{move || notice.get()}</p>
        <div class="webhooks" on:click=on_click>{show(list)}</div>
        {show(deliveries)}
    }
}

// --- the outbox ----------------------------------------------------------------------------

fn outbox_row(o: &JsValue) -> String {
    let id = esc(&string(o, "id").unwrap_or_default());
    let status = string(o, "status").unwrap_or_default();
    let values = [
        when(&string(o, "created_at").unwrap_or_default()),
        string(o, "target").unwrap_or_default(),
        status.clone(),
        code_text(o, "attempts"),
        when(&string(o, "next_attempt_at").unwrap_or_default()),
        string(o, "last_error").unwrap_or_default(),
    ];
    let mut row: String = values
        .iter()
        .map(|c| format!("<td>{}</td>", esc(c)))
        .collect();
    let retry = if status == "delivering" {
        String::new()
    } else {
        button("retry", &id, "secondary", "Повторить")
    };
    row.push_str(&format!("<td>{retry}</td>"));
    format!("<tr data-outbox=\"{id}\">{row}</tr>")
}

fn load_outbox(list: Html, status: String) {
    load_into(list, async move {
        let path = format!(
            "/api/v1/admin/outbox{}",
            query(&[("status", &status), ("limit", "100")])
        );
        let page = request_value(Method::Get, &path, None).await?;
        let rows: Vec<String> = array(&page, "items").iter().map(outbox_row).collect();
        Ok(data_table(
            "outbox",
            "Исходящие уведомления",
            &[
                "Создано",
                "Куда",
                "Статус",
                "Попыток",
                "Следующая попытка",
                "Ошибка",
                "",
            ],
            &rows,
        ))
    });
}

/// `#/outbox`: what is not delivered yet and what gave up, with retry.
#[component]
pub fn Outbox() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let list = html();
    let message = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| load_outbox(list, status.get()));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(id) = clicked(&ev, "retry") else {
            return;
        };
        message.set(None);
        done.set(None);
        spawn_local(async move {
            let path = format!(
                "/api/v1/admin/outbox/{}/retry",
                js_sys::encode_uri_component(&id)
            );
            match request_value(Method::Post, &path, None).await {
                Ok(_) => {
                    done.set(Some("Отправлено на повтор."));
                    load_outbox(list, status.get_untracked());
                }
                Err(error) => message.set(Some(error.message())),
            }
        });
    };
    view! {
        <h1>"Очередь уведомлений"</h1>
        <div class="filters">
            <div class="field">
                <label for="ob-status">"Статус"</label>
                <select id="ob-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">"Ожидают, отправляются и отказ"</option>
                    <option value="pending">"Ожидают"</option>
                    <option value="delivering">"Отправляются"</option>
                    <option value="dead">"Отказ (попытки исчерпаны)"</option>
                </select>
            </div>
        </div>
        <ErrorLine message/>
        <p class="done" role="status" id="ob-done">{move || done.get()}</p>
        <div class="outbox" on:click=on_click>{show(list)}</div>
    }
}
