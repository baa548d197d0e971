//! What the statistics tabs share: the period picker and its query, and how a figure is
//! written (integer arithmetic only: float formatting would add kilobytes to the module).

use leptos::prelude::*;
use mini_app_client::html::options;
use wasm_bindgen::JsValue;

use crate::api::query;
use crate::strings as s;

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
    let pairs: Vec<(String, String)> = [
        (7, s::DAYS_7),
        (30, s::DAYS_30),
        (90, s::DAYS_90),
        (365, s::YEAR),
    ]
    .iter()
    .map(|(d, t)| (d.to_string(), (*t).to_owned()))
    .collect();
    let html = options(&pairs, &days.get_untracked().to_string());
    view! {
        <div class="field period">
            <label for="period">{s::PERIOD}</label>
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
