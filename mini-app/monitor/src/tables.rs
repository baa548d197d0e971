//! «Субъекты РФ» (the map of regions, their ranking and a sortable table) and «Операторы»
//! (one row per operator). Every figure that counts appeals links to the list of those
//! appeals: the region's, the period's, the operator's.

use leptos::prelude::*;
use mini_app_client::html::{esc, html, link, show, sortable, table_html};
use mini_app_client::Remote;
use shared::stats::RegionStats;
use shared::users::Role;

use crate::api::{self, load_into};
use crate::map::RegionsMap;
use crate::period::{figure, Period, PeriodPicker};
use crate::ranking::Ranking;
use crate::strings;
use crate::teachers::{value, TeachersImport, PER_1000};

/// Columns of the regions table: heading and the server's sort key (a figure, `name` or
/// `federal_district`).
const REGION_COLUMNS: [(&str, &str); 9] = [
    (strings::REGION, "name"),
    (strings::COL_DISTRICT, "federal_district"),
    (strings::COL_RECEIVED, "received"),
    (strings::COL_OPEN, "open"),
    (strings::COL_OVERDUE, "overdue"),
    (strings::COL_ANSWERED, "answered"),
    (strings::COL_WITHIN_SLA, "answered_within_sla_share"),
    (strings::COL_RATING, "rating_avg"),
    (strings::COL_PER_1000, PER_1000),
];

/// The list of a region's appeals a column counts, if the list can filter them.
#[must_use]
pub fn region_link(code: &str, key: &str, period: Period) -> Option<String> {
    match key {
        "received" => Some(format!("#/list?region={code}&{}", period.list_filter())),
        "overdue" => Some(format!("#/list?region={code}&show=overdue")),
        "name" => Some(format!("#/list?region={code}")),
        _ => None,
    }
}

/// A cell: the figure as shown, a link to its appeals when there is one.
fn cell(text: &str, href: Option<String>) -> String {
    href.map_or_else(|| esc(text), |h| link(&h, text))
}

/// One row of the regions table.
fn region_row(r: &RegionStats, period: Period) -> Vec<String> {
    let name = format!("{} ({})", r.name, r.code);
    let mut row = vec![
        cell(&name, region_link(&r.code, "name", period)),
        esc(&r.federal_district),
    ];
    row.extend(REGION_COLUMNS[2..].iter().map(|c| {
        let shown = figure(c.1, value(r, c.1));
        cell(&shown, region_link(&r.code, c.1, period))
    }));
    row
}

#[component]
pub fn RegionsTable(period: RwSignal<Period>, role: Role) -> impl IntoView {
    let data = html();
    // Every region of the scope in the server's order, for the map and the ranking.
    let all = RwSignal::new(Remote::<Vec<RegionStats>>::Loading);
    // Bumped by an import of the numbers of teachers: everything loads again.
    let saved = RwSignal::new(0_u32);
    Effect::new(move |_| {
        saved.track();
        let query = period.get().query();
        load_into(all, api::stats_regions(query));
    });
    // Column 2 (received), largest first; the server sorts.
    let sort = RwSignal::new(5);
    Effect::new(move |_| {
        let order = sort.get();
        let p = period.get();
        saved.track();
        let column = usize::try_from(order / 2)
            .unwrap_or(0)
            .min(REGION_COLUMNS.len() - 1);
        let query = format!(
            "{}&sort={}&order={}",
            p.query(),
            REGION_COLUMNS[column].1,
            if order % 2 == 1 { "desc" } else { "asc" }
        );
        load_into(data, async move {
            let items = api::stats_regions(query).await?;
            let rows: Vec<Vec<String>> = items.iter().map(|r| region_row(r, p)).collect();
            let heads: Vec<&str> = REGION_COLUMNS.iter().map(|c| c.0).collect();
            Ok(table_html(
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
        <PeriodPicker period/>
        <RegionsMap all period/>
        {(role == Role::Federal).then(|| view! { <Ranking all/> })}
        <div on:click=sortable(sort)>{show(data)}</div>
        {(role == Role::Federal).then(|| view! { <TeachersImport saved/> })}
    }
}

#[component]
pub fn OperatorsTable(period: RwSignal<Period>) -> impl IntoView {
    let data = html();
    Effect::new(move |_| {
        let p = period.get();
        load_into(data, async move {
            let rows: Vec<Vec<String>> = api::stats_operators(p.query())
                .await?
                .into_iter()
                .map(|o| {
                    let mine = format!("#/list?assignee={}", o.id);
                    vec![
                        esc(&o.name.unwrap_or_else(|| strings::NO_NAME.to_owned())),
                        esc(&o.regions.join(", ")),
                        link(
                            &format!("{mine}&{}", p.list_filter()),
                            &o.answered.to_string(),
                        ),
                        o.first_answers.to_string(),
                        esc(&figure("median", o.median_first_answer_hours)),
                        link(&format!("{mine}&show=overdue"), &o.overdue_held.to_string()),
                        esc(&figure("rating_avg", o.rating_avg)),
                    ]
                })
                .collect();
            let heads = strings::OPERATOR_COLUMNS;
            Ok(table_html(
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
        <PeriodPicker period/>
        {show(data)}
    }
}
