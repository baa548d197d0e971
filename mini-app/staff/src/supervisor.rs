//! The screens of regional heads and federal supervisors: a tab bar driven by the URL hash
//! (`#/dashboard`, `#/regions`, `#/operators`, and for `federal` `#/kb`, `#/proposals`,
//! `#/variants`, `#/calendar`), so back/forward and reload keep the screen. The federal-only
//! tabs are hidden for heads; the server refuses their calls anyway. Also the pieces the
//! supervisor screens share: the period picker, the tile, the generic table and number
//! formatting.

use leptos::prelude::*;
use shared::users::Role;
use wasm_bindgen::JsValue;

use crate::api::{query, Remote};
use crate::app::Regions;
use crate::calendar_admin::CalendarAdmin;
use crate::dashboard::{Dashboard, OperatorsTable, RegionsTable};
use crate::kb_admin::{ArticleEditor, KbList, Proposals, Variants};

/// `(slug, title, federal only)` of every tab, in order.
const TABS: [(&str, &str, bool); 7] = [
    ("dashboard", "Сводка", false),
    ("regions", "Субъекты РФ", false),
    ("operators", "Операторы", false),
    ("kb", "База знаний", true),
    ("proposals", "Предложения", true),
    ("variants", "Варианты вопросов", true),
    ("calendar", "Календарь", true),
];

/// `#/kb/kb-001` → `("kb", "kb-001")`; an empty or unknown hash is the dashboard.
fn route() -> (String, String) {
    let hash = window().location().hash().unwrap_or_default();
    let mut parts = hash
        .trim_start_matches('#')
        .split('/')
        .filter(|s| !s.is_empty());
    let slug = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default().to_owned();
    let slug = TABS
        .iter()
        .find(|t| t.0 == slug)
        .map_or("dashboard", |t| t.0);
    (slug.to_owned(), rest)
}

#[component]
pub fn Supervisor(role: Role, regions: Regions) -> impl IntoView {
    let federal = role == Role::Federal;
    let current = RwSignal::new(route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| current.set(route()));
    on_cleanup(move || handle.remove());
    // One period for every statistics tab.
    let days = RwSignal::new(30);
    let slug = move || current.with(|c| c.0.clone());
    let tabs = TABS
        .iter()
        .filter(|t| federal || !t.2)
        .map(|&(tab, title, _)| {
            view! {
                <a href=format!("#/{tab}") class="tab"
                    aria-current=move || (slug() == tab).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label="Разделы">{tabs}</nav>
        {move || {
            let (slug, rest) = current.get();
            match slug.as_str() {
                "regions" => view! { <RegionsTable days/> }.into_any(),
                "operators" => view! { <OperatorsTable days/> }.into_any(),
                "kb" if rest.is_empty() => view! { <KbList/> }.into_any(),
                "kb" => view! { <ArticleEditor id=rest/> }.into_any(),
                "proposals" => view! { <Proposals/> }.into_any(),
                "variants" => view! { <Variants/> }.into_any(),
                "calendar" => view! { <CalendarAdmin regions/> }.into_any(),
                _ => view! { <Dashboard days/> }.into_any(),
            }
        }}
    }
}

/// A Moscow date `days_back` days before today, `YYYY-MM-DD`.
fn moscow_date(days_back: i32) -> String {
    let ms = js_sys::Date::now() + 3.0 * 3_600_000.0 - f64::from(days_back) * 86_400_000.0;
    String::from(js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string())
        .chars()
        .take(10)
        .collect()
}

/// `?from=&to=` of the last `days` days (Moscow dates, today included).
#[must_use]
pub fn period_query(days: i32) -> String {
    query(&[("from", &moscow_date(days - 1)), ("to", &moscow_date(0))])
}

/// The period picker shared by the statistics tabs.
#[component]
pub fn PeriodPicker(days: RwSignal<i32>) -> impl IntoView {
    let options = [
        (7, "7 дней"),
        (30, "30 дней"),
        (90, "90 дней"),
        (365, "Год"),
    ];
    view! {
        <div class="field period">
            <label for="period">"Период"</label>
            <select id="period" on:change=move |ev| {
                days.set(event_target_value(&ev).parse().unwrap_or(30));
            }>
                {options
                    .into_iter()
                    .map(|(d, text)| view! {
                        <option value=d.to_string() selected=move || days.get() == d>{text}</option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A non-negative `v` rounded to one decimal (`tenths`) or whole, with a decimal comma.
/// Integer arithmetic only: float formatting would add kilobytes to the module.
#[must_use]
#[allow(clippy::cast_possible_truncation)] // figures are small and non-negative
pub fn num(v: f64, tenths: bool) -> String {
    if tenths {
        let n = (v * 10.0).round() as i64;
        format!("{},{}", n / 10, n % 10)
    } else {
        (v.round() as i64).to_string()
    }
}

/// A figure of [`shared::stats::StatsFigures`] as shown: shares in per cent, the rating and
/// medians with one decimal, counts whole; «—» when there is nothing to compute it from.
#[must_use]
pub fn figure(key: &str, value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) if key.ends_with("share") || key == "bot_accuracy" || key == "escalation_rate" => {
            format!("{} %", num(v * 100.0, false))
        }
        Some(v) if key.starts_with("rating") || key.starts_with("median") => num(v, true),
        Some(v) => num(v, false),
    }
}

/// Text made safe to put into HTML.
#[must_use]
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Loading, the server's error, or the HTML `html` makes of the loaded value. Read-only
/// content (tables, tiles, the chart, the calendar) is built as escaped HTML text rather
/// than as views: one element type for all of it keeps the module small.
pub fn show<T: Send + Sync + 'static>(
    data: RwSignal<Remote<T>>,
    html: impl Fn(&T) -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div inner_html=move || data.with(|d| match d {
            Remote::Loading => "<p class=\"state loading\" role=\"status\">Загрузка…</p>".to_owned(),
            Remote::Failed(e) => format!("<p class=\"state error\" role=\"alert\">{}</p>", esc(&e.message())),
            Remote::Ready(value) => html(value),
        })></div>
    }
}

/// The `data-<attr>` of the element clicked (or its closest ancestor having it).
#[must_use]
pub fn clicked(ev: &leptos::ev::MouseEvent, attr: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(&format!("[data-{attr}]"))
        .ok()??
        .get_attribute(&format!("data-{attr}"))
}

/// A table of text cells as HTML. With `sort`, the headings are buttons carrying
/// `data-col`: [`sortable`] turns their clicks into the sort signal.
#[must_use]
pub fn table(
    id: &str,
    caption: &str,
    heads: &[&str],
    rows: &[Vec<String>],
    sort: Option<(usize, bool)>,
) -> String {
    let mut html = format!(
        "<div class=\"table-wrap\"><table id=\"{id}\" class=\"data\"><caption>{caption}</caption><thead><tr>"
    );
    for (i, head) in heads.iter().enumerate() {
        match sort {
            Some((column, desc)) => {
                let state = match (column == i, desc) {
                    (true, true) => "descending",
                    (true, false) => "ascending",
                    _ => "none",
                };
                html.push_str(&format!(
                    "<th scope=\"col\" aria-sort=\"{state}\"><button type=\"button\" class=\"sort\" data-col=\"{i}\">{head}</button></th>"
                ));
            }
            None => html.push_str(&format!("<th scope=\"col\">{head}</th>")),
        }
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&format!("<td>{}</td>", esc(cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    if rows.is_empty() {
        html.push_str("<p class=\"state\">Нет данных за период.</p>");
    }
    html
}

/// A click handler for a [`table`] with sort buttons: a click sorts by that column, a
/// second click on it reverses the order.
pub fn sortable(sort: RwSignal<(usize, bool)>) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        if let Some(i) = clicked(&ev, "col").and_then(|c| c.parse::<usize>().ok()) {
            sort.update(|s| *s = (i, s.0 != i || !s.1));
        }
    }
}
