//! `api db copy --from URL --to URL`: moves a whole deployment between databases (SQLite →
//! PostgreSQL when it outgrows one machine, or back), verified table by table.
//!
//! How it works:
//! - the target is migrated to the binary's schema; the source must already be at it;
//! - the target must be empty: every table except the reference data a fresh server seeds
//!   (regions, synonyms, the shipped production calendar) holds no rows, otherwise the copy
//!   is refused before anything is written;
//! - everything is written inside ONE transaction on the target, and the source is read in
//!   one consistent snapshot (a read transaction; `REPEATABLE READ, READ ONLY` on
//!   PostgreSQL); tables go in dependency order (parents first), each in batches read by
//!   primary key (keyset pagination) and written as multi-row `INSERT`s;
//! - the reference rows seeded on the target are replaced by the source's; the statistics
//!   tables the triggers fill while appeals are inserted are cleared and then copied as they
//!   are in the source (they also hold figures computed by the server, not by triggers);
//!   the deltas not yet folded travel as they are, and the `stats_daily` view (folded
//!   figures plus deltas) is compared on both sides too;
//! - the full-text index of the appeals (`appeal_search…`) is not copied: the target's
//!   triggers rebuild it while the appeals and their messages are inserted;
//! - after the copy, still inside the transaction, every table of the target is read back
//!   and compared with the source: the row count and a SHA-256 over all rows in primary-key
//!   order, computed by the same code from the values of each side (text byte-wise, numbers
//!   as 64-bit values, timestamps at PostgreSQL's precision of a microsecond). Any
//!   difference rolls everything back; PostgreSQL sequences (if a table ever gets one) are
//!   set past the copied values.
//!
//! Values travel as one JSON array per row, produced by the database itself
//! (`json_array` / `json_build_array`), so one code path reads any table of either backend
//! without a struct per table; doubles travel as text, which both sides print exactly.

mod cell;
mod side;

use std::fmt::Write as _;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

use self::cell::{Cell, Shape};
use self::side::{quote, Side};
use crate::db::{self, Backend};

/// Every table of the schema, parents before children (foreign keys point backwards).
pub const TABLES: &[&str] = &[
    "regions",
    "users",
    "user_regions",
    "staff_invitations",
    "refresh_tokens",
    "api_keys",
    "esia_states",
    "kb_articles",
    "kb_article_versions",
    "kb_variants",
    "kb_synonyms",
    "appeals",
    "appeal_numbers",
    "appeal_controls",
    "appeal_messages",
    "appeal_answers",
    "ratings",
    "bot_grades",
    "attachments",
    "appeal_reads",
    "appeal_on_behalf",
    "calendar_days",
    "calendar_years",
    "webhooks",
    "outbox",
    "job_marks",
    "max_updates",
    "audit_log",
    "idempotency_keys",
    "auth_throttle",
    "stats_daily_folded",
    "stats_deltas",
    "stats_first_answers",
    "campaigns",
    "campaign_regions",
    "campaign_recipients",
    "campaign_optouts",
    "promo_codes",
    "answer_templates",
    "appeal_presence",
    "region_teachers",
];

/// Reference data a fresh server seeds at start-up: present in an "empty" target, replaced
/// by the source's rows.
const SEEDED: &[&str] = &["regions", "kb_synonyms", "calendar_days", "calendar_years"];

/// Filled by triggers while appeals, ratings and grades are inserted: cleared on the target
/// right before they are copied.
const DERIVED: &[&str] = &["stats_daily_folded", "stats_deltas", "stats_first_answers"];

/// Views compared like tables but never written (their tables are copied): the exact daily
/// figures (migration 000022), read with the shape and key of the table named beside.
const VIEWS: &[(&str, &str)] = &[("stats_daily", "stats_daily_folded")];

/// The full-text index of the appeals' texts (migration 000021: `appeal_search_docs`, on
/// SQLite also the FTS5 table `appeal_search` and its shadow tables), by name prefix. Not
/// copied nor compared: the target's triggers rebuild it from the copied appeals and
/// messages, as they fill it for live writes (the FTS5 storage is not portable between
/// backends anyway).
const REBUILT_PREFIX: &str = "appeal_search";

/// Rows read from the source per query.
const READ_BATCH: usize = 1000;

/// Bind parameters per `INSERT` (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_BINDS: usize = 16_000;

/// Row count and checksum of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    /// Rows.
    pub rows: u64,
    /// SHA-256 over the rows in primary-key order (hex).
    pub checksum: String,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct TableReport {
    /// Table name.
    pub table: String,
    /// Source figures.
    pub source: TableSum,
    /// Target figures, read back after the copy.
    pub target: TableSum,
}

impl TableReport {
    /// Whether both sides agree.
    #[must_use]
    pub fn matches(&self) -> bool {
        self.source == self.target
    }
}

/// The outcome of a copy.
#[derive(Debug, Clone)]
pub struct Report {
    /// Per table, in copy order.
    pub tables: Vec<TableReport>,
    /// PostgreSQL sequences moved past the copied values.
    pub sequences_reset: usize,
}

impl Report {
    /// The per-table report as printed by the CLI.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<22} {:>10} {:>10}  {:<16}  итог",
            "таблица", "источник", "цель", "контрольная сумма"
        );
        for t in &self.tables {
            let _ = writeln!(
                out,
                "{:<22} {:>10} {:>10}  {:<16}  {}",
                t.table,
                t.source.rows,
                t.target.rows,
                &t.source.checksum[..16],
                if t.matches() {
                    "совпадает"
                } else {
                    "РАСХОЖДЕНИЕ"
                }
            );
        }
        let rows: u64 = self.tables.iter().map(|t| t.target.rows).sum();
        let _ = writeln!(
            out,
            "всего строк: {rows}; таблиц: {}; последовательностей PostgreSQL сброшено: {}",
            self.tables.len(),
            self.sequences_reset
        );
        out
    }
}

/// Reorders a target table's shape to the source's column order (same names required).
fn align(table: &str, source: &Shape, target: &Shape) -> anyhow::Result<Shape> {
    let mut columns = Vec::with_capacity(source.columns.len());
    for c in &source.columns {
        let Some(t) = target.columns.iter().find(|t| t.name == c.name) else {
            bail!(
                "в целевой таблице {table} нет столбца {} (разные версии схемы) / \
                 target table {table} lacks column {} (schema versions differ)",
                c.name,
                c.name
            );
        };
        columns.push(t.clone());
    }
    if target.columns.len() != source.columns.len() {
        bail!(
            "у таблицы {table} разный набор столбцов (разные версии схемы) / \
             table {table} has different columns on each side (schema versions differ)"
        );
    }
    Ok(Shape {
        columns,
        key: source.key.clone(),
    })
}

fn refuse_non_empty(target: &mut Side, existing: &[String]) -> anyhow::Result<()> {
    for table in TABLES {
        if SEEDED.contains(table) || !existing.iter().any(|t| t == table) {
            continue;
        }
        let rows = target.count(table)?;
        if rows > 0 {
            bail!(
                "целевая база не пуста: в таблице {table} строк: {rows}; копировать можно только \
                 в пустую базу (справочники свежего сервера не в счёт) / target database is not \
                 empty: table {table} has {rows} rows; db copy only writes into an empty database"
            );
        }
    }
    Ok(())
}

fn check_tables(side: &mut Side, which: &str) -> anyhow::Result<()> {
    let mut expected: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.sort();
    let mut found = side.tables()?;
    found.retain(|t| !t.starts_with(REBUILT_PREFIX));
    if found != expected {
        let extra: Vec<&String> = found.iter().filter(|t| !expected.contains(t)).collect();
        let missing: Vec<&String> = expected.iter().filter(|t| !found.contains(t)).collect();
        bail!(
            "{which}: набор таблиц не совпадает со схемой этой версии (лишние {extra:?}, нет \
             {missing:?}) / {which}: tables differ from this version's schema"
        );
    }
    Ok(())
}

/// Copies the deployment at `from` into the empty database at `to`, verifies it and
/// returns the per-table report. Nothing is written to the target unless everything
/// matches.
///
/// # Errors
/// Unreachable databases, a source at another schema version, a non-empty target, or a
/// mismatch after the copy (rolled back).
pub fn copy(from: &str, to: &str, progress: &mut dyn FnMut(&str)) -> anyhow::Result<Report> {
    if Backend::of(from) == Backend::Sqlite && !std::path::Path::new(db::sqlite_path(from)).exists()
    {
        bail!("источник {from} не найден / source {from} not found");
    }
    if from == to {
        bail!("источник и цель совпадают / source and target are the same database");
    }
    let mut source = Side::open(from).context("источник / source")?;
    let mut target = Side::open(to).context("цель / target")?;
    if !source.is_migrated()? {
        bail!(
            "схема источника не той версии: сначала `api migrate` с DATABASE_URL источника / \
             the source is not at this version's schema: run `api migrate` on it first"
        );
    }
    check_tables(&mut source, "источник / source")?;
    // Refuse before touching anything (the migrations included); checked again below,
    // inside the transaction.
    let existing = target.tables()?;
    refuse_non_empty(&mut target, &existing)?;
    let applied = target.migrate()?;
    if applied > 0 {
        progress(&format!("цель: применено миграций {applied}"));
    }
    check_tables(&mut target, "цель / target")?;

    let source_backend = source.backend();
    with_snapshot(&mut source, source_backend, |source| {
        with_transaction(&mut target, |target| copy_all(source, target, progress))
    })
}

/// The copy itself, inside the source's snapshot and the target's transaction: clears the
/// seeded reference rows, copies every table, reads the target back and compares.
fn copy_all(
    source: &mut Side,
    target: &mut Side,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<Report> {
    let existing = target.tables()?;
    refuse_non_empty(target, &existing)?;
    for table in SEEDED.iter().rev() {
        target.execute(&format!("DELETE FROM {}", quote(table)))?;
    }
    let mut tables = Vec::new();
    let mut sequences_reset = 0;
    for table in TABLES {
        if DERIVED.contains(table) {
            target.execute(&format!("DELETE FROM {}", quote(table)))?;
        }
        let (sum, reset) = copy_table(source, target, table)?;
        sequences_reset += reset;
        progress(&format!("{table}: скопировано строк {}", sum.rows));
        tables.push(TableReport {
            table: (*table).to_owned(),
            source: sum,
            target: TableSum {
                rows: 0,
                checksum: String::new(),
            },
        });
    }
    for (view, like) in VIEWS {
        let shape = source.shape(like)?;
        tables.push(TableReport {
            table: (*view).to_owned(),
            source: source.sum(view, &shape)?,
            target: TableSum {
                rows: 0,
                checksum: String::new(),
            },
        });
    }
    for report in &mut tables {
        let like = VIEWS
            .iter()
            .find(|(view, _)| *view == report.table)
            .map_or(report.table.as_str(), |(_, like)| like);
        let shape = target.shape(like)?;
        let source_shape = source.shape(like)?;
        let aligned = align(&report.table, &source_shape, &shape)?;
        report.target = target.sum(&report.table, &aligned)?;
    }
    let report = Report {
        tables,
        sequences_reset,
    };
    if report.tables.iter().any(|t| !t.matches()) {
        bail!(
            "после копирования данные не совпали, всё отменено / the copy does not \
             match the source, rolled back:\n{}",
            report.to_text()
        );
    }
    Ok(report)
}

/// Copies one table page by page; returns the source's figures (computed while reading)
/// and the number of sequences reset.
fn copy_table(
    source: &mut Side,
    target: &mut Side,
    table: &str,
) -> anyhow::Result<(TableSum, usize)> {
    let shape = source.shape(table)?;
    let target_shape = align(table, &shape, &target.shape(table)?)?;
    let mut hash = Sha256::new();
    let mut rows = 0u64;
    let mut after: Option<Vec<Cell>> = None;
    loop {
        let page = source.page(table, &shape, after.as_deref())?;
        for row in &page {
            for cell in row {
                cell.digest_into(&mut hash);
            }
        }
        rows += page.len() as u64;
        target.insert(table, &target_shape.columns, &page)?;
        if page.len() < READ_BATCH {
            break;
        }
        after = page
            .last()
            .map(|r| shape.key.iter().map(|&i| r[i].clone()).collect());
    }
    let reset = target.reset_sequences(table, &target_shape)?;
    let sum = TableSum {
        rows,
        checksum: hex::encode(hash.finalize()),
    };
    Ok((sum, reset))
}

/// Runs `work` with the source in one consistent read snapshot.
fn with_snapshot<T>(
    side: &mut Side,
    backend: Backend,
    work: impl FnOnce(&mut Side) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match backend {
        Backend::Postgres => {
            side.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        }
        Backend::Sqlite => side.execute("BEGIN")?,
    }
    let result = work(side);
    // Read-only: ending it either way changes nothing.
    let _ = side.execute("ROLLBACK");
    result
}

/// Runs `work` in one transaction on the target: committed only when it returns `Ok`.
fn with_transaction<T>(
    side: &mut Side,
    work: impl FnOnce(&mut Side) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match side {
        Side::Pg(_) => side.execute("BEGIN")?,
        Side::Lite(_) => side.execute("BEGIN IMMEDIATE")?,
    }
    match work(side) {
        Ok(value) => {
            side.execute("COMMIT")?;
            Ok(value)
        }
        Err(e) => {
            let _ = side.execute("ROLLBACK");
            Err(e)
        }
    }
}

/// `api db copy` arguments.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "api db copy",
    about = "Перенести всю базу (SQLite ⇄ PostgreSQL) в пустую, с проверкой каждой таблицы",
    long_about = "Перенести всю базу (SQLite ⇄ PostgreSQL) в пустую базу одной транзакцией и \
                  сверить каждую таблицу (число строк и SHA-256). Цель мигрируется сама; \
                  источник должен быть на схеме этой версии."
)]
pub struct CopyArgs {
    /// База-источник (URL PostgreSQL или путь к файлу SQLite).
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// Пустая база-цель (URL PostgreSQL или путь к файлу SQLite).
    #[arg(long, value_name = "URL")]
    pub to: String,
}

/// `api db copy --from URL --to URL`, its arguments given as words (as after `db copy`).
///
/// # Errors
/// Bad arguments (clap's message) or a failed copy (see [`copy`]).
pub fn cli(args: &[&str]) -> anyhow::Result<()> {
    let args = crate::cli::parse_words::<CopyArgs>("api db copy", args)?;
    run(&args)
}

/// Runs `api db copy`: copies, prints the per-table report on stdout and progress on stderr.
///
/// # Errors
/// A failed copy (see [`copy`]).
pub fn run(args: &CopyArgs) -> anyhow::Result<()> {
    let report = copy(&args.from, &args.to, &mut |line| eprintln!("{line}"))?;
    print!("{}", report.to_text());
    eprintln!("копирование завершено и проверено / copy complete and verified");
    Ok(())
}

/// Count and checksum of every table of a database, as `copy` computes them (tests and
/// manual checks compare two deployments with it).
///
/// # Errors
/// The database is unreachable or not at this version's schema.
pub fn checksums(url: &str) -> anyhow::Result<Vec<(String, TableSum)>> {
    let mut side = Side::open(url)?;
    check_tables(&mut side, url)?;
    let backend = side.backend();
    with_snapshot(&mut side, backend, |side| {
        TABLES
            .iter()
            .map(|t| (*t, *t))
            .chain(VIEWS.iter().copied())
            .map(|(t, like)| {
                let shape = side.shape(like)?;
                Ok((t.to_owned(), side.sum(t, &shape)?))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::cell::parse_timestamp;
    use super::*;
    use chrono::Timelike;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{Double, Integer, Text};
    use diesel::SqliteConnection;

    #[test]
    fn sqlite_prints_doubles_that_read_back_exactly() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v DOUBLE PRECISION)")
            .unwrap();
        let values = [
            0.1 + 0.2,
            std::f64::consts::PI,
            1.0 / 3.0,
            123_456.789_012_345_68,
            5e-324,
            1.797_693_134_862_315_7e308,
            -0.0,
            2.5,
        ];
        for (i, v) in values.iter().enumerate() {
            diesel::sql_query("INSERT INTO t VALUES (?, ?)")
                .bind::<Integer, _>(i32::try_from(i).unwrap())
                .bind::<Double, _>(*v)
                .execute(&mut conn)
                .unwrap();
        }
        let mut side = Side::Lite(conn);
        let shape = side.shape("t").unwrap();
        let rows = side.page("t", &shape, None).unwrap();
        for (row, v) in rows.iter().zip(values) {
            assert_eq!(row[1], Cell::Real(v), "{v:e}");
        }
    }

    #[test]
    fn timestamps_of_both_backends_parse_to_the_same_microsecond() {
        let lite = parse_timestamp("2026-11-25 09:30:00.123456789").unwrap();
        let pg = parse_timestamp("2026-11-25T09:30:00.123456").unwrap();
        assert_eq!(lite, pg);
        let whole = parse_timestamp("2026-11-25T09:30:00").unwrap();
        assert_eq!(whole.nanosecond(), 0);
    }

    #[test]
    fn every_schema_table_is_copied_and_in_dependency_order() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
        let mut side = Side::Lite(conn);
        side.migrate().unwrap();
        check_tables(&mut side, "test").unwrap();
        let Side::Lite(conn) = &mut side else {
            unreachable!()
        };
        #[derive(QueryableByName)]
        struct Parent {
            #[diesel(sql_type = Text)]
            name: String,
        }
        for (i, table) in TABLES.iter().enumerate() {
            let parents: Vec<Parent> =
                diesel::sql_query("SELECT \"table\" AS name FROM pragma_foreign_key_list(?)")
                    .bind::<Text, _>(*table)
                    .load(conn)
                    .unwrap();
            for p in parents {
                let at = TABLES.iter().position(|t| *t == p.name).unwrap();
                assert!(at < i, "{table} refers to {} copied later", p.name);
            }
        }
    }
}
