//! Per-operator figures of a period.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::stats::OperatorStats;
use shared::users::Role;

use super::{median, ratio, Period, RegionFilter, OPEN};
use crate::db::schema::{
    appeal_answers as ans, appeals as ap, ratings, stats_first_answers as sfa, user_regions, users,
};
use crate::db::AnyConnection;

/// What the queries collect, per operator id.
#[derive(Default)]
struct Collected {
    regions: HashMap<String, Vec<String>>,
    answered: HashMap<String, i64>,
    /// Ratings: count and sum.
    rated: HashMap<String, (i64, i64)>,
    /// First answers: hours and working days.
    times: HashMap<String, (Vec<f64>, Vec<f64>)>,
    held: HashMap<String, i64>,
}

/// An operator's id and name parts.
type Person = (String, Option<String>, Option<String>, Option<String>);

/// Operators are read in chunks of this many ids (bound parameters stay few).
const CHUNK: usize = 500;

/// Per-operator figures of the operators working for the filter's regions: answers given
/// in the period (to appeals of those regions), first answers with their median times,
/// ratings of those answers, and the overdue appeals they hold now. Sorted by name.
///
/// # Errors
/// A database failure.
pub fn operators(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    period: Period,
    now: DateTime<Utc>,
) -> QueryResult<Vec<OperatorStats>> {
    let people = people(conn, filter)?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = people.iter().map(|p| p.0.clone()).collect();
    let window = (period.start_utc(), period.end_utc());
    let mut c = Collected::default();
    for chunk in ids.chunks(CHUNK) {
        regions_of(conn, chunk, &mut c)?;
        answers_of(conn, filter, chunk, window, &mut c)?;
        ratings_of(conn, filter, chunk, window, &mut c)?;
        first_answers_of(conn, filter, chunk, window, &mut c)?;
        held_by(conn, filter, chunk, now, &mut c)?;
    }
    let mut out: Vec<OperatorStats> = people.into_iter().map(|p| c.row(p)).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

impl Collected {
    /// One operator's figures (taking what was collected for them).
    fn row(&mut self, (id, surname, name, patronymic): Person) -> OperatorStats {
        let full: Vec<String> = [surname, name, patronymic]
            .into_iter()
            .flatten()
            .filter(|p| !p.trim().is_empty())
            .collect();
        let (mut hours, mut working_days) = self.times.remove(&id).unwrap_or_default();
        let (ratings_count, ratings_sum) = self.rated.get(&id).copied().unwrap_or((0, 0));
        OperatorStats {
            name: (!full.is_empty()).then(|| full.join(" ")),
            regions: self.regions.remove(&id).unwrap_or_default(),
            answered: self.answered.get(&id).copied().unwrap_or(0),
            first_answers: i64::try_from(hours.len()).unwrap_or(i64::MAX),
            median_first_answer_hours: median(&mut hours),
            median_first_answer_working_days: median(&mut working_days),
            overdue_held: self.held.get(&id).copied().unwrap_or(0),
            ratings_count,
            rating_avg: ratio(ratings_sum, ratings_count),
            id,
        }
    }
}

/// The operators of the filter's regions.
fn people(conn: &mut AnyConnection, filter: &RegionFilter) -> QueryResult<Vec<Person>> {
    let mut people = users::table
        .filter(users::role.eq(Role::Operator))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        people = people.filter(
            users::id.eq_any(
                user_regions::table
                    .filter(user_regions::region_code.eq_any(codes.to_vec()))
                    .select(user_regions::user_id),
            ),
        );
    }
    people
        .select((users::id, users::surname, users::name, users::patronymic))
        .load(conn)
}

fn regions_of(conn: &mut AnyConnection, chunk: &[String], c: &mut Collected) -> QueryResult<()> {
    let rows: Vec<(String, String)> = user_regions::table
        .filter(user_regions::user_id.eq_any(chunk))
        .select((user_regions::user_id, user_regions::region_code))
        .order((user_regions::user_id, user_regions::region_code))
        .load(conn)?;
    for (user, region) in rows {
        c.regions.entry(user).or_default().push(region);
    }
    Ok(())
}

/// Answers given in the window. Only operators answer with their name, so `answered_by`
/// alone picks operator answers (through the `(answered_by, answered_at)` index); appeals
/// are joined only to keep a region filter.
fn answers_of(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    chunk: &[String],
    (start, end): (NaiveDateTime, NaiveDateTime),
    c: &mut Collected,
) -> QueryResult<()> {
    let rows: Vec<(Option<String>, i64)> = match filter.codes() {
        None => ans::table
            .filter(ans::answered_by.eq_any(chunk))
            .filter(ans::answered_at.ge(start))
            .filter(ans::answered_at.lt(end))
            .group_by(ans::answered_by)
            .select((ans::answered_by, count_star()))
            .load(conn)?,
        Some(codes) => ans::table
            .inner_join(ap::table)
            .filter(ans::answered_by.eq_any(chunk))
            .filter(ans::answered_at.ge(start))
            .filter(ans::answered_at.lt(end))
            .filter(ap::region_code.eq_any(codes))
            .group_by(ans::answered_by)
            .select((ans::answered_by, count_star()))
            .load(conn)?,
    };
    c.answered
        .extend(rows.into_iter().filter_map(|(id, n)| Some((id?, n))));
    Ok(())
}

/// Ratings of the answers given in the window.
fn ratings_of(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    chunk: &[String],
    (start, end): (NaiveDateTime, NaiveDateTime),
    c: &mut Collected,
) -> QueryResult<()> {
    let score_sum = || sql::<BigInt>("CAST(COALESCE(SUM(ratings.score), 0) AS BIGINT)");
    let rows: Vec<(Option<String>, i64, i64)> = match filter.codes() {
        None => ratings::table
            .inner_join(ans::table)
            .filter(ans::answered_by.eq_any(chunk))
            .filter(ans::answered_at.ge(start))
            .filter(ans::answered_at.lt(end))
            .group_by(ans::answered_by)
            .select((ans::answered_by, count_star(), score_sum()))
            .load(conn)?,
        Some(codes) => ratings::table
            .inner_join(ans::table.inner_join(ap::table))
            .filter(ans::answered_by.eq_any(chunk))
            .filter(ans::answered_at.ge(start))
            .filter(ans::answered_at.lt(end))
            .filter(ap::region_code.eq_any(codes))
            .group_by(ans::answered_by)
            .select((ans::answered_by, count_star(), score_sum()))
            .load(conn)?,
    };
    c.rated.extend(
        rows.into_iter()
            .filter_map(|(id, n, sum)| Some((id?, (n, sum)))),
    );
    Ok(())
}

/// Times to the first answers given in the window.
fn first_answers_of(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    chunk: &[String],
    (start, end): (NaiveDateTime, NaiveDateTime),
    c: &mut Collected,
) -> QueryResult<()> {
    let mut q = sfa::table
        .filter(sfa::answered_by.eq_any(chunk))
        .filter(sfa::answered_at.ge(start))
        .filter(sfa::answered_at.lt(end))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        q = q.filter(sfa::region_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<(Option<String>, Option<f64>, Option<f64>)> = q
        .select((sfa::answered_by, sfa::hours, sfa::working_days))
        .load(conn)?;
    for (id, hours, working_days) in rows {
        if let Some(id) = id {
            let entry = c.times.entry(id).or_default();
            entry.0.extend(hours);
            entry.1.extend(working_days);
        }
    }
    Ok(())
}

/// Open appeals past their deadline that the operators hold now.
fn held_by(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
    chunk: &[String],
    now: DateTime<Utc>,
    c: &mut Collected,
) -> QueryResult<()> {
    let mut q = ap::table
        .filter(ap::status.eq_any(OPEN))
        .filter(ap::assignee_id.eq_any(chunk))
        .filter(ap::deadline_at.lt(now.naive_utc()))
        .group_by(ap::assignee_id)
        .select((ap::assignee_id, count_star()))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        q = q.filter(ap::region_code.eq_any(codes.to_vec()));
    }
    let rows: Vec<(Option<String>, i64)> = q.load(conn)?;
    c.held
        .extend(rows.into_iter().filter_map(|(id, n)| Some((id?, n))));
    Ok(())
}
