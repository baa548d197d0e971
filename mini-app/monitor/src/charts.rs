//! The charts of «Сводка»: who answered (a stacked bar), appeals over time (an area and two
//! lines) and the average rating by region (bars) — inline SVG in integer coordinates, each
//! with its text equivalent.

use shared::stats::{RegionStats, StatsFigures, TimeseriesPoint};

use crate::period::figure;
use crate::strings;
use mini_app_client::html::{esc, table};

/// Who answered: the bot, the teachers themselves (a suggestion), operators — one stacked
/// bar with its text equivalent.
pub fn sources(f: &StatsFigures) -> String {
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
pub fn rating_bars(regions: &[RegionStats]) -> String {
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
pub fn chart(points: &[TimeseriesPoint]) -> String {
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
