//! The screens of regional heads and federal supervisors: a tab bar driven by the URL hash
//! (`#/dashboard`, `#/regions`, `#/operators`, and for `federal` `#/kb`, `#/proposals`,
//! `#/variants`, `#/calendar`, `#/synonyms`), so back/forward and reload keep the screen. The federal-only
//! tabs are hidden for heads; the server refuses their calls anyway. A head's «Операторы»
//! tab also manages the operators of own regions ([`crate::admin::Team`]). Also the pieces the
//! supervisor screens share: the period picker, the tile, the generic table and number
//! formatting.

use leptos::prelude::*;
use shared::users::Role;
use wasm_bindgen::JsValue;

use crate::admin::Team;
use crate::api::{query, Remote};
use crate::app::Regions;
use crate::calendar_admin::CalendarAdmin;
use crate::dashboard::{Dashboard, OperatorsTable, RegionsTable};
use crate::kb_admin::{ArticleEditor, KbList, Proposals, Variants};
use crate::synonyms::Synonyms;

/// `(slug, title, federal only)` of every tab, in order.
const TABS: [(&str, &str, bool); 8] = [
    ("dashboard", "Сводка", false),
    ("regions", "Субъекты РФ", false),
    ("operators", "Операторы", false),
    ("kb", "База знаний", true),
    ("proposals", "Предложения", true),
    ("variants", "Варианты вопросов", true),
    ("calendar", "Календарь", true),
    ("synonyms", "Синонимы", true),
];

/// `#/kb/kb-001` → `kb/kb-001`; an empty or unknown hash is the dashboard.
fn route() -> String {
    let hash = window().location().hash().unwrap_or_default();
    let mut parts = hash
        .trim_start_matches('#')
        .split('/')
        .filter(|s| !s.is_empty());
    let slug = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    let slug = TABS
        .iter()
        .find(|t| t.0 == slug)
        .map_or("dashboard", |t| t.0);
    format!("{slug}/{rest}")
}

#[component]
pub fn Supervisor(role: Role, regions: Regions) -> impl IntoView {
    let federal = role == Role::Federal;
    let current = RwSignal::new(route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| current.set(route()));
    on_cleanup(move || handle.remove());
    // One period for every statistics tab.
    let days = RwSignal::new(30);
    let tabs = TABS
        .iter()
        .filter(|t| federal || !t.2)
        .map(|&(tab, title, _)| {
            view! {
                <a href=format!("#/{tab}") class="tab"
                    aria-current=move || current.with(|c| c.split('/').next() == Some(tab)).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label="Разделы">{tabs}</nav>
        {move || {
            let current = current.get();
            let (slug, rest) = current.split_once('/').unwrap_or_default();
            match slug {
                "regions" => view! { <RegionsTable days/> }.into_any(),
                "operators" if federal => view! { <OperatorsTable days/> }.into_any(),
                "operators" => view! { <OperatorsTable days/> <Team regions/> }.into_any(),
                "kb" if rest.is_empty() => view! { <KbList/> }.into_any(),
                "kb" => view! { <ArticleEditor id=rest.to_owned()/> }.into_any(),
                "proposals" => view! { <Proposals/> }.into_any(),
                "variants" => view! { <Variants/> }.into_any(),
                "calendar" => view! { <CalendarAdmin regions/> }.into_any(),
                "synonyms" => view! { <Synonyms/> }.into_any(),
                _ => view! { <Dashboard days regions/> }.into_any(),
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

/// `<option>`s of `(value, text)` pairs as HTML, `selected` marked.
#[must_use]
pub fn options(pairs: &[(String, String)], selected: &str) -> String {
    pairs
        .iter()
        .map(|(v, t)| {
            let mark = if v == selected { " selected" } else { "" };
            format!("<option value=\"{}\"{mark}>{}</option>", esc(v), esc(t))
        })
        .collect()
}

/// The period picker shared by the statistics tabs.
#[component]
pub fn PeriodPicker(days: RwSignal<i32>) -> impl IntoView {
    let pairs: Vec<(String, String)> = [
        (7, "7 дней"),
        (30, "30 дней"),
        (90, "90 дней"),
        (365, "Год"),
    ]
    .iter()
    .map(|(d, t)| (d.to_string(), (*t).to_owned()))
    .collect();
    let html = options(&pairs, &days.get_untracked().to_string());
    view! {
        <div class="field period">
            <label for="period">"Период"</label>
            <select id="period" inner_html=html on:change=move |ev| {
                days.set(event_target_value(&ev).parse().unwrap_or(30));
            }></select>
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

/// HTML being fetched: read-only content (tables, tiles, the chart, the calendar, lists) is
/// built as escaped HTML text as soon as it arrives instead of as views, and only that text
/// is kept: one element and one signal type for all of it keeps the module small.
pub type Html = RwSignal<Remote<String>>;

/// A new [`Html`], loading.
#[must_use]
pub fn html() -> Html {
    RwSignal::new(Remote::Loading)
}

/// Loading, the server's error, or the loaded HTML.
pub fn show(data: Html) -> impl IntoView {
    view! {
        <div inner_html=move || data.with(|d| match d {
            Remote::Loading => "<p class=\"state loading\" role=\"status\">Загрузка…</p>".to_owned(),
            Remote::Failed(e) => format!("<p class=\"state error\" role=\"alert\">{}</p>", esc(&e.message())),
            Remote::Ready(html) => html.clone(),
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

/// Hides the list item around the clicked element (after its action succeeded).
pub fn hide_item(target: Option<web_sys::EventTarget>) {
    use wasm_bindgen::JsCast;
    if let Some(li) = target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("li").ok().flatten())
    {
        let _ignored = li.set_attribute("hidden", "");
    }
}

/// A table of text cells as HTML. With `sort`, the headings are buttons carrying
/// `data-col`: [`sortable`] turns their clicks into the sort signal.
#[must_use]
pub fn table(
    id: &str,
    caption: &str,
    heads: &[&str],
    rows: &[Vec<String>],
    sort: Option<i32>,
) -> String {
    let mut html = format!(
        "<div class=\"table-wrap\"><table id=\"{id}\" class=\"data\"><caption>{caption}</caption><thead><tr>"
    );
    for (i, head) in heads.iter().enumerate() {
        match sort {
            Some(sort) => {
                let state = match (sort / 2 == i32::try_from(i).unwrap_or(0), sort % 2 == 1) {
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

/// A click handler for a [`table`] with sort buttons: `sort` is `column * 2 + 1` for a
/// descending order, `column * 2` for an ascending one. A click sorts by that column (largest
/// first), a second click on it reverses the order.
pub fn sortable(sort: RwSignal<i32>) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        if let Some(i) = clicked(&ev, "col").and_then(|c| c.parse::<i32>().ok()) {
            sort.update(|s| *s = if *s == i * 2 + 1 { i * 2 } else { i * 2 + 1 });
        }
    }
}
