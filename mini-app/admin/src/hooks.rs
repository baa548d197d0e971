//! The administrator's delivery tools, in the supervisor module: webhook subscriptions
//! (`#/webhooks`: list, create with the signing secret shown once, ping, recent deliveries,
//! rotate the secret, delete) and the outbox (`#/outbox`: notifications waiting, being
//! delivered or given up, retry). Read-only content is escaped HTML text; the buttons in it
//! carry `data-*` attributes read by one click handler per list.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{require, Errors, FormAlert, FormValues, TextField};
use mini_app_client::{json_body, load_into, request, ErrorLine, Method};
use shared::integrations::{
    CreateWebhook, CreatedWebhook, OutboxItem, RotatedSecret, Webhook, WebhookDeliveryInfo,
    WebhookPing,
};
use shared::Page;

use mini_app_client::html::{clicked, esc, html, show, Html};
use staff_app::api::{query, Remote};
use staff_app::format::when;
use staff_app::regions::Regions;
use staff_app::user_forms::{form_list, region_select, Secret};

use crate::labels::{self, EVENTS};
use crate::strings as s;

fn webhook_path(id: &str, action: &str) -> String {
    format!(
        "/api/v1/webhooks/{}{action}",
        js_sys::encode_uri_component(id)
    )
}

fn button(attr: &str, id: &str, class: &str, text: &str) -> String {
    format!("<button type=\"button\" class=\"button {class} small\" data-{attr}=\"{id}\">{text}</button>")
}

fn webhook_item(w: &Webhook) -> String {
    let id = esc(&w.id);
    let previous = w
        .previous_secret_valid_until
        .as_deref()
        .map(|t| s::previous_secret_until(&esc(&when(t))))
        .unwrap_or_default();
    format!(
        "<li class=\"card staff-item\" data-webhook=\"{id}\"><h2 class=\"card-title\">{}</h2>\
         <p class=\"muted\">{}{previous}</p><div class=\"actions\">{}{}{}{}</div></li>",
        esc(&w.url),
        s::webhook_meta(
            &esc(&w.events.join(", ")),
            &esc(&w.regions.join(", ")),
            &esc(&when(&w.created_at)),
        ),
        button("ping", &id, "secondary", s::PING),
        button("deliveries", &id, "secondary", s::DELIVERIES),
        button("rotate", &id, "secondary", s::ROTATE),
        button("delete", &id, "danger-outline", s::DELETE),
    )
}

fn load_webhooks(list: Html) {
    load_into(list, async move {
        let page: Page<Webhook> = request(Method::Get, "/api/v1/webhooks?limit=100", None).await?;
        let items = page.items;
        if items.is_empty() {
            return Ok(format!("<p class=\"state\">{}</p>", s::NO_WEBHOOKS));
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
        return format!(
            "<p class=\"state\" id=\"{id}\">{}</p>",
            s::no_records(caption)
        );
    }
    let heads: String = heads
        .iter()
        .map(|h| format!("<th scope=\"col\">{h}</th>"))
        .collect();
    format!(
        "<div class=\"table-wrap\" tabindex=\"0\"><table id=\"{id}\" class=\"data\"><caption>{caption}</caption>\
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

fn code_text(code: Option<i32>) -> String {
    code.map_or_else(|| "—".to_owned(), |c| format!("{c}"))
}

fn delivery_row(d: &WebhookDeliveryInfo) -> String {
    cells(&[
        when(&d.created_at),
        labels::event(&d.event_type),
        labels::status(&d.status),
        code_text(Some(d.attempts)),
        code_text(d.response_code),
        d.last_error.clone().unwrap_or_default(),
    ])
}

fn load_deliveries(target: Html, id: String) {
    load_into(target, async move {
        let page: Page<WebhookDeliveryInfo> = request(
            Method::Get,
            &webhook_path(&id, "/deliveries?limit=20"),
            None,
        )
        .await?;
        let rows: Vec<String> = page.items.iter().map(delivery_row).collect();
        Ok(data_table(
            "deliveries",
            s::DELIVERIES_CAPTION,
            &s::DELIVERIES_HEADS,
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
            ("url", !url.is_empty(), s::URL_REQUIRED),
            ("events", !events.is_empty(), s::EVENTS_REQUIRED),
        ]) {
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        secret.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = json_body(&CreateWebhook {
                url,
                events,
                regions: codes,
            });
            let answer: Result<CreatedWebhook, _> =
                request(Method::Post, "/api/v1/webhooks", Some(&body)).await;
            match answer {
                Ok(created) => {
                    secret.set(Some((s::WEBHOOK_CREATED_SECRET, created.secret)));
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
            let done = match action {
                "ping" => request::<WebhookPing>(Method::Post, &webhook_path(&id, "/ping"), None)
                    .await
                    .map(|_| {
                        notice.set(Some(s::PING_QUEUED.to_owned()));
                        load_deliveries(deliveries, id);
                    }),
                "rotate" => request::<RotatedSecret>(
                    Method::Post,
                    &webhook_path(&id, "/rotate-secret"),
                    None,
                )
                .await
                .map(|rotated| {
                    secret.set(Some((s::ROTATED_SECRET, rotated.secret)));
                    load_webhooks(list);
                }),
                _ => request::<()>(Method::Delete, &webhook_path(&id, ""), None)
                    .await
                    .map(|()| {
                        deliveries.set(Remote::Ready(String::new()));
                        load_webhooks(list);
                    }),
            };
            if let Err(error) = done {
                notice.set(Some(error.message()));
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
        <h1>{s::TAB_WEBHOOKS}</h1>
        <section class="card">
            <h2 class="card-title">{s::NEW_WEBHOOK}</h2>
            <form id="new-webhook" on:submit=submit novalidate>
                <TextField id="wh-url" label=s::WEBHOOK_URL errors field="url" kind="url"
                    hint="https://…" required=true/>
                <fieldset class="checks">
                    <legend>{s::EVENTS}</legend>
                    {checks}
                </fieldset>
                {region_select("wh-regions", regions, Vec::new(), errors)}
                <FormAlert errors fields=&["url", "events", "regions"]/>
                <button type="submit" class="button" disabled=busy>{s::SUBSCRIBE}</button>
            </form>
        </section>
        {move || secret.get().map(|(label, text)| view! { <Secret id="wh-secret" label text/> })}
        <p class="done" role="status" id="wh-notice">{move || notice.get()}</p>
        <div class="webhooks" on:click=on_click>{show(list)}</div>
        {show(deliveries)}
    }
}

// --- the outbox ----------------------------------------------------------------------------

fn outbox_row(o: &OutboxItem) -> String {
    let id = esc(&o.id);
    let values = [
        when(&o.created_at),
        o.target.clone(),
        labels::status(&o.status),
        code_text(Some(o.attempts)),
        when(&o.next_attempt_at),
        o.last_error.clone().unwrap_or_default(),
    ];
    let mut row: String = values
        .iter()
        .map(|c| format!("<td>{}</td>", esc(c)))
        .collect();
    let retry = if o.status == "delivering" {
        String::new()
    } else {
        button("retry", &id, "secondary", s::RETRY)
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
        let page: Page<OutboxItem> = request(Method::Get, &path, None).await?;
        let rows: Vec<String> = page.items.iter().map(outbox_row).collect();
        Ok(data_table(
            "outbox",
            s::OUTBOX_CAPTION,
            &s::OUTBOX_HEADS,
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
            match request::<OutboxItem>(Method::Post, &path, None).await {
                Ok(_) => {
                    done.set(Some(s::RETRY_SENT));
                    load_outbox(list, status.get_untracked());
                }
                Err(error) => message.set(Some(error.message())),
            }
        });
    };
    view! {
        <h1>{s::OUTBOX_TITLE}</h1>
        <div class="filters">
            <div class="field">
                <label for="ob-status">{s::STATUS}</label>
                <select id="ob-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{s::STATUS_ANY}</option>
                    <option value="pending">{s::STATUS_PENDING}</option>
                    <option value="delivering">{s::STATUS_DELIVERING}</option>
                    <option value="dead">{s::STATUS_DEAD}</option>
                </select>
            </div>
        </div>
        <ErrorLine message/>
        <p class="done" role="status" id="ob-done">{move || done.get()}</p>
        <div class="outbox" on:click=on_click>{show(list)}</div>
    }
}
