//! «Рассылки» (`#/campaigns`): compose an announcement with a preview, save it as a draft or
//! schedule it, cancel it, read its reach (and download it as CSV or XLSX); promo codes with their
//! QR code, launches and the printable poster. Lists are drawn as HTML text (the
//! `mini_app_client::html` toolkit); their buttons are handled by one delegated click
//! listener reading `data-*` attributes. The server checks everything and its Russian
//! detail is shown as it is.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::html::{esc, html, show};
use mini_app_client::{json_body, request, ErrorLine, Method};
use shared::campaigns::{Campaign, CampaignInput, CampaignReach, Promo, PromoInput, ReachRow};
use shared::Page;
use wasm_bindgen::JsCast;

use crate::api::{download, load_into, ApiError};

mod text {
    pub const TITLE: &str = "Рассылки";
    pub const LEAD: &str =
        "Сообщение учителям через бота MAX. В каждом сообщении есть кнопка «Отписаться».";
    pub const NAME: &str = "Название (для списка)";
    pub const BODY: &str = "Текст (до 4000 символов; *жирный*, _курсив_)";
    pub const BUTTON: &str = "Кнопка, открывающая приложение (необязательно)";
    pub const REGIONS: &str =
        "Регионы — коды через запятую (пусто — все, только для федерального уровня)";
    pub const LEVEL: &str = "Уровень образования";
    pub const LEVELS: [(&str, &str); 4] = [
        ("", "Все"),
        ("school", "Школа"),
        ("spo", "СПО"),
        ("doo", "ДОО"),
    ];
    pub const VERIFIED: &str = "Только подтверждённым учителям";
    pub const START: &str = "Начало (пусто — сохранить черновик)";
    pub const PREVIEW: &str = "Так увидит учитель";
    pub const SAVE: &str = "Сохранить";
    pub const CREATED: &str = "Рассылка сохранена.";
    pub const REACH: &str = "Охват";
    pub const CANCEL: &str = "Отменить";
    pub const CSV: &str = "Скачать CSV";
    pub const XLSX: &str = "Скачать XLSX";
    pub const HEAD: [&str; 4] = ["Рассылка", "Статус", "Получатели", ""];
    pub const REACH_HEAD: [&str; 8] = [
        "Регион",
        "Получатели",
        "Отправлено",
        "Доставлено",
        "Ошибка",
        "Пропущено",
        "Открыли",
        "Открыли, %",
    ];
    pub const EMPTY: &str = "Рассылок пока нет.";
    pub const PROMO_TITLE: &str = "Промокоды и плакаты";
    pub const PROMO_NAME: &str = "Где используется, например «Плакат в школах Казани»";
    pub const PROMO_REGION: &str = "Регион (код)";
    pub const PROMO_CREATE: &str = "Создать промокод";
    pub const POSTER: &str = "Плакат для печати";
    pub const LAUNCHES: &str = "Запусков";
    pub const TOTAL: &str = "Всего";

    pub fn status(s: &str) -> &'static str {
        match s {
            "draft" => "Черновик",
            "scheduled" => "Запланирована",
            "sending" => "Отправляется",
            "done" => "Отправлена",
            _ => "Отменена",
        }
    }
}

/// The MAX markdown subset as the teacher will see it (escaped first).
fn preview(body: &str) -> String {
    let mut out = String::new();
    let (mut bold, mut italic) = (false, false);
    for c in esc(body).chars() {
        match c {
            '*' => {
                out.push_str(if bold { "</b>" } else { "<b>" });
                bold = !bold;
            }
            '_' => {
                out.push_str(if italic { "</i>" } else { "<i>" });
                italic = !italic;
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    if bold {
        out.push_str("</b>");
    }
    if italic {
        out.push_str("</i>");
    }
    out
}

fn list_html(page: &Page<Campaign>) -> String {
    if page.items.is_empty() {
        return format!("<p class=\"muted\">{}</p>", text::EMPTY);
    }
    let mut html = String::from("<table class=\"table\" id=\"campaign-list\"><thead><tr>");
    for h in text::HEAD {
        html.push_str(&format!("<th scope=\"col\">{h}</th>"));
    }
    html.push_str("</tr></thead><tbody>");
    for c in &page.items {
        let cancel = if matches!(c.status.as_str(), "draft" | "scheduled" | "sending") {
            format!(
                "<button class=\"button secondary\" data-cancel=\"{}\">{}</button>",
                esc(&c.id),
                text::CANCEL
            )
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><button class=\"button secondary\" data-reach=\"{}\">{}</button> {cancel}</td></tr>",
            esc(&c.title),
            text::status(&c.status),
            c.recipients,
            esc(&c.id),
            text::REACH
        ));
    }
    html + "</tbody></table>"
}

fn reach_row(r: &ReachRow, name: &str) -> String {
    format!(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(name), r.recipients, r.sent, r.delivered, r.failed, r.skipped, r.opened,
        mini_app_client::html::number(r.open_rate, true)
    )
}

fn reach_html(reach: &CampaignReach) -> String {
    let mut html = String::from("<table class=\"table\" id=\"campaign-reach\"><thead><tr>");
    for h in text::REACH_HEAD {
        html.push_str(&format!("<th scope=\"col\">{h}</th>"));
    }
    html.push_str("</tr></thead><tbody>");
    for r in &reach.rows {
        let name = match (&r.region, &r.level) {
            (Some(region), Some(level)) => format!("{region} · {level}"),
            (region, _) => region.clone().unwrap_or_default(),
        };
        html.push_str(&reach_row(r, &name));
    }
    html.push_str(&reach_row(&reach.total, text::TOTAL));
    html + "</tbody></table>"
}

fn promo_html(page: &Page<Promo>) -> String {
    let mut html = String::from("<ul class=\"promo-list\" id=\"promo-list\">");
    for p in &page.items {
        let id = esc(&p.id);
        html.push_str(&format!(
            "<li class=\"card\"><img src=\"/api/v1/promo/{id}/qr.svg\" alt=\"QR-код {code}\" width=\"128\" height=\"128\">\
             <p><b>{title}</b> · {region}</p><p class=\"muted\">{link}</p><p>{launches_label}: {launches}</p>\
             <a href=\"/api/v1/promo/{id}/poster\" target=\"_blank\" rel=\"noopener\">{poster}</a> · \
             <a href=\"/api/v1/promo/{id}/qr.png\" download>PNG</a></li>",
            code = esc(&p.code),
            title = esc(&p.title),
            region = esc(p.region.as_deref().unwrap_or("—")),
            link = esc(&p.link),
            launches_label = text::LAUNCHES,
            launches = p.launches,
            poster = text::POSTER,
        ));
    }
    html + "</ul>"
}

/// The `value` of a form control by id (`"true"`/`"false"` for a checkbox): one property
/// read serves inputs, selects and text areas alike.
fn field(id: &str) -> String {
    let Some(element) = document().get_element_by_id(id) else {
        return String::new();
    };
    let prop = |name: &str| js_sys::Reflect::get(&element, &name.into()).ok();
    if element.get_attribute("type").as_deref() == Some("checkbox") {
        return prop("checked")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
            .to_string();
    }
    prop("value")
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The compose form's input (a `datetime-local` value becomes RFC 3339 in the browser's zone).
fn input() -> CampaignInput {
    let start = field("cmp-start");
    let start_at = (!start.is_empty())
        .then(|| js_sys::Date::new(&start.into()).to_iso_string().as_string())
        .flatten();
    let button = field("cmp-button");
    let level = field("cmp-level");
    CampaignInput {
        title: field("cmp-title"),
        text: field("cmp-body"),
        button_text: (!button.trim().is_empty()).then_some(button),
        button_start: None,
        regions: field("cmp-regions")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        levels: if level.is_empty() {
            Vec::new()
        } else {
            vec![level]
        },
        verified_only: field("cmp-verified") == "true",
        start_at,
    }
}

/// The static forms, as HTML text (smaller than building each element in code).
fn forms() -> (String, String) {
    let levels: String = text::LEVELS
        .iter()
        .map(|(v, t)| format!("<option value=\"{v}\">{t}</option>"))
        .collect();
    let f = |id: &str, label: &str, input: &str| {
        format!("<div class=\"field\"><label for=\"{id}\">{label}</label>{input}</div>")
    };
    let compose = format!(
        "<form class=\"card editor-form\" id=\"campaign-form\" novalidate>{}{}<p class=\"hint\">{}</p><div class=\"card preview\" id=\"cmp-preview\"></div>{}{}{}<label><input type=\"checkbox\" id=\"cmp-verified\">{}</label>{}<button type=\"submit\" class=\"button\">{}</button></form>",
        f("cmp-title", text::NAME, "<input id=\"cmp-title\" maxlength=\"200\">"),
        f("cmp-body", text::BODY, "<textarea id=\"cmp-body\" rows=\"6\" maxlength=\"4000\"></textarea>"),
        text::PREVIEW,
        f("cmp-button", text::BUTTON, "<input id=\"cmp-button\" maxlength=\"64\">"),
        f("cmp-regions", text::REGIONS, "<input id=\"cmp-regions\">"),
        f("cmp-level", text::LEVEL, &format!("<select id=\"cmp-level\">{levels}</select>")),
        text::VERIFIED,
        f("cmp-start", text::START, "<input id=\"cmp-start\" type=\"datetime-local\">"),
        text::SAVE,
    );
    let promo = format!(
        "<form class=\"card\" id=\"promo-form\" novalidate>{}{}<button type=\"submit\" class=\"button\">{}</button></form>",
        f("promo-title", text::PROMO_NAME, "<input id=\"promo-title\" maxlength=\"200\">"),
        f("promo-region", text::PROMO_REGION, "<input id=\"promo-region\" maxlength=\"2\">"),
        text::PROMO_CREATE,
    );
    (compose, promo)
}

#[component]
pub fn Campaigns() -> impl IntoView {
    let list = html();
    let reach = html();
    let promos = html();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<String>);
    let reload = move || {
        load_into(list, async {
            request::<Page<Campaign>>(Method::Get, "/api/v1/campaigns", None)
                .await
                .map(|p| list_html(&p))
        });
        load_into(promos, async {
            request::<Page<Promo>>(Method::Get, "/api/v1/promo", None)
                .await
                .map(|p| promo_html(&p))
        });
    };
    reload();
    let fail = move |e: ApiError| error.set(Some(e.message()));
    // Both forms submit here (the event bubbles from the static HTML).
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let promo = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|f| f.id() == "promo-form");
        spawn_local(async move {
            let result = if promo {
                let region = field("promo-region");
                let value = json_body(&PromoInput {
                    title: field("promo-title"),
                    region: (!region.trim().is_empty()).then_some(region),
                });
                request::<Promo>(Method::Post, "/api/v1/promo", Some(&value))
                    .await
                    .map(|_| ())
            } else {
                request::<Campaign>(
                    Method::Post,
                    "/api/v1/campaigns",
                    Some(&json_body(&input())),
                )
                .await
                .map(|_| ())
            };
            match result {
                Ok(()) => {
                    done.set(Some(text::CREATED.to_owned()));
                    reload();
                }
                Err(e) => fail(e),
            }
        });
    };
    let on_input = move |_| {
        if let Some(p) = document().get_element_by_id("cmp-preview") {
            p.set_inner_html(&preview(&field("cmp-body")));
        }
    };
    let on_list = move |ev: leptos::ev::MouseEvent| {
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        if let Some(id) = target.get_attribute("data-reach") {
            selected.set(Some(id.clone()));
            load_into(reach, async move {
                request::<CampaignReach>(
                    Method::Get,
                    &format!("/api/v1/campaigns/{id}/reach"),
                    None,
                )
                .await
                .map(|r| reach_html(&r))
            });
        } else if let Some(id) = target.get_attribute("data-cancel") {
            spawn_local(async move {
                match request::<Campaign>(
                    Method::Post,
                    &format!("/api/v1/campaigns/{id}/cancel"),
                    None,
                )
                .await
                {
                    Ok(_) => reload(),
                    Err(e) => fail(e),
                }
            });
        }
    };
    // The reach as a file: `csv` or `xlsx`.
    let export = move |ext: &'static str| {
        move |_| {
            if let Some(id) = selected.get_untracked() {
                spawn_local(async move {
                    if let Err(e) = download(
                        format!("/api/v1/campaigns/{id}/reach.{ext}"),
                        format!("campaign-{id}.{ext}"),
                    )
                    .await
                    {
                        fail(e);
                    }
                });
            }
        }
    };
    let (compose, promo) = forms();
    view! {
        <h1>{text::TITLE}</h1>
        <p class="lead">{text::LEAD}</p>
        <div on:submit=submit on:input=on_input inner_html=compose></div>
        <p class="done" role="status">{move || done.get()}</p>
        <ErrorLine message=error/>
        <div on:click=on_list>{show(list)}</div>
        <div hidden=move || selected.get().is_none()>
            <h2>{text::REACH}</h2>
            {show(reach)}
            <button class="button secondary" on:click=export("csv")>{text::CSV}</button>
            " "
            <button class="button secondary" id="reach-xlsx" on:click=export("xlsx")>{text::XLSX}</button>
        </div>
        <h2>{text::PROMO_TITLE}</h2>
        <div on:submit=submit inner_html=promo></div>
        {show(promos)}
    }
}
