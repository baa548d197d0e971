//! The map of the 89 regions as a tile grid (one square per subject, laid out roughly as the
//! map of Russia, as newsrooms draw it): inline SVG coloured by the chosen figure, each
//! square a link to that region's appeals, with a text table saying the same. Regions
//! outside the caller's scope are grey and not links. Appeals per 1,000 teachers are offered
//! once a federal user has imported some region's number of teachers (none is shipped);
//! regions without one are grey for that figure.

use leptos::prelude::*;
use mini_app_client::html::{esc, link, options, table_html};
use mini_app_client::Remote;
use shared::stats::RegionStats;

use crate::period::{figure, Period};
use crate::strings;
use crate::tables::region_link;
use crate::teachers::{any_teachers, value, PER_1000};

/// `(code, column, row)` of every region of `data/regions.csv`.
const GRID: [(&str, i32, i32); 89] = [
    ("01", 2, 9),
    ("02", 7, 3),
    ("03", 13, 3),
    ("04", 11, 4),
    ("05", 6, 9),
    ("06", 5, 10),
    ("07", 3, 10),
    ("08", 4, 8),
    ("09", 2, 10),
    ("10", 3, 1),
    ("11", 6, 1),
    ("12", 6, 3),
    ("13", 5, 6),
    ("14", 14, 0),
    ("15", 4, 10),
    ("16", 7, 4),
    ("17", 12, 4),
    ("18", 6, 2),
    ("19", 12, 3),
    ("20", 6, 10),
    ("21", 5, 5),
    ("22", 10, 4),
    ("23", 3, 9),
    ("24", 11, 0),
    ("25", 16, 4),
    ("26", 4, 9),
    ("27", 16, 2),
    ("28", 15, 3),
    ("29", 4, 1),
    ("30", 5, 7),
    ("31", 2, 7),
    ("32", 1, 5),
    ("33", 4, 4),
    ("34", 4, 7),
    ("35", 4, 2),
    ("36", 3, 7),
    ("37", 5, 4),
    ("38", 13, 2),
    ("39", 0, 3),
    ("40", 2, 5),
    ("41", 18, 1),
    ("42", 11, 3),
    ("43", 5, 2),
    ("44", 5, 3),
    ("45", 9, 3),
    ("46", 1, 6),
    ("47", 3, 2),
    ("48", 3, 6),
    ("49", 16, 1),
    ("50", 2, 4),
    ("51", 3, 0),
    ("52", 6, 4),
    ("53", 2, 3),
    ("54", 10, 3),
    ("55", 10, 2),
    ("56", 8, 4),
    ("57", 2, 6),
    ("58", 6, 6),
    ("59", 7, 2),
    ("60", 1, 3),
    ("61", 3, 8),
    ("62", 4, 5),
    ("63", 7, 5),
    ("64", 7, 6),
    ("65", 17, 3),
    ("66", 8, 2),
    ("67", 1, 4),
    ("68", 4, 6),
    ("69", 3, 3),
    ("70", 11, 2),
    ("71", 3, 5),
    ("72", 9, 2),
    ("73", 6, 5),
    ("74", 8, 3),
    ("75", 14, 3),
    ("76", 4, 3),
    ("77", 3, 4),
    ("78", 2, 2),
    ("79", 15, 4),
    ("83", 6, 0),
    ("86", 9, 1),
    ("87", 18, 0),
    ("89", 9, 0),
    ("90", 1, 8),
    ("91", 1, 9),
    ("92", 0, 9),
    ("93", 2, 8),
    ("94", 1, 7),
    ("95", 0, 8),
];

/// The figures the map can be coloured by (the last only once a region has a number of
/// teachers).
const FIGURES: [(&str, &str); 4] = [
    ("overdue", strings::TILE_OVERDUE),
    ("rating_avg", strings::TILE_RATING),
    ("received", strings::TILE_RECEIVED),
    (PER_1000, strings::TILE_PER_1000),
];

/// Five shades from light to dark (fill, the label's class), and the square without data.
/// The label's colour is a class of `staff.css` (`#map .ink-*`), not a `fill` attribute: the
/// charts' `.chart text` rule would override an attribute and leave a dark label on the
/// darkest squares.
const SHADES: [(&str, &str); 5] = [
    ("#dbe9f6", "ink-dark"),
    ("#a6c8e6", "ink-dark"),
    ("#6aa3d4", "ink-dark"),
    ("#3a7cbf", "ink-light"),
    ("#1c4f8c", "ink-light"),
];
const NO_DATA: (&str, &str) = ("#d9d9d9", "ink-none");
const CELL: i32 = 44;

/// The shade (0–4) of `v` on a scale to `max` (the rating on its own 1–5 scale).
#[allow(clippy::cast_possible_truncation)] // small non-negative figures
fn shade(key: &str, v: f64, max: f64) -> usize {
    let step = if key == "rating_avg" {
        (v - 1.0).max(0.0)
    } else if max > 0.0 {
        v * 4.0 / max
    } else {
        0.0
    };
    usize::try_from((step.round() as i64).clamp(0, 4)).unwrap_or(0)
}

/// The link of a square: the region's appeals the figure counts (its overdue ones for
/// «Просрочено», those of the period otherwise).
fn square_link(code: &str, key: &str, period: Period) -> String {
    let key = if key == "overdue" { key } else { "received" };
    region_link(code, key, period).unwrap_or_default()
}

/// The map and its text table.
#[must_use]
pub fn map(items: &[RegionStats], key: &str, period: Period) -> String {
    let max = items
        .iter()
        .filter_map(|r| value(r, key))
        .fold(0.0_f64, f64::max);
    let mut squares = String::new();
    let mut rows = Vec::new();
    for &(code, col, row) in &GRID {
        let (x, y) = (col * CELL, row * CELL);
        let region = items.iter().find(|r| r.code == code);
        let value = region.and_then(|r| value(r, key));
        let (fill, ink) = value.map_or(NO_DATA, |v| SHADES[shade(key, v, max)]);
        let shown = figure(key, value);
        let square = format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"40\" height=\"40\" rx=\"4\" fill=\"{fill}\"/><text x=\"{}\" y=\"{}\" class=\"{ink}\" text-anchor=\"middle\" font-size=\"13\">{code}</text>",
            x + 20,
            y + 25
        );
        match region {
            Some(r) => {
                let href = square_link(code, key, period);
                squares.push_str(&format!(
                    "<a href=\"{}\" data-region=\"{code}\"><title>{}: {shown}</title>{square}</a>",
                    esc(&href),
                    esc(&r.name)
                ));
                rows.push(vec![
                    link(&href, &format!("{} ({code})", r.name)),
                    esc(&shown),
                ]);
            }
            None => squares.push_str(&format!("<g data-region=\"{code}\">{square}</g>")),
        }
    }
    let label = FIGURES.iter().find(|f| f.0 == key).map_or("", |f| f.1);
    let table = table_html(
        "map-table",
        strings::MAP_TABLE,
        &[strings::REGION, label],
        &rows,
        None,
    );
    format!(
        "<svg id=\"map\" class=\"chart\" viewBox=\"0 0 {} {}\" role=\"group\" aria-label=\"{}\">{squares}</svg>\
         <p class=\"muted\">{}</p><details><summary>{}</summary>{table}</details>",
        19 * CELL,
        11 * CELL,
        strings::MAP_TITLE,
        strings::map_legend(label, &figure(key, Some(max)), key == "rating_avg"),
        strings::DATA_TABLE
    )
}

/// The map card: the figure to colour by and the map of `all` (every region of the scope).
#[component]
pub fn RegionsMap(
    all: RwSignal<Remote<Vec<RegionStats>>>,
    period: RwSignal<Period>,
) -> impl IntoView {
    let key = RwSignal::new("overdue".to_owned());
    // The figures offered: appeals per 1,000 teachers only once some region has it.
    let choices = move || {
        let per_1000 = all.with(|a| matches!(a, Remote::Ready(items) if any_teachers(items)));
        let pairs: Vec<(String, String)> = FIGURES
            .iter()
            .filter(|(k, _)| *k != PER_1000 || per_1000)
            .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
            .collect();
        if !per_1000 && key.get_untracked() == PER_1000 {
            key.set("overdue".to_owned());
        }
        options(&pairs, &key.get_untracked())
    };
    let body = move || {
        let k = key.get();
        all.with(|a| match a {
            Remote::Ready(items) => map(items, &k, period.get_untracked()),
            Remote::Failed(e) => format!(
                "<p class=\"state error\" role=\"alert\">{}</p>",
                esc(&e.message())
            ),
            Remote::Loading => String::new(),
        })
    };
    view! {
        <section class="card" id="map-card">
            <h2 class="card-title">{strings::MAP_TITLE}</h2>
            <div class="field">
                <label for="map-figure">{strings::MAP_FIGURE}</label>
                <select id="map-figure" inner_html=choices
                    on:change=move |ev| key.set(event_target_value(&ev))></select>
            </div>
            <div inner_html=body></div>
        </section>
    }
}
