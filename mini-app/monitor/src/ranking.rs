//! The federal comparison of regions: a ranking by the share of overdue appeals among those
//! waiting, the median first answer, the average rating or the bot's share, best first, as
//! bars with the federal median as a line, and the same as an ordered list.

use leptos::prelude::*;
use mini_app_client::html::{esc, options};
use mini_app_client::Remote;
use shared::stats::RegionStats;

use crate::period::figure;
use crate::strings;

/// `(key, label, lower is better)` of the figures to rank by.
const BY: [(&str, &str, bool); 4] = [
    ("overdue_share", strings::RANK_OVERDUE_SHARE, true),
    ("median_first_answer_hours", strings::MEDIAN_HOURS, true),
    ("rating_avg", strings::TILE_RATING, false),
    ("bot_share", strings::TILE_BOT_SHARE, false),
];

/// A region's value of `key`: a figure of the API, or overdue ÷ waiting now.
#[allow(clippy::cast_precision_loss)] // counts of appeals
fn value(r: &RegionStats, key: &str) -> Option<f64> {
    if key == "overdue_share" {
        let f = &r.figures;
        (f.open > 0).then(|| f.overdue as f64 / f.open as f64)
    } else {
        r.figures.value(key)
    }
}

/// The median of sorted values.
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The ranking of `items` by `key`.
#[must_use]
#[allow(clippy::cast_possible_truncation)] // bar widths in a 380-unit box
pub fn ranking(items: &[RegionStats], key: &str) -> String {
    let lower_better = BY.iter().find(|b| b.0 == key).is_some_and(|b| b.2);
    let mut ranked: Vec<(&RegionStats, f64)> = items
        .iter()
        .filter_map(|r| value(r, key).map(|v| (r, v)))
        .collect();
    if ranked.is_empty() {
        return format!("<p class=\"state\">{}</p>", strings::RANK_EMPTY);
    }
    ranked.sort_by(|a, b| {
        if lower_better {
            a.1.total_cmp(&b.1)
        } else {
            b.1.total_cmp(&a.1)
        }
    });
    let mut values: Vec<f64> = ranked.iter().map(|r| r.1).collect();
    values.sort_by(f64::total_cmp);
    let mid = median(&values).unwrap_or(0.0);
    let max = values.last().copied().unwrap_or(0.0).max(f64::MIN_POSITIVE);
    let shown_key = if key == "overdue_share" { "share" } else { key };
    let width = |v: f64| (v / max * 380.0).round() as i64;
    let mut bars = String::new();
    let mut list = String::new();
    for (i, (r, v)) in ranked.iter().enumerate() {
        let y = i64::try_from(i).unwrap_or(0) * 22;
        let shown = figure(shown_key, Some(*v));
        let name: String = r.name.chars().take(24).collect();
        bars.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"bar-label\">{}</text><rect class=\"bar\" x=\"200\" y=\"{}\" width=\"{}\" height=\"16\"/><text x=\"{}\" y=\"{}\">{shown}</text>",
            y + 13,
            esc(&name),
            y + 1,
            width(*v),
            206 + width(*v),
            y + 13
        ));
        list.push_str(&format!(
            "<li data-region=\"{}\">{} — {shown}</li>",
            r.code,
            esc(&r.name)
        ));
    }
    let height = i64::try_from(ranked.len()).unwrap_or(0) * 22;
    let mid_shown = figure(shown_key, Some(mid));
    let x = 200 + width(mid);
    format!(
        "<svg id=\"ranking-chart\" class=\"chart\" viewBox=\"0 0 640 {}\" role=\"img\" aria-labelledby=\"ranking-desc\">\
         <desc id=\"ranking-desc\">{}</desc>{bars}<line class=\"line-overdue\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{height}\" stroke-dasharray=\"4 3\"/></svg>\
         <p class=\"muted\" id=\"ranking-median\">{}</p><details><summary>{}</summary><ol id=\"ranking-list\">{list}</ol></details>",
        height + 4,
        strings::RANK_DESC,
        strings::federal_median(&mid_shown),
        strings::DATA_TABLE
    )
}

/// The ranking card over `all` (every region).
#[component]
pub fn Ranking(all: RwSignal<Remote<Vec<RegionStats>>>) -> impl IntoView {
    let key = RwSignal::new(BY[0].0.to_owned());
    let pairs: Vec<(String, String)> = BY
        .iter()
        .map(|(k, t, _)| ((*k).to_owned(), (*t).to_owned()))
        .collect();
    let body = move || {
        let k = key.get();
        all.with(|a| match a {
            Remote::Ready(items) => ranking(items, &k),
            _ => String::new(),
        })
    };
    view! {
        <section class="card" id="ranking">
            <h2 class="card-title">{strings::RANK_TITLE}</h2>
            <div class="field">
                <label for="rank-by">{strings::RANK_BY}</label>
                <select id="rank-by" inner_html=options(&pairs, BY[0].0)
                    on:change=move |ev| key.set(event_target_value(&ev))></select>
            </div>
            <div inner_html=body></div>
        </section>
    }
}
