//! Demo data: `api demo seed --appeals N [--seed S] [--if-empty]` writes a plausible history
//! so the dashboards have something to show: all 89 regions weighted by population, from
//! 1 January 2025 to now, more questions on working days and in working hours, fewer in the
//! summer holidays, a slow growth; answers from the knowledge base and from operators,
//! suggestions accepted, withdrawals, ratings and bot grades, escalations, late answers and
//! a few appeals still waiting past their deadline.
//!
//! Every name is invented from common Russian first names, patronymics and surnames picked
//! at random; no real person is described. The same seed, count and hour of the run give
//! the same data. Rows go in by batches inside transactions (the statistics triggers run as
//! for live data); no notifications are queued.

mod data;
mod draw;
mod rows;
mod story;

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use self::data::{invent_name, POPULATION};
use self::draw::{cumulative, day_weight, id_at, weighted, HOURS};
use self::rows::{Article, Batch, NewUser, RegionInfo};
use self::story::Setting;
use crate::calendar;
use crate::config::Config;
use crate::db::schema::{appeals, kb_articles, regions};
use crate::db::{AnyConnection, Db};
use crate::domain::calendar::Calendars;
use crate::error::ApiError;
use crate::startup;

/// Appeals written per transaction (large transactions: a million appeals in minutes).
const BATCH: usize = 10_000;
/// Rows per INSERT statement (SQLite allows 32,766 bound values; appeals have 29 columns).
const ROWS_PER_INSERT: usize = 1_000;

/// `api demo seed …` arguments.
#[derive(Debug, Clone, PartialEq, Eq, clap::Parser)]
#[command(
    about = "Записать демо-историю обращений (регионы, учителя, операторы, ответы, оценки)",
    long_about = "Записать правдоподобную историю обращений с 1 января 2025 года по текущий час, \
                  чтобы дашбордам было что показать. Все имена выдуманы; одно и то же зерно, \
                  число и час запуска дают одни и те же данные."
)]
pub struct SeedArgs {
    /// Appeals to write.
    #[arg(
        long,
        value_name = "N",
        value_parser = parse_count,
        help = "сколько обращений записать (можно с подчёркиваниями: 1_000_000)"
    )]
    pub appeals: usize,
    /// Random seed.
    #[arg(
        long,
        value_name = "S",
        default_value_t = 42,
        help = "зерно случайных чисел"
    )]
    pub seed: u64,
    /// Do nothing when the database already has appeals.
    #[arg(long, help = "ничего не делать, если в базе уже есть обращения")]
    pub if_empty: bool,
}

/// A count written with or without digit separators (`3_000`).
fn parse_count(text: &str) -> Result<usize, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| "укажите число".to_owned())
}

impl SeedArgs {
    /// Parses `--appeals N [--seed S] [--if-empty]`.
    ///
    /// # Errors
    /// A missing or malformed value, or an unknown flag (clap's message).
    pub fn parse(args: &[&str]) -> anyhow::Result<Self> {
        Ok(crate::cli::parse_words::<Self>("api demo seed", args)?)
    }
}

/// `api demo seed …`, its arguments given as words (as after `demo seed`).
///
/// # Errors
/// Bad arguments or a database failure.
pub async fn seed_cli(args: &[&str]) -> anyhow::Result<()> {
    run(SeedArgs::parse(args)?).await
}

/// Runs `api demo seed`: prepares the server's state (migrations, reference data) and
/// writes the history.
///
/// # Errors
/// A database failure.
pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let state = startup::prepare_state(Config::from_env()?).await?;
    let started = std::time::Instant::now();
    let written =
        tokio::task::spawn_blocking(move || seed(&state.db, &state.calendars, &args)).await??;
    match written {
        Some(n) => eprintln!(
            "демо-данные: {n} обращений за {:.1} с",
            started.elapsed().as_secs_f64()
        ),
        None => eprintln!("демо-данные не добавлены: в базе уже есть обращения"),
    }
    Ok(())
}

/// Writes the demo history; `None` when `--if-empty` found appeals already.
///
/// # Errors
/// A database failure.
pub fn seed(db: &Db, calendars: &Calendars, args: &SeedArgs) -> anyhow::Result<Option<usize>> {
    let mut conn = db.pool().get().context("нет соединения с базой")?;
    if args.if_empty {
        let existing: i64 = appeals::table.count().get_result(&mut conn)?;
        if existing > 0 {
            return Ok(None);
        }
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let now = end_of_history();
    let stored: Vec<(String, String)> = regions::table
        .select((regions::code, regions::timezone))
        .order(regions::code.asc())
        .load(&mut conn)?;
    let articles = published_articles(&mut conn)?;
    drop(conn);

    let (regions_info, region_cumulative) = invent_people(db, &mut rng, &stored, args.appeals)?;
    let arrivals = arrivals(
        &mut rng,
        calendars,
        &regions_info,
        &region_cumulative,
        now,
        args.appeals,
    );
    let setting = Setting {
        articles: &articles,
        calendars,
        now,
    };
    let written = tell_all(
        db,
        &mut rng,
        &setting,
        &regions_info,
        arrivals,
        args.appeals,
    )?;
    finish(db, calendars)?;
    Ok(Some(written))
}

/// The end of the history: the start of the current hour, so a rerun within the hour
/// writes the same data.
fn end_of_history() -> NaiveDateTime {
    let now_utc: DateTime<Utc> = Utc::now();
    now_utc
        .naive_utc()
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or_else(|| now_utc.naive_utc())
}

/// The published articles, in id order (bot answers and suggestions quote them).
fn published_articles(conn: &mut AnyConnection) -> QueryResult<Vec<Article>> {
    let articles = kb_articles::table
        .filter(kb_articles::status.eq("published"))
        .select((
            kb_articles::id,
            kb_articles::title,
            kb_articles::question,
            kb_articles::answer,
        ))
        .order(kb_articles::id.asc())
        .load::<(String, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, title, question, answer)| Article {
            id,
            title,
            question,
            answer,
        })
        .collect();
    Ok(articles)
}

/// Teachers and operators of every region, weighted by population, written to the
/// database; returns the regions and their cumulative weights.
fn invent_people(
    db: &Db,
    rng: &mut StdRng,
    stored: &[(String, String)],
    appeals: usize,
) -> anyhow::Result<(Vec<RegionInfo>, Vec<f64>)> {
    let weights: HashMap<&str, u32> = POPULATION.iter().copied().collect();
    let region_weights: Vec<f64> = stored
        .iter()
        .map(|(code, _)| f64::from(weights.get(code.as_str()).copied().unwrap_or(500)))
        .collect();
    let total_weight: f64 = region_weights.iter().sum();
    let region_cumulative = cumulative(region_weights.iter().copied());

    let teacher_total = (appeals / 6).clamp(30, 200_000);
    let joined = NaiveDate::from_ymd_opt(2024, 12, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let mut people: Vec<NewUser> = Vec::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut regions_info: Vec<RegionInfo> = Vec::new();
    for ((code, tz), weight) in stored.iter().zip(&region_weights) {
        let share = weight / total_weight;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // small positive counts
        let teachers_here = ((share * teacher_total as f64).round() as usize).max(3);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let operators_here = (2 + (share * 120.0).round() as usize).min(15);
        let mut info = RegionInfo {
            code: code.clone(),
            tz: tz.parse().unwrap_or(chrono_tz::Europe::Moscow),
            teachers: Vec::with_capacity(teachers_here),
            operators: Vec::with_capacity(operators_here),
        };
        for i in 0..teachers_here + operators_here {
            let is_teacher = i < teachers_here;
            let female = rng.gen_bool(if is_teacher { 0.82 } else { 0.7 });
            let (surname, name, patronymic) = invent_name(rng, female);
            let id = id_at(rng, joined);
            let full = format!("{surname} {name} {patronymic}");
            people.push(NewUser {
                id: id.clone(),
                role: if is_teacher { "teacher" } else { "operator" }.to_owned(),
                surname: Some(surname),
                name: Some(name),
                patronymic: Some(patronymic),
                region_code: Some(code.clone()),
                verification_status: "verified".to_owned(),
                verification_source: Some("demo".to_owned()),
                verified_at: Some(joined),
                created_at: joined,
                updated_at: joined,
            });
            if is_teacher {
                info.teachers.push((id, full));
            } else {
                links.push((id.clone(), code.clone()));
                info.operators.push(id);
            }
        }
        regions_info.push(info);
    }
    db.write_blocking(|conn| Ok(rows::write_people(conn, &people, &links)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    Ok((regions_info, region_cumulative))
}

/// When each appeal is asked: a day by weight, then an hour of the region's local day;
/// sorted by time, before the end of history.
fn arrivals(
    rng: &mut StdRng,
    calendars: &Calendars,
    regions_info: &[RegionInfo],
    region_cumulative: &[f64],
    now: NaiveDateTime,
    appeals: usize,
) -> Vec<(NaiveDateTime, usize)> {
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let last = calendar::local_date(crate::domain::stats::PERIOD_TZ, now.and_utc());
    let span = (last - first).num_days() + 1;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let day_cumulative = calendars.with(|cal| {
        cumulative(
            days.iter()
                .map(|d| day_weight(*d, first, span, cal.is_working_day(None, *d))),
        )
    });
    let hour_cumulative = cumulative(HOURS);
    let mut arrivals: Vec<(NaiveDateTime, usize)> = Vec::with_capacity(appeals);
    while arrivals.len() < appeals {
        let region = weighted(rng, region_cumulative);
        let day = days[weighted(rng, &day_cumulative)];
        let hour = weighted(rng, &hour_cumulative);
        let second: i64 = rng.gen_range(0..3600);
        let hour = i64::try_from(hour).unwrap_or(0);
        let at = calendar::start_of_local_day(regions_info[region].tz, day).naive_utc()
            + Duration::seconds(hour * 3600 + second);
        if at < now {
            arrivals.push((at, region));
        }
    }
    arrivals.sort_unstable();
    arrivals
}

/// Tells every appeal's story in order of arrival, writing a batch at a time.
fn tell_all(
    db: &Db,
    rng: &mut StdRng,
    setting: &Setting<'_>,
    regions_info: &[RegionInfo],
    arrivals: Vec<(NaiveDateTime, usize)>,
    appeals: usize,
) -> anyhow::Result<usize> {
    // The server gives each pooled SQLite connection 1 MiB of page cache; a million appeals
    // with their indexes and full-text index then re-read their pages for every batch and
    // the seed slows down as the database grows. The seed is a process of its own: its
    // writer gets 256 MiB.
    db.write_blocking(|conn| {
        if let AnyConnection::Sqlite(c) = conn {
            c.batch_execute("PRAGMA cache_size = -262144")?;
        }
        Ok(())
    })
    .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    let mut batch = Batch::default();
    let mut written = 0usize;
    let progress_every = (appeals / 10 / BATCH).max(1) * BATCH;
    let mut next_report = progress_every;
    for (created, region_index) in arrivals {
        story::tell(
            rng,
            setting,
            &regions_info[region_index],
            created,
            &mut batch,
        );
        written += 1;
        if batch.appeals.len() >= BATCH {
            db.write_blocking(|conn| Ok(batch.write(conn)?))
                .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
            if written >= next_report {
                next_report += progress_every;
                eprintln!("демо-данные: {written} из {appeals}");
            }
        }
    }
    db.write_blocking(|conn| Ok(batch.write(conn)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    Ok(written)
}

/// After the load: first-answer times and, on PostgreSQL, planner statistics.
fn finish(db: &Db, calendars: &Calendars) -> anyhow::Result<()> {
    // Times to the first answer in working days, as the statistics read them.
    let filled = db
        .write_blocking(|conn| Ok(crate::domain::stats::fill_pending(conn, calendars)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    tracing::debug!(filled, "first-answer times computed");
    // The load appended a statistics delta per change: fold them all now.
    while db
        .write_blocking(|conn| Ok(crate::domain::stats::fold::fold(conn, 100_000)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?
        > 0
    {}
    // After a bulk load PostgreSQL needs planner statistics and a vacuum (index-only scans
    // read the visibility map): autovacuum would get there later, a dashboard needs it now.
    // The aggregates were written row by row during the load: compact them first.
    let mut conn = db.pool().get().context("нет соединения с базой")?;
    if let AnyConnection::Postgresql(_) = &mut *conn {
        conn.batch_execute("VACUUM FULL stats_daily_folded, stats_deltas, stats_first_answers")?;
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let a = SeedArgs::parse(&["--appeals", "3_000", "--if-empty"]).unwrap();
        assert_eq!(
            a,
            SeedArgs {
                appeals: 3000,
                seed: 42,
                if_empty: true
            }
        );
        assert!(SeedArgs::parse(&["--seed", "1"]).is_err());
        assert!(SeedArgs::parse(&["--appeals", "x"]).is_err());
        assert!(SeedArgs::parse(&["--appeals", "5", "--loud"]).is_err());
    }

    #[test]
    fn every_region_of_the_reference_list_has_a_weight() {
        let csv = include_str!("../../../../data/regions.csv");
        let codes: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(codes.len(), POPULATION.len());
        for code in codes {
            assert!(POPULATION.iter().any(|(c, _)| *c == code), "{code}");
        }
    }

    #[test]
    fn names_are_assembled_in_the_right_gender() {
        let mut rng = StdRng::seed_from_u64(1);
        let (surname, _, patronymic) = invent_name(&mut rng, true);
        assert!(surname.ends_with('а') && patronymic.ends_with("на"));
        let (surname, _, patronymic) = invent_name(&mut rng, false);
        assert!(!surname.ends_with('а') && patronymic.ends_with("ич"));
    }
}
