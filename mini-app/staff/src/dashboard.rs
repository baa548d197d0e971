//! Monitoring for heads and federal supervisors: «Сводка» (the figures of the period on
//! tiles, appeals over time as an inline SVG chart with a text and table equivalent, the
//! XLSX/CSV reports), «Субъекты РФ» (a sortable table of regions) and «Операторы».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::stats::{OperatorStats, RegionStats, StatsFigures, StatsSummary, TimeseriesPoint};

use crate::api::{self, load_into, Remote};
use crate::supervisor::{esc, figure, period_query, show, sortable, table, PeriodPicker};
use mini_app_client::ErrorLine;

/// The tiles of «Сводка»: `(figure, label)`.
const TILES: [(&str, &str); 14] = [
    ("received", "Обращений за период"),
    ("answered_by_bot", "Ответил бот"),
    ("self_served", "Нашли ответ сами"),
    ("answered_by_operators", "Ответили операторы"),
    ("open", "Ждут ответа сейчас"),
    ("overdue", "Просрочено сейчас"),
    ("due_today", "Срок сегодня"),
    ("unread", "Никто не открыл"),
    ("rating_avg", "Средняя оценка"),
    ("median_first_answer_hours", "Медиана ответа, ч"),
    ("answered_within_sla_share", "Ответы в срок"),
    ("bot_share", "Доля ответов бота"),
    ("bot_accuracy", "Точность бота"),
    ("escalation_rate", "Вернулись к людям"),
];

fn tiles(f: &StatsFigures) -> String {
    let mut html = String::from("<div class=\"tiles\" id=\"tiles\">");
    for &(key, label) in &TILES {
        let bad = if key == "overdue" && f.overdue > 0 {
            " tile-bad"
        } else {
            ""
        };
        html.push_str(&format!(
            "<div class=\"tile{bad}\" data-figure=\"{key}\"><span class=\"tile-value\">{}</span><span class=\"tile-label\">{label}</span></div>",
            figure(key, f.value(key))
        ));
    }
    html + &format!(
        "</div><p class=\"muted\">Оценок за период: {}.</p>",
        f.ratings_count
    )
}

#[component]
pub fn Dashboard(days: RwSignal<i32>) -> impl IntoView {
    let summary = RwSignal::new(Remote::Loading);
    let series = RwSignal::new(Remote::Loading);
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
        load_into(
            series,
            api::stats_timeseries(format!("{period}&bucket={bucket}")),
        );
        load_into(summary, api::stats_summary(period));
    });
    view! {
        <h1>"Сводка"</h1>
        <PeriodPicker days/>
        {show(summary, |s: &StatsSummary| tiles(&s.figures))}
        <section class="card">
            <h2 class="card-title">"Обращения по времени"</h2>
            {show(series, |p: &Vec<TimeseriesPoint>| chart(p))}
        </section>
        <Reports days/>
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
        .map(|p| format!(", больше всего — {} ({})", p.received, short(&p.start)))
        .unwrap_or_default();
    let desc = format!(
        "С {first} по {last} поступило {total}, отвечено {answered_total}{peak}. Синяя область — поступившие, зелёная линия — отвеченные, красная — просроченные."
    );
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
         <title id=\"chart-title\">Обращения по времени</title><desc id=\"chart-desc\">{desc}</desc>\
         <line class=\"axis\" x1=\"28\" y1=\"172\" x2=\"572\" y2=\"172\"/>\
         <text x=\"2\" y=\"32\">{max}</text><text x=\"2\" y=\"176\">0</text>\
         <text x=\"28\" y=\"194\">{first}</text><text x=\"572\" y=\"194\" text-anchor=\"end\">{last}</text>\
         <polygon class=\"area\" points=\"{area}\"/><polyline class=\"line-received\" points=\"{received}\"/>\
         <polyline class=\"line-answered\" points=\"{answered}\"/><polyline class=\"line-overdue\" points=\"{overdue}\"/></svg>\
         <p class=\"muted\">{desc}</p><details><summary>Таблица данных</summary>{}</details>",
        table(
            "series-table",
            "Обращения по времени",
            &["Период", "Поступило", "Отвечено", "Просрочено", "Оценка"],
            &rows,
            None
        ),
        answered = line(|p| p.answered),
        overdue = line(|p| p.overdue),
    )
}

/// The report download buttons for the chosen period.
#[component]
fn Reports(days: RwSignal<i32>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let get = move |ext: &'static str| {
        let period = period_query(days.get_untracked());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/reports/appeals.{ext}{period}");
            if let Err(e) = api::download(path, format!("obrashcheniya.{ext}")).await {
                error.set(Some(e.message()));
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" id="reports">
            <h2 class="card-title">"Отчёт за период"</h2>
            <p class="muted">"Обращения вашей зоны: регион, автор, даты, срок, статус, источник ответа, оценка. В XLSX — ещё лист со сводкой по регионам."</p>
            <div class="actions">
                <button type="button" id="report-xlsx" class="button" disabled=busy on:click=move |_| get("xlsx")>"Скачать XLSX"</button>
                <button type="button" id="report-csv" class="button secondary" disabled=busy on:click=move |_| get("csv")>"Скачать CSV"</button>
            </div>
            <ErrorLine message=error/>
        </section>
    }
}

/// Columns of the regions table: heading and sort key (a figure, or `name`/`district`).
const REGION_COLUMNS: [(&str, &str); 8] = [
    ("Регион", "name"),
    ("Округ", "district"),
    ("Обращений", "received"),
    ("Ждут ответа", "open"),
    ("Просрочено", "overdue"),
    ("Отвечено", "answered"),
    ("В срок", "answered_within_sla_share"),
    ("Оценка", "rating_avg"),
];

fn sort_regions(items: &mut [RegionStats], (column, desc): (usize, bool)) {
    let key = REGION_COLUMNS[column].1;
    items.sort_by(|a, b| {
        let order = match key {
            "name" => a.name.cmp(&b.name),
            "district" => a.federal_district.cmp(&b.federal_district),
            _ => a
                .figures
                .value(key)
                .unwrap_or(-1.0)
                .total_cmp(&b.figures.value(key).unwrap_or(-1.0)),
        };
        if desc {
            order.reverse()
        } else {
            order
        }
    });
}

#[component]
pub fn RegionsTable(days: RwSignal<i32>) -> impl IntoView {
    let data = RwSignal::new(Remote::Loading);
    let sort = RwSignal::new((2, true));
    Effect::new(move |_| load_into(data, api::stats_regions(period_query(days.get()))));
    let heads: Vec<&str> = REGION_COLUMNS.iter().map(|c| c.0).collect();
    view! {
        <h1>"Субъекты РФ"</h1>
        <PeriodPicker days/>
        <div on:click=sortable(sort)>
            {show(data, move |items: &Vec<RegionStats>| {
                let mut items = items.clone();
                let order = sort.get();
                sort_regions(&mut items, order);
                let rows: Vec<Vec<String>> = items
                    .into_iter()
                    .map(|r| {
                        let mut row = vec![format!("{} ({})", r.name, r.code), r.federal_district];
                        row.extend(REGION_COLUMNS[2..].iter().map(|c| figure(c.1, r.figures.value(c.1))));
                        row
                    })
                    .collect();
                table("regions-table", "Показатели регионов за период", &heads, &rows, Some(order))
            })}
        </div>
    }
}

#[component]
pub fn OperatorsTable(days: RwSignal<i32>) -> impl IntoView {
    let data = RwSignal::new(Remote::Loading);
    Effect::new(move |_| load_into(data, api::stats_operators(period_query(days.get()))));
    view! {
        <h1>"Операторы"</h1>
        <PeriodPicker days/>
        {show(data, |items: &Vec<OperatorStats>| {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|o| {
                    vec![
                        o.name.clone().unwrap_or_else(|| "Без имени".to_owned()),
                        o.regions.join(", "),
                        o.answered.to_string(),
                        o.first_answers.to_string(),
                        figure("median", o.median_first_answer_hours),
                        o.overdue_held.to_string(),
                        figure("rating_avg", o.rating_avg),
                    ]
                })
                .collect();
            let heads = ["Оператор", "Регионы", "Ответов", "Первых ответов", "Медиана ответа, ч", "Просрочено у него", "Оценка"];
            table("operators-table", "Операторы за период", &heads, &rows, None)
        })}
    }
}
