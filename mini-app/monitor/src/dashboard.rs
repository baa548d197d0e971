//! «Сводка» of heads and federal supervisors: the live figures («Онлайн», refreshed every
//! 30 seconds while the screen is open), the figures of the period on tiles, each compared
//! with the previous period of the same length, and the ones that count appeals linking to
//! the list of those appeals; who answered, appeals over time, the rating by region
//! ([`crate::charts`]), the figures by education level (school / СПО / ДОО) and the
//! reports ([`crate::reports`]).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::html::{esc, html, options, show, table_html, Html};
use mini_app_client::Remote;
use shared::stats::StatsFigures;
use staff_app::regions::Regions;

use crate::api;
use crate::charts::{chart, rating_bars, sources};
use crate::period::{delta, figure, Period, PeriodPicker};
use crate::reports::{level_options, Reports};
use crate::strings;

/// How often «Онлайн» asks again.
const REFRESH: Duration = Duration::from_secs(30);

/// The live figures («Онлайн»): the state now, whatever the period.
const LIVE: [(&str, &str); 4] = [
    ("overdue", strings::TILE_OVERDUE),
    ("due_today", strings::TILE_DUE_TODAY),
    ("open", strings::TILE_OPEN),
    ("unread", strings::TILE_UNREAD),
];

/// The figures of the period: `(figure, label)`.
const TILES: [(&str, &str); 13] = [
    ("received", strings::TILE_RECEIVED),
    ("answered_by_bot", strings::TILE_BY_BOT),
    ("self_served", strings::TILE_SELF_SERVED),
    ("answered_by_operators", strings::TILE_BY_OPERATORS),
    ("rating_avg", strings::TILE_RATING),
    ("rating_avg_bot", strings::TILE_RATING_BOT),
    ("rating_avg_operators", strings::TILE_RATING_OPERATORS),
    ("bot_helpful_share", strings::TILE_BOT_HELPFUL),
    ("median_first_answer_hours", strings::MEDIAN_HOURS),
    ("answered_within_sla_share", strings::TILE_WITHIN_SLA),
    ("bot_share", strings::TILE_BOT_SHARE),
    ("bot_accuracy", strings::TILE_BOT_ACCURACY),
    ("escalation_rate", strings::TILE_ESCALATION),
];

/// The list of the appeals a figure counts (`#/list?…`), where the list can filter them.
#[must_use]
pub fn list_link(key: &str, period: Period) -> Option<String> {
    match key {
        "overdue" | "due_today" => Some(format!("#/list?show={key}")),
        "received" => Some(format!("#/list?{}", period.list_filter())),
        "answered_by_bot" => Some(format!(
            "#/list?status=answered_by_bot&{}",
            period.list_filter()
        )),
        _ => None,
    }
}

/// One tile: the value, the label, the change against the previous period (when given),
/// wrapped in a link to its appeals when it has one.
#[must_use]
pub fn tile(
    key: &str,
    label: &str,
    value: Option<f64>,
    change: &str,
    link: Option<String>,
) -> String {
    let bad = if key == "overdue" && value.unwrap_or(0.0) > 0.0 {
        " tile-bad"
    } else {
        ""
    };
    let change = if change.is_empty() {
        String::new()
    } else {
        format!(
            "<span class=\"tile-delta muted small\" title=\"{}\">{change}</span>",
            strings::COMPARED
        )
    };
    // A count agrees with its noun: «1 Обращение за период», not «1 Обращений…».
    let label = match (key, value) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a count
        ("received", Some(v)) => {
            mini_app_client::words::plural(v.round() as u64, strings::RECEIVED_FORMS)
        }
        _ => label,
    };
    let body = format!(
        "<div class=\"tile{bad}\" data-figure=\"{key}\"><span class=\"tile-value\">{}</span><span class=\"tile-label\">{label}</span>{change}</div>",
        figure(key, value)
    );
    match link {
        Some(href) => format!(
            "<a class=\"tile-link\" href=\"{}\">{body}</a>",
            mini_app_client::html::esc(&href)
        ),
        None => body,
    }
}

/// «Онлайн»: the live figures and the time they were asked.
fn online(f: &StatsFigures, period: Period) -> String {
    let now = js_sys::Date::new_0();
    let mut html = format!(
        "<h2 class=\"card-title\">{}</h2><div class=\"tiles\">",
        strings::ONLINE
    );
    for &(key, label) in &LIVE {
        html.push_str(&tile(key, label, f.value(key), "", list_link(key, period)));
    }
    html + &format!(
        "</div><p class=\"muted\" id=\"online-at\">{}</p>",
        strings::updated_at(now.get_hours(), now.get_minutes())
    )
}

/// The figures of the period on tiles, each compared with `before`.
fn tiles(f: &StatsFigures, before: Option<&StatsFigures>, period: Period) -> String {
    // `data-period` says which period the tiles are of (a test waits for it).
    let mut html = format!(
        "<div class=\"tiles\" id=\"tiles\" data-period=\"{}\">",
        period.param()
    );
    for &(key, label) in &TILES {
        let change = before.map_or(String::new(), |b| delta(key, f.value(key), b.value(key)));
        html.push_str(&tile(
            key,
            label,
            f.value(key),
            &change,
            list_link(key, period),
        ));
    }
    let stars = f.rating_avg.map_or(String::new(), |r| {
        let full = usize::try_from((r.round() as i64).clamp(0, 5)).unwrap_or(0);
        format!(
            " <span class=\"stars\" aria-hidden=\"true\">{}{}</span>",
            "★".repeat(full),
            "☆".repeat(5 - full)
        )
    });
    html + &format!(
        "</div><p class=\"muted\">{}{stars}</p>{}",
        strings::ratings_count(f.ratings_count),
        sources(f)
    )
}

/// The figures of `period` and of the one before it: the live block and the tiles (unless
/// another period was chosen meanwhile: its answer wins).
fn load_summary(chosen: RwSignal<Period>, period: Period, live: Html, summary: Html) {
    spawn_local(async move {
        let now = api::stats_summary(period.query()).await;
        let before = api::stats_summary(period.previous().query()).await.ok();
        if chosen.try_get_untracked() != Some(period) {
            return;
        }
        match now {
            Ok(s) => {
                live.set(Remote::Ready(online(&s.figures, period)));
                let before = before.as_ref().map(|b| &b.figures);
                summary.set(Remote::Ready(tiles(&s.figures, before, period)));
            }
            Err(e) => {
                live.set(Remote::Failed(e.clone()));
                summary.set(Remote::Failed(e));
            }
        }
    });
}

/// The figures of `period` per education level, as a small table (one summary each).
async fn by_level(period: Period) -> Result<String, api::ApiError> {
    let mut rows = Vec::new();
    for (level, name) in strings::LEVELS {
        let f = api::stats_summary(format!("{}&level={level}", period.query()))
            .await?
            .figures;
        let mut row = vec![esc(name)];
        row.extend(
            ["received", "open", "overdue", "answered", "rating_avg"]
                .iter()
                .map(|key| esc(&figure(key, f.value(key)))),
        );
        rows.push(row);
    }
    Ok(table_html(
        "levels-table",
        strings::BY_LEVEL,
        &strings::LEVEL_COLUMNS,
        &rows,
        None,
    ))
}

#[component]
pub fn Dashboard(period: RwSignal<Period>, regions: Regions) -> impl IntoView {
    let live = html();
    let summary = html();
    let series = html();
    let ratings = html();
    let levels = html();
    // The chart alone can be narrowed to one education level; changing it reloads only the
    // chart.
    let chart_level = RwSignal::new(String::new());
    Effect::new(move |_| {
        let p = period.get();
        let level = chart_level.get();
        let days = p.length();
        let bucket = if days <= 31 {
            "day"
        } else if days <= 92 {
            "week"
        } else {
            "month"
        };
        let mut query = format!("{}&bucket={bucket}", p.query());
        if !level.is_empty() {
            query.push_str("&level=");
            query.push_str(&level);
        }
        api::load_into(series, async move {
            api::stats_timeseries(query).await.map(|p| chart(&p))
        });
    });
    Effect::new(move |_| {
        let p = period.get();
        let by_region = format!("{}&sort=rating_avg&order=desc", p.query());
        api::load_into(ratings, async move {
            api::stats_regions(by_region).await.map(|r| rating_bars(&r))
        });
        load_summary(period, p, live, summary);
        api::load_into(levels, by_level(p));
    });
    // «Онлайн» refreshes itself; a failed refresh keeps what is shown. The timer stops when
    // the screen is left (the component is cleaned up).
    if let Ok(timer) = set_interval_with_handle(
        move || {
            let p = period.get_untracked();
            spawn_local(async move {
                if let Ok(s) = api::stats_summary(p.query()).await {
                    live.set(Remote::Ready(online(&s.figures, p)));
                }
            });
        },
        REFRESH,
    ) {
        on_cleanup(move || timer.clear());
    }
    view! {
        <h1>{strings::TAB_DASHBOARD}</h1>
        <section class="card" id="online">{show(live)}</section>
        <PeriodPicker period/>
        {show(summary)}
        <section class="card">
            <h2 class="card-title">{strings::APPEALS_OVER_TIME}</h2>
            <div class="field">
                <label for="chart-level">{strings::FIELD_LEVEL}</label>
                <select id="chart-level" inner_html=options(&level_options(), "")
                    on:change=move |ev| chart_level.set(event_target_value(&ev))></select>
            </div>
            {show(series)}
        </section>
        <section class="card">
            <h2 class="card-title">{strings::RATING_BY_REGION}</h2>
            {show(ratings)}
        </section>
        <section class="card" id="levels">
            <h2 class="card-title">{strings::BY_LEVEL}</h2>
            {show(levels)}
        </section>
        <Reports period regions/>
    }
}
