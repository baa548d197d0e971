//! Seeded randomness: deterministic ids, picks, weighted draws, and the weights of days
//! and hours that shape the history.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::Rng;

/// Deterministic ids: UUIDv7 built from the event's time and the seeded generator.
pub(super) fn id_at(rng: &mut StdRng, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .simple()
        .to_string()
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Index of a value in cumulative weights.
pub(super) fn weighted(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.gen::<f64>() * total;
    cumulative
        .partition_point(|c| *c <= x)
        .min(cumulative.len().saturating_sub(1))
}

pub(super) fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .into_iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// Relative volume of a day: growth over time, school holidays, weekends, public holidays.
pub(super) fn day_weight(date: NaiveDate, first: NaiveDate, days: i64, working: bool) -> f64 {
    #[allow(clippy::cast_precision_loss)] // a few hundred days
    let growth = 1.0 + 0.8 * ((date - first).num_days() as f64 / days.max(1) as f64);
    let season = match date.month() {
        1 => 0.8,
        5 => 0.85,
        6 | 8 => 0.55,
        7 => 0.3,
        9 => 1.3,
        10 => 1.15,
        11 => 1.1,
        _ => 1.0,
    };
    let weekday = match (working, date.weekday().num_days_from_monday()) {
        (false, 5) => 0.25,
        (false, 6) => 0.15,
        (false, _) => 0.3,
        (true, 0) => 1.1,
        (true, _) => 1.0,
    };
    growth * season * weekday
}

/// Hours of the local day, by how often teachers write then.
pub(super) const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6, 3.0, 3.3, 3.6, 3.4, 3.0, 2.6, 2.2,
    1.9, 1.6, 1.2, 0.8, 0.4,
];

pub(super) fn hours(h: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation)] // at most years in seconds
    Duration::seconds((h * 3600.0) as i64)
}

pub(super) fn score(rng: &mut StdRng, weights: &[f64; 5]) -> i32 {
    let c = cumulative(weights.iter().copied());
    i32::try_from(weighted(rng, &c) + 1).unwrap_or(5)
}
