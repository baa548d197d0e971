//! Monitoring for heads and federal supervisors: «Сводка» (the figures of the period on
//! tiles, appeals over time as an inline SVG chart with a text and table equivalent, the
//! XLSX/CSV reports), «Субъекты РФ» (a sortable table of regions) and «Операторы».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::stats::{RegionStats, StatsFigures, TimeseriesPoint};

use crate::api::{self, load_into};
use crate::period::{figure, period_query, PeriodPicker};
use mini_app_client::html::{clicked, esc, html, options, show, sortable, table};
use mini_app_client::ErrorLine;
use mini_app_client::Remote;
use shared::appeals::AppealStatus;
use staff_app::regions::Regions;

use crate::strings;

/// The tiles of «Сводка»: `(figure, label)`.
const TILES: [(&str, &str); 17] = [
    ("received", strings::TILE_RECEIVED),
    ("answered_by_bot", strings::TILE_BY_BOT),
    ("self_served", strings::TILE_SELF_SERVED),
    ("answered_by_operators", strings::TILE_BY_OPERATORS),
    ("open", strings::TILE_OPEN),
    ("overdue", strings::TILE_OVERDUE),
    ("due_today", strings::TILE_DUE_TODAY),
    ("unread", strings::TILE_UNREAD),
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

fn tiles(f: &StatsFigures) -> String {
    let mut html = String::from("<div class=\"tiles\" id=\"tiles\">");
    for &(key, label) in &TILES {
        let bad = if key == "overdue" && f.overdue > 0 {
            " tile-bad"
        } else {
            ""
        };
        // The figures of «now» open the list of those very appeals.
        let link = matches!(key, "overdue" | "due_today");
        if link {
            html.push_str(&format!(
                "<a class=\"tile-link\" href=\"#/list?show={key}\">"
            ));
        }
        html.push_str(&format!(
            "<div class=\"tile{bad}\" data-figure=\"{key}\"><span class=\"tile-value\">{}</span><span class=\"tile-label\">{label}</span></div>",
            figure(key, f.value(key))
        ));
        if link {
            html.push_str("</a>");
        }
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

/// Who answered: the bot, the teachers themselves (a suggestion), operators — one stacked
/// bar with its text equivalent.
fn sources(f: &StatsFigures) -> String {
    let parts = [
        ("bot", strings::SOURCE_BOT, f.answered_by_bot),
        ("self", strings::SOURCE_SELF, f.self_served),
        ("operators", strings::TAB_OPERATORS, f.answered_by_operators),
    ];
    let total: i64 = parts.iter().map(|p| p.2).sum();
    let mut bars = String::new();
    let mut text = Vec::new();
    let mut x = 0_i64;
    for (class, label, n) in parts {
        let width = if total > 0 { n * 600 / total } else { 0 };
        let share = if total > 0 { n * 100 / total } else { 0 };
        bars.push_str(&format!(
            "<rect class=\"src-{class}\" x=\"{x}\" y=\"0\" width=\"{width}\" height=\"32\"/>"
        ));
        x += width;
        text.push(format!("{label} — {n} ({share} %)"));
    }
    let text = text.join(", ");
    format!(
        "<section class=\"card\"><h2 class=\"card-title\">{who}</h2>\
         <svg id=\"sources-chart\" class=\"chart\" viewBox=\"0 0 600 32\" role=\"img\" aria-labelledby=\"sources-title sources-desc\">\
         <title id=\"sources-title\">{who}</title><desc id=\"sources-desc\">{text}</desc>{bars}</svg>\
         <p class=\"legend\" id=\"sources-text\"><span class=\"key src-bot\"></span>{text}</p></section>",
        who = strings::WHO_ANSWERED
    )
}

/// The average rating by region as horizontal bars (best first, regions with ratings only,
/// at most 15), with the values written next to them.
fn rating_bars(regions: &[RegionStats]) -> String {
    let mut rated: Vec<(&str, f64)> = regions
        .iter()
        .filter_map(|r| r.figures.rating_avg.map(|v| (r.name.as_str(), v)))
        .collect();
    rated.sort_by(|a, b| b.1.total_cmp(&a.1));
    rated.truncate(15);
    if rated.is_empty() {
        return format!("<p class=\"state\">{}</p>", strings::NO_RATINGS);
    }
    let height = rated.len() * 26;
    let mut bars = String::new();
    let mut text = Vec::new();
    for (i, (name, value)) in rated.iter().enumerate() {
        let y = i * 26;
        let width = (value / 5.0 * 380.0).round() as i64;
        let shown = figure("rating_avg", Some(*value));
        let label: String = if name.chars().count() > 22 {
            name.chars().take(21).chain(std::iter::once('…')).collect()
        } else {
            (*name).to_owned()
        };
        bars.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"bar-label\">{}</text><rect class=\"bar\" x=\"200\" y=\"{}\" width=\"{width}\" height=\"18\"/><text x=\"{}\" y=\"{}\">{shown}</text>",
            y + 14,
            esc(&label),
            y + 2,
            206 + width,
            y + 15
        ));
        text.push(format!("{name}: {shown}"));
    }
    let text = esc(&text.join("; "));
    format!(
        "<svg id=\"rating-chart\" class=\"chart\" viewBox=\"0 0 620 {height}\" role=\"img\" aria-labelledby=\"rating-title rating-desc\">\
         <title id=\"rating-title\">{}</title><desc id=\"rating-desc\">{text}</desc>{bars}</svg>",
        strings::RATING_BY_REGION
    )
}

#[component]
pub fn Dashboard(days: RwSignal<i32>, regions: Regions) -> impl IntoView {
    let summary = html();
    let series = html();
    let ratings = html();
    Effect::new(move |_| {
        let d = days.get();
        let period = period_query(d);
        let bucket = if d <= 31 {
            "day"
        } else if d <= 92 {
            "week"
        } else {
            "month"
        };
        let query = format!("{period}&bucket={bucket}");
        load_into(series, async move {
            api::stats_timeseries(query).await.map(|p| chart(&p))
        });
        let by_region = format!("{period}&sort=rating_avg&order=desc");
        load_into(ratings, async move {
            api::stats_regions(by_region).await.map(|r| rating_bars(&r))
        });
        load_into(summary, async move {
            api::stats_summary(period).await.map(|s| tiles(&s.figures))
        });
    });
    view! {
        <h1>{strings::TAB_DASHBOARD}</h1>
        <PeriodPicker days/>
        {show(summary)}
        <section class="card">
            <h2 class="card-title">{strings::APPEALS_OVER_TIME}</h2>
            {show(series)}
        </section>
        <section class="card">
            <h2 class="card-title">{strings::RATING_BY_REGION}</h2>
            {show(ratings)}
        </section>
        <Reports days regions/>
    }
}

/// `YYYY-MM-DD` → `DD.MM`.
fn short(date: &str) -> String {
    format!(
        "{}.{}",
        date.get(8..10).unwrap_or(""),
        date.get(5..7).unwrap_or("")
    )
}

/// Appeals received (an area), answered and overdue (lines) per bucket, in integer
/// coordinates of a 600×200 box.
fn chart(points: &[TimeseriesPoint]) -> String {
    const W: i64 = 600;
    const H: i64 = 200;
    const PAD: i64 = 28;
    let max = points.iter().map(|p| p.received).max().unwrap_or(0).max(1);
    let last_index = i64::try_from(points.len().max(2) - 1).unwrap_or(1);
    let x = |i: usize| PAD + i64::try_from(i).unwrap_or(0) * (W - 2 * PAD) / last_index;
    let line = |value: fn(&TimeseriesPoint) -> i64| {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{},{}", x(i), H - PAD - value(p) * (H - 2 * PAD) / max))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let received = line(|p| p.received);
    let area = format!(
        "{PAD},{} {received} {},{}",
        H - PAD,
        x(points.len().max(1) - 1),
        H - PAD
    );
    let total: i64 = points.iter().map(|p| p.received).sum();
    let answered_total: i64 = points.iter().map(|p| p.answered).sum();
    let (first, last) = (
        points.first().map(|p| short(&p.start)).unwrap_or_default(),
        points.last().map(|p| short(&p.end)).unwrap_or_default(),
    );
    let peak = points
        .iter()
        .max_by_key(|p| p.received)
        .map(|p| strings::chart_peak(p.received, &short(&p.start)))
        .unwrap_or_default();
    let desc = strings::chart_description(&first, &last, total, answered_total, &peak);
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            vec![
                format!("{}–{}", short(&p.start), short(&p.end)),
                p.received.to_string(),
                p.answered.to_string(),
                p.overdue.to_string(),
                figure("rating_avg", p.rating_avg),
            ]
        })
        .collect();
    let desc = esc(&desc);
    format!(
        "<svg id=\"chart\" class=\"chart\" viewBox=\"0 0 600 200\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\
         <title id=\"chart-title\">{over_time}</title><desc id=\"chart-desc\">{desc}</desc>\
         <line class=\"axis\" x1=\"28\" y1=\"172\" x2=\"572\" y2=\"172\"/>\
         <text x=\"2\" y=\"36\">{max}</text><text x=\"2\" y=\"178\">0</text>\
         <text x=\"28\" y=\"194\">{first}</text><text x=\"572\" y=\"194\" text-anchor=\"end\">{last}</text>\
         <polygon class=\"area\" points=\"{area}\"/><polyline class=\"line-received\" points=\"{received}\"/>\
         <polyline class=\"line-answered\" points=\"{answered}\"/><polyline class=\"line-overdue\" points=\"{overdue}\"/></svg>\
         <p class=\"muted\">{desc}</p><details><summary>{}</summary>{}</details>",
        strings::DATA_TABLE,
        table(
            "series-table",
            strings::APPEALS_OVER_TIME,
            &strings::SERIES_COLUMNS,
            &rows,
            None
        ),
        answered = line(|p| p.answered),
        overdue = line(|p| p.overdue),
        over_time = strings::APPEALS_OVER_TIME,
    )
}

/// The buttons (a literal `inner_html` in the view would become a plain attribute).
fn report_buttons() -> String {
    format!(
        "<button type=\"button\" id=\"report-xlsx\" class=\"button\" data-ext=\"xlsx\">{}</button><button type=\"button\" id=\"report-csv\" class=\"button secondary\" data-ext=\"csv\">{}</button>",
        strings::DOWNLOAD_XLSX,
        strings::DOWNLOAD_CSV
    )
}

/// The report download buttons for the chosen period, optionally one region of the
/// caller's and one status.
#[component]
fn Reports(days: RwSignal<i32>, regions: Regions) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let region = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let get = move |ev: leptos::ev::MouseEvent| {
        let Some(ext) = clicked(&ev, "ext") else {
            return;
        };
        let mut path = format!(
            "/api/v1/reports/appeals.{ext}{}",
            period_query(days.get_untracked())
        );
        path.push_str(
            &api::query(&[
                ("region", &region.get_untracked()),
                ("status", &status.get_untracked()),
            ])
            .replacen('?', "&", 1),
        );
        error.set(None);
        spawn_local(async move {
            if let Err(e) = api::download(path, format!("obrashcheniya.{ext}")).await {
                error.set(Some(e.message()));
            }
        });
    };
    let region_options = move || {
        let mut pairs = vec![(String::new(), strings::WHOLE_SCOPE.to_owned())];
        if let Remote::Ready(list) = regions.get() {
            pairs.extend(
                list.into_iter()
                    .map(|r| (r.code.clone(), format!("{} ({})", r.name, r.code))),
            );
        }
        options(&pairs, &region.get_untracked())
    };
    let status_options: Vec<(String, String)> =
        std::iter::once((String::new(), strings::ALL_STATUSES.to_owned()))
            .chain(
                AppealStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), s.title().to_owned())),
            )
            .collect();
    view! {
        <section class="card" id="reports">
            <h2 class="card-title">{strings::REPORT_TITLE}</h2>
            <p class="muted">{strings::REPORT_LEAD}</p>
            <div class="ws-filters">
                <div class="field">
                    <label for="report-region">{strings::REGION}</label>
                    <select id="report-region" inner_html=region_options
                        on:change=move |ev| region.set(event_target_value(&ev))></select>
                </div>
                <div class="field">
                    <label for="report-status">{strings::FIELD_STATUS}</label>
                    <select id="report-status" inner_html=options(&status_options, "")
                        on:change=move |ev| status.set(event_target_value(&ev))></select>
                </div>
            </div>
            <div class="actions" on:click=get inner_html=report_buttons()></div>
            <ErrorLine message=error/>
        </section>
    }
}

/// Columns of the regions table: heading and the server's sort key (a figure, `name` or
/// `federal_district`).
const REGION_COLUMNS: [(&str, &str); 8] = [
    (strings::REGION, "name"),
    (strings::COL_DISTRICT, "federal_district"),
    (strings::COL_RECEIVED, "received"),
    (strings::COL_OPEN, "open"),
    (strings::COL_OVERDUE, "overdue"),
    (strings::COL_ANSWERED, "answered"),
    (strings::COL_WITHIN_SLA, "answered_within_sla_share"),
    (strings::COL_RATING, "rating_avg"),
];

#[component]
pub fn RegionsTable(days: RwSignal<i32>) -> impl IntoView {
    let data = html();
    // Column 2 (received), largest first; the server sorts.
    let sort = RwSignal::new(5);
    Effect::new(move |_| {
        let order = sort.get();
        let column = usize::try_from(order / 2)
            .unwrap_or(0)
            .min(REGION_COLUMNS.len() - 1);
        let query = format!(
            "{}&sort={}&order={}",
            period_query(days.get()),
            REGION_COLUMNS[column].1,
            if order % 2 == 1 { "desc" } else { "asc" }
        );
        load_into(data, async move {
            let items = api::stats_regions(query).await?;
            let rows: Vec<Vec<String>> = items
                .into_iter()
                .map(|r| {
                    let mut row = vec![format!("{} ({})", r.name, r.code), r.federal_district];
                    row.extend(
                        REGION_COLUMNS[2..]
                            .iter()
                            .map(|c| figure(c.1, r.figures.value(c.1))),
                    );
                    row
                })
                .collect();
            let heads: Vec<&str> = REGION_COLUMNS.iter().map(|c| c.0).collect();
            Ok(table(
                "regions-table",
                strings::REGIONS_TABLE,
                &heads,
                &rows,
                Some(order),
            ))
        });
    });
    view! {
        <h1>{strings::TAB_REGIONS}</h1>
        <PeriodPicker days/>
        <div on:click=sortable(sort)>{show(data)}</div>
    }
}

#[component]
pub fn OperatorsTable(days: RwSignal<i32>) -> impl IntoView {
    let data = html();
    Effect::new(move |_| {
        let query = period_query(days.get());
        load_into(data, async move {
            let rows: Vec<Vec<String>> = api::stats_operators(query)
                .await?
                .into_iter()
                .map(|o| {
                    vec![
                        o.name.unwrap_or_else(|| strings::NO_NAME.to_owned()),
                        o.regions.join(", "),
                        o.answered.to_string(),
                        o.first_answers.to_string(),
                        figure("median", o.median_first_answer_hours),
                        o.overdue_held.to_string(),
                        figure("rating_avg", o.rating_avg),
                    ]
                })
                .collect();
            let heads = strings::OPERATOR_COLUMNS;
            Ok(table(
                "operators-table",
                strings::OPERATORS_TABLE,
                &heads,
                &rows,
                None,
            ))
        });
    });
    view! {
        <h1>{strings::TAB_OPERATORS}</h1>
        <PeriodPicker days/>
        {show(data)}
    }
}
