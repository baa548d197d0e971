//! The period every statistics screen shows, and how a figure is written (integer arithmetic
//! only: float formatting would add kilobytes to the module).
//!
//! A period is the last 7/30/90/365 days, whole months of a year («январь – май 2025») or any
//! two dates. It lives in the URL hash after `?` (`#/regions?period=30`,
//! `#/dashboard?period=2025-01-01..2025-05-31`), so a reload keeps it, and follows a tab
//! change inside the module. Dates are day numbers (days since 1970-01-01) for the arithmetic
//! of the previous period of the same length.

use leptos::prelude::*;
use mini_app_client::html::options;
use wasm_bindgen::JsValue;

use crate::api::query;
use crate::strings as s;

/// Day number of a proleptic Gregorian date (days since 1970-01-01).
#[must_use]
pub fn day_number(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day number.
#[must_use]
pub fn civil(z: i32) -> (i32, i32, i32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i32::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` of a day number.
#[must_use]
pub fn iso(day: i32) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of `YYYY-MM-DD`.
#[must_use]
pub fn parse_iso(text: &str) -> Option<i32> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| day_number(y, m, d))
}

/// `DD.MM.YYYY` of a day number.
#[must_use]
pub fn dotted(day: i32) -> String {
    let (y, m, d) = civil(day);
    format!("{d:02}.{m:02}.{y}")
}

/// Today in Moscow, as a day number.
#[must_use]
pub fn today() -> i32 {
    let ms = js_sys::Date::now() + 3.0 * 3_600_000.0;
    let iso = String::from(js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string());
    parse_iso(iso.get(..10).unwrap_or_default()).unwrap_or(0)
}

/// The last day of `month` of `year`.
#[must_use]
pub fn month_end(year: i32, month: i32) -> i32 {
    if month == 12 {
        day_number(year + 1, 1, 1) - 1
    } else {
        day_number(year, month + 1, 1) - 1
    }
}

/// A period: the last `days` days (a preset, today included), or the days `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Last(i32),
    Range(i32, i32),
}

/// The presets of the picker.
const PRESETS: [(i32, &str); 4] = [
    (7, s::DAYS_7),
    (30, s::DAYS_30),
    (90, s::DAYS_90),
    (365, s::YEAR),
];

impl Period {
    /// The first and the last day.
    #[must_use]
    pub fn days(self) -> (i32, i32) {
        match self {
            Self::Last(n) => {
                let to = today();
                (to - n + 1, to)
            }
            Self::Range(from, to) => (from, to),
        }
    }

    /// The period of the same length just before this one.
    #[must_use]
    pub fn previous(self) -> Self {
        let (from, to) = self.days();
        Self::Range(from - (to - from + 1), from - 1)
    }

    /// `?from=&to=` for the API.
    #[must_use]
    pub fn query(self) -> String {
        let (from, to) = self.days();
        query(&[("from", &iso(from)), ("to", &iso(to))])
    }

    /// `from=&to=` for a link to the appeal list.
    #[must_use]
    pub fn list_filter(self) -> String {
        let (from, to) = self.days();
        format!("from={}&to={}", iso(from), iso(to))
    }

    /// The number of days.
    #[must_use]
    pub fn length(self) -> i32 {
        let (from, to) = self.days();
        to - from + 1
    }

    /// The value of `period=` in the hash: `30` or `2025-01-01..2025-05-31`.
    #[must_use]
    pub fn param(self) -> String {
        match self {
            Self::Last(n) => n.to_string(),
            Self::Range(from, to) => format!("{}..{}", iso(from), iso(to)),
        }
    }

    /// Reads [`Period::param`]; `None` for anything else (or a reversed range).
    #[must_use]
    pub fn parse(param: &str) -> Option<Self> {
        match param.split_once("..") {
            Some((from, to)) => {
                let (from, to) = (parse_iso(from)?, parse_iso(to)?);
                (from <= to && to - from < 1100).then_some(Self::Range(from, to))
            }
            None => {
                let n = param.parse().ok()?;
                PRESETS.iter().any(|p| p.0 == n).then_some(Self::Last(n))
            }
        }
    }

    /// Whole months of one year: `(year, first month, last month)`.
    #[must_use]
    pub fn months(self) -> Option<(i32, i32, i32)> {
        let Self::Range(from, to) = self else {
            return None;
        };
        let ((y1, m1, d1), (y2, m2, _)) = (civil(from), civil(to));
        (d1 == 1 && y1 == y2 && to == month_end(y2, m2)).then_some((y1, m1, m2))
    }

    /// As a reader says it: «30 дней», «январь – май 2025», «01.02.2025 – 15.03.2025».
    #[must_use]
    pub fn title(self) -> String {
        if let Some((year, first, last)) = self.months() {
            let name = |m: i32| s::MONTHS_LOWER[usize::try_from(m - 1).unwrap_or(0) % 12];
            return if first == last {
                format!("{} {year}", name(first))
            } else {
                format!("{} – {} {year}", name(first), name(last))
            };
        }
        let (from, to) = self.days();
        format!("{} – {}", dotted(from), dotted(to))
    }
}

/// The `period=` of the current hash, if any.
#[must_use]
pub fn from_hash() -> Option<Period> {
    let hash = window().location().hash().unwrap_or_default();
    let (_, q) = hash.split_once('?')?;
    q.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "period")
        .and_then(|(_, v)| Period::parse(v))
}

/// The period shown first: the last 30 days.
pub const DEFAULT: Period = Period::Last(30);

/// Writes `period` into the hash (without a new history entry or a `hashchange`); the
/// default period leaves the hash without one.
pub fn to_hash(period: Period) {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    let path = hash.split('?').next().unwrap_or_default();
    let url = if period == DEFAULT {
        path.to_owned()
    } else if path.len() > 2 {
        format!("{path}?period={}", period.param())
    } else {
        format!("#/dashboard?period={}", period.param())
    };
    if hash != url && !url.is_empty() {
        if let Ok(history) = window().history() {
            let _ignored = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }
}

/// The picker's mode: a preset (its days), whole months (`-1`) or two dates (`-2`).
fn mode(period: Period) -> i32 {
    match period {
        Period::Last(n) => n,
        p if p.months().is_some() => -1,
        Period::Range(..) => -2,
    }
}

/// The value of the field (input or select) with the id `id`.
fn input(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|el| js_sys::Reflect::get(&el, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The period the months or dates fields of the picker describe, if valid.
fn read_fields(mode: i32) -> Option<Period> {
    if mode == -1 {
        let year: i32 = input("period-year").parse().ok()?;
        let first: i32 = input("period-month-from").parse().ok()?;
        let last: i32 = input("period-month-to").parse().ok()?;
        let (first, last) = (first.min(last), first.max(last));
        Some(Period::Range(
            day_number(year, first, 1),
            month_end(year, last),
        ))
    } else {
        Period::parse(&format!("{}..{}", input("period-from"), input("period-to")))
    }
}

/// The period picker shared by the statistics screens: a preset, whole months of a year,
/// or two dates; the chosen period is written under it with the one compared to.
#[component]
pub fn PeriodPicker(period: RwSignal<Period>) -> impl IntoView {
    let chosen = RwSignal::new(mode(period.get_untracked()));
    let mut pairs: Vec<(String, String)> = PRESETS
        .iter()
        .map(|(d, t)| (d.to_string(), (*t).to_owned()))
        .collect();
    pairs.push(("-1".to_owned(), s::MONTHS_MODE.to_owned()));
    pairs.push(("-2".to_owned(), s::RANGE_MODE.to_owned()));
    let html = options(&pairs, &chosen.get_untracked().to_string());
    let apply = move |_| {
        if let Some(p) = read_fields(chosen.get_untracked()) {
            period.set(p);
        }
    };
    let on_mode = move |ev| {
        let m: i32 = event_target_value(&ev).parse().unwrap_or(30);
        chosen.set(m);
        if m > 0 {
            period.set(Period::Last(m));
        }
    };
    let fields = move || {
        let (from, to) = period.get_untracked().days();
        match chosen.get() {
            -1 => {
                let (y, m1, m2) = period.get_untracked().months().unwrap_or_else(|| {
                    let (y, m, _) = civil(to);
                    (y, 1, m)
                });
                let months: Vec<(String, String)> = (1..=12)
                    .map(|m| (m.to_string(), s::MONTHS_LOWER[m - 1].to_owned()))
                    .collect();
                view! {
                    <div class="field">
                        <label for="period-month-from">{s::MONTH_FROM}</label>
                        <select id="period-month-from" on:change=apply inner_html=options(&months, &m1.to_string())></select>
                    </div>
                    <div class="field">
                        <label for="period-month-to">{s::MONTH_TO}</label>
                        <select id="period-month-to" on:change=apply inner_html=options(&months, &m2.to_string())></select>
                    </div>
                    <div class="field">
                        <label for="period-year">{s::YEAR_OF}</label>
                        <input id="period-year" type="number" min="2020" max="2100" value=y.to_string() on:change=apply/>
                    </div>
                }
                .into_any()
            }
            -2 => view! {
                <div class="field">
                    <label for="period-from">{s::DATE_FROM}</label>
                    <input id="period-from" type="date" value=iso(from) on:change=apply/>
                </div>
                <div class="field">
                    <label for="period-to">{s::DATE_TO}</label>
                    <input id="period-to" type="date" value=iso(to) on:change=apply/>
                </div>
            }
            .into_any(),
            _ => ().into_any(),
        }
    };
    let shown = move || {
        let p = period.get();
        s::period_line(&p.title(), &p.previous().title())
    };
    view! {
        <div class="ws-filters period-picker">
            <div class="field period">
                <label for="period">{s::PERIOD}</label>
                <select id="period" inner_html=html on:change=on_mode></select>
            </div>
            {fields}
        </div>
        <p class="muted" id="period-shown">{shown}</p>
    }
}

/// A non-negative `v` rounded to one decimal (`tenths`) or whole, with a decimal comma.
pub use mini_app_client::html::number as num;

/// Whether a figure is a share (shown in per cent).
fn is_share(key: &str) -> bool {
    key.ends_with("share") || key == "bot_accuracy" || key == "escalation_rate"
}

/// A figure of [`shared::stats::StatsFigures`] as shown: shares in per cent, the rating and
/// medians with one decimal, counts whole; «—» when there is nothing to compute it from.
#[must_use]
pub fn figure(key: &str, value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) if is_share(key) => format!("{} %", num(v * 100.0, false)),
        Some(v) if key.starts_with("rating") || key.starts_with("median") => num(v, true),
        // Appeals per 1,000 teachers are small numbers: two decimals.
        Some(v) if key == "appeals_per_1000" => format!("{v:.2}").replace('.', ","),
        Some(v) => num(v, false),
    }
}

/// The change of a figure against the previous period: «▲ 3», «▼ 0,4», «▲ 5 п. п.», «= »
/// when the same as shown; empty when either is unknown.
#[must_use]
pub fn delta(key: &str, now: Option<f64>, before: Option<f64>) -> String {
    let (Some(now), Some(before)) = (now, before) else {
        return String::new();
    };
    let diff = now - before;
    let shown = if is_share(key) {
        format!("{} {}", num(diff.abs() * 100.0, false), s::POINTS)
    } else {
        figure(key, Some(diff.abs()))
    };
    let zero = shown == "0,0" || (shown.starts_with('0') && !shown.starts_with("0,"));
    if zero {
        "=".to_owned()
    } else if diff > 0.0 {
        format!("▲ {shown}")
    } else {
        format!("▼ {shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(iso(day_number(2024, 2, 29)), "2024-02-29");
        assert_eq!(iso(day_number(2025, 3, 1) - 1), "2025-02-28");
        assert_eq!(iso(month_end(2025, 12)), "2025-12-31");
        assert_eq!(parse_iso("2025-05-31"), Some(day_number(2025, 5, 31)));
    }

    #[test]
    fn months_and_previous() {
        let p = Period::parse("2025-01-01..2025-05-31").expect("period");
        assert_eq!(p.months(), Some((2025, 1, 5)));
        assert_eq!(p.title(), "январь – май 2025");
        assert_eq!(p.length(), 151);
        assert_eq!(p.previous().param(), "2024-08-03..2024-12-31");
        assert_eq!(Period::parse("30"), Some(Period::Last(30)));
        assert_eq!(Period::parse("31"), None);
        assert_eq!(Period::parse("2025-02-01..2025-01-01"), None);
        assert_eq!(
            Period::parse("2025-02-03..2025-02-10").map(Period::title),
            Some("03.02.2025 – 10.02.2025".to_owned())
        );
    }

    #[test]
    fn deltas() {
        assert_eq!(delta("received", Some(5.0), Some(2.0)), "▲ 3");
        assert_eq!(delta("rating_avg", Some(4.0), Some(4.5)), "▼ 0,5");
        assert_eq!(delta("bot_share", Some(0.5), Some(0.25)), "▲ 25 п. п.");
        assert_eq!(delta("received", Some(2.0), Some(2.0)), "=");
        assert_eq!(delta("rating_avg", None, Some(2.0)), "");
    }
}
