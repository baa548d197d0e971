//! The figures of issue #22 (a click is not a rating): ratings split by who answered (bot
//! or operators) and the teachers' «Помогло» / «Не помогло» clicks on bot answers, read
//! from the `stats_daily` columns of migration `000014` (kept exact by its triggers).
//!
//! A click is stored on the answer (`appeal_answers.helpful`), never as a rating, so the
//! average rating counts only stars a teacher gave. Ratings stored before the migration
//! cannot be told apart (a «Помогло» then was a rating of 5) and stay counted as they are.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::aggregates::total;
use super::{Counts, Period, RegionFilter};
use crate::db::schema::stats_daily as sd;
use crate::db::AnyConnection;

type Row = (String, i64, i64, i64, i64, i64, i64);

/// Adds the split ratings and the clicks of the period to each region's counts.
///
/// # Errors
/// A database failure.
pub fn sums(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    out: &mut BTreeMap<String, Counts>,
) -> QueryResult<()> {
    let mut query = sd::table
        .filter(sd::day.ge(period.from))
        .filter(sd::day.le(period.to))
        .group_by(sd::region_code)
        .select((
            sd::region_code,
            total("bot_ratings_count"),
            total("bot_ratings_sum"),
            total("operator_ratings_count"),
            total("operator_ratings_sum"),
            total("bot_clicks"),
            total("bot_helpful"),
        ))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(sd::region_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<Row> = query.load(conn)?;
    for (region, bot_n, bot_sum, op_n, op_sum, clicks, helpful) in rows {
        // Regions with nothing else to count stay out, as in the daily sums.
        if bot_n == 0 && op_n == 0 && clicks == 0 && !out.contains_key(&region) {
            continue;
        }
        let c = out.entry(region).or_default();
        c.bot_ratings_count += bot_n;
        c.bot_ratings_sum += bot_sum;
        c.operator_ratings_count += op_n;
        c.operator_ratings_sum += op_sum;
        c.bot_clicks += clicks;
        c.bot_helpful += helpful;
    }
    Ok(())
}
