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

use std::fmt::Write as _;

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, SqliteConnection};
use sha2::{Digest, Sha256};

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
    "appeal_messages",
    "appeal_answers",
    "ratings",
    "bot_grades",
    "attachments",
    "appeal_reads",
    "calendar_days",
    "calendar_years",
    "webhooks",
    "outbox",
    "job_marks",
    "max_updates",
    "audit_log",
    "idempotency_keys",
    "auth_throttle",
    "stats_daily",
    "stats_first_answers",
];

/// Reference data a fresh server seeds at start-up: present in an "empty" target, replaced
/// by the source's rows.
const SEEDED: &[&str] = &["regions", "kb_synonyms", "calendar_days", "calendar_years"];

/// Filled by triggers while appeals, ratings and grades are inserted: cleared on the target
/// right before they are copied.
const DERIVED: &[&str] = &["stats_daily", "stats_first_answers"];

/// Rows read from the source per query.
const READ_BATCH: usize = 1000;

/// Bind parameters per `INSERT` (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_BINDS: usize = 16_000;

/// What a column holds, on either backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int32,
    Int64,
    Bool,
    Real,
    Timestamp,
    Date,
}

impl Kind {
    fn from_sqlite(declared: &str) -> anyhow::Result<Self> {
        let t = declared.to_ascii_uppercase();
        Ok(match t.as_str() {
            "TEXT" => Self::Text,
            "INTEGER" | "BIGINT" | "INT" | "SMALLINT" => Self::Int64,
            "BOOLEAN" | "BOOL" => Self::Bool,
            "DOUBLE PRECISION" | "DOUBLE" | "REAL" | "FLOAT" => Self::Real,
            "TIMESTAMP" | "DATETIME" => Self::Timestamp,
            "DATE" => Self::Date,
            _ => bail!("неизвестный тип столбца SQLite {declared} / unknown SQLite column type"),
        })
    }

    fn from_postgres(data_type: &str) -> anyhow::Result<Self> {
        Ok(match data_type {
            "text" | "character varying" | "character" => Self::Text,
            "integer" | "smallint" => Self::Int32,
            "bigint" => Self::Int64,
            "boolean" => Self::Bool,
            "double precision" | "real" => Self::Real,
            "timestamp without time zone" => Self::Timestamp,
            "date" => Self::Date,
            _ => bail!(
                "неизвестный тип столбца PostgreSQL {data_type} / unknown PostgreSQL column type"
            ),
        })
    }
}

/// One value, the same whichever backend it came from.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Real(f64),
    Timestamp(NaiveDateTime),
    Date(NaiveDate),
}

impl Cell {
    /// A value of the row JSON, read as a column of `kind`.
    fn from_json(value: serde_json::Value, kind: Kind) -> anyhow::Result<Self> {
        use serde_json::Value as V;
        Ok(match (value, kind) {
            (V::Null, _) => Self::Null,
            (V::String(s), Kind::Text) => Self::Text(s),
            (V::Number(n), Kind::Text) => Self::Text(n.to_string()),
            (V::Number(n), Kind::Int32 | Kind::Int64) => Self::Int(
                n.as_i64()
                    .with_context(|| format!("не целое число {n} / not an integer"))?,
            ),
            (V::String(s), Kind::Int32 | Kind::Int64) => Self::Int(s.parse()?),
            (V::Bool(b), Kind::Bool) => Self::Bool(b),
            (V::Number(n), Kind::Bool) => Self::Bool(n.as_i64() != Some(0)),
            (V::String(s), Kind::Real) => Self::Real(parse_real(&s)?),
            (V::Number(n), Kind::Real) => Self::Real(parse_real(&n.to_string())?),
            (V::String(s), Kind::Timestamp) => Self::Timestamp(parse_timestamp(&s)?),
            (V::String(s), Kind::Date) => Self::Date(
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .with_context(|| format!("не дата {s:?} / not a date"))?,
            ),
            (other, kind) => {
                bail!("значение {other} не подходит к типу {kind:?} / value does not fit")
            }
        })
    }

    /// The bytes hashed for the checksum: a tag and the value, unambiguous.
    fn digest_into(&self, hash: &mut Sha256) {
        match self {
            Self::Null => hash.update(b"N"),
            Self::Text(s) => {
                hash.update(b"S");
                hash.update((s.len() as u64).to_le_bytes());
                hash.update(s.as_bytes());
            }
            Self::Int(i) => {
                hash.update(b"I");
                hash.update(i.to_le_bytes());
            }
            Self::Bool(b) => hash.update(if *b { b"B1" } else { b"B0" }),
            Self::Real(r) => {
                hash.update(b"R");
                hash.update(r.to_bits().to_le_bytes());
            }
            Self::Timestamp(t) => {
                hash.update(b"T");
                hash.update(t.and_utc().timestamp_micros().to_le_bytes());
            }
            Self::Date(d) => {
                hash.update(b"D");
                hash.update((d.signed_duration_since(NaiveDate::MIN).num_days()).to_le_bytes());
            }
        }
    }
}

fn parse_real(text: &str) -> anyhow::Result<f64> {
    let t = text.trim();
    match t {
        "Inf" | "Infinity" | "inf" => Ok(f64::INFINITY),
        "-Inf" | "-Infinity" | "-inf" => Ok(f64::NEG_INFINITY),
        _ => t
            .parse()
            .with_context(|| format!("не число {text:?} / not a number")),
    }
}

/// Timestamps as either backend prints them (`2026-11-25 09:30:00.123456789`,
/// `2026-11-25T09:30:00.123456`), cut to whole microseconds (what PostgreSQL keeps).
fn parse_timestamp(text: &str) -> anyhow::Result<NaiveDateTime> {
    let normalised = text.replacen('T', " ", 1);
    let at = NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M"))
        .with_context(|| format!("не метка времени {text:?} / not a timestamp"))?;
    let micros = at.nanosecond() / 1000 * 1000;
    at.with_nanosecond(micros)
        .with_context(|| format!("не метка времени {text:?} / not a timestamp"))
}

/// A column of a table on one side.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
}

/// A table's shape on one side: columns in the source's order, primary-key positions.
#[derive(Debug, Clone)]
struct Shape {
    columns: Vec<Column>,
    key: Vec<usize>,
}

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

/// A connection of either backend, with the SQL dialect differences in one place.
enum Side {
    Pg(PgConnection),
    Lite(SqliteConnection),
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    j: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    decl: String,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    decl: String,
}

#[derive(QueryableByName)]
struct MaybeName {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Binds `cells` (as columns of `kinds`) to a boxed raw query of any backend.
macro_rules! bind_all {
    ($query:expr, $cells:expr, $kinds:expr) => {{
        let mut q = $query;
        for (cell, kind) in $cells.iter().zip($kinds.iter()) {
            q = match (kind, cell) {
                (_, Cell::Null) => match kind {
                    Kind::Text => q.bind::<Nullable<Text>, Option<String>>(None),
                    Kind::Int32 => q.bind::<Nullable<Integer>, Option<i32>>(None),
                    Kind::Int64 => q.bind::<Nullable<BigInt>, Option<i64>>(None),
                    Kind::Bool => q.bind::<Nullable<Bool>, Option<bool>>(None),
                    Kind::Real => q.bind::<Nullable<Double>, Option<f64>>(None),
                    Kind::Timestamp => q.bind::<Nullable<Timestamp>, Option<NaiveDateTime>>(None),
                    Kind::Date => q.bind::<Nullable<Date>, Option<NaiveDate>>(None),
                },
                (Kind::Text, Cell::Text(s)) => q.bind::<Text, _>(s.clone()),
                (Kind::Int32, Cell::Int(i)) => q.bind::<Integer, _>(
                    i32::try_from(*i).context("число не помещается в INTEGER / out of range")?,
                ),
                (Kind::Int64, Cell::Int(i)) => q.bind::<BigInt, _>(*i),
                (Kind::Bool, Cell::Bool(b)) => q.bind::<Bool, _>(*b),
                (Kind::Real, Cell::Real(r)) => q.bind::<Double, _>(*r),
                (Kind::Timestamp, Cell::Timestamp(t)) => q.bind::<Timestamp, _>(*t),
                (Kind::Date, Cell::Date(d)) => q.bind::<Date, _>(*d),
                (kind, cell) => {
                    bail!("значение {cell:?} не подходит к типу {kind:?} / value does not fit")
                }
            };
        }
        q
    }};
}

impl Side {
    fn open(url: &str) -> anyhow::Result<Self> {
        Ok(match Backend::of(url) {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(url)
                    .with_context(|| "PostgreSQL недоступен / PostgreSQL is not reachable")?;
                // Doubles print with the shortest text that reads back exactly.
                conn.batch_execute("SET extra_float_digits = 1")?;
                Self::Pg(conn)
            }
            Backend::Sqlite => {
                let path = db::sqlite_path(url);
                let mut conn = SqliteConnection::establish(path)
                    .with_context(|| format!("не удалось открыть {path} / cannot open"))?;
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )?;
                Self::Lite(conn)
            }
        })
    }

    fn backend(&self) -> Backend {
        match self {
            Self::Pg(_) => Backend::Postgres,
            Self::Lite(_) => Backend::Sqlite,
        }
    }

    fn migrate(&mut self) -> anyhow::Result<usize> {
        use diesel_migrations::MigrationHarness;
        let applied = match self {
            Self::Pg(c) => c
                .run_pending_migrations(db::POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
            Self::Lite(c) => c
                .run_pending_migrations(db::SQLITE_MIGRATIONS)
                .map(|v| v.len()),
        };
        applied.map_err(|e| anyhow::anyhow!("миграция не применилась / migration failed: {e}"))
    }

    fn is_migrated(&mut self) -> anyhow::Result<bool> {
        use diesel_migrations::MigrationHarness;
        let pending = match self {
            Self::Pg(c) => c.has_pending_migration(db::POSTGRES_MIGRATIONS),
            Self::Lite(c) => c.has_pending_migration(db::SQLITE_MIGRATIONS),
        };
        pending.map(|p| !p).map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn execute(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Pg(c) => c.batch_execute(sql)?,
            Self::Lite(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Tables of the application (not diesel's migrations table).
    fn tables(&mut self) -> anyhow::Result<Vec<String>> {
        let q = match self {
            Self::Pg(_) => {
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '__diesel_schema_migrations'"
            }
            Self::Lite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
            }
        };
        let rows: Vec<Name> = match self {
            Self::Pg(c) => diesel::sql_query(q).load(c)?,
            Self::Lite(c) => diesel::sql_query(q).load(c)?,
        };
        let mut names: Vec<String> = rows.into_iter().map(|r| r.name).collect();
        names.sort();
        Ok(names)
    }

    fn count(&mut self, table: &str) -> anyhow::Result<u64> {
        let q = format!("SELECT COUNT(*) AS n FROM {}", quote(table));
        let rows: Vec<Count> = match self {
            Self::Pg(c) => diesel::sql_query(q).load(c)?,
            Self::Lite(c) => diesel::sql_query(q).load(c)?,
        };
        Ok(rows.first().map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
    }

    fn shape(&mut self, table: &str) -> anyhow::Result<Shape> {
        let (columns, key) = match self {
            Self::Lite(c) => {
                let rows: Vec<SqliteColumn> = diesel::sql_query(
                    "SELECT name, type AS decl, pk FROM pragma_table_info(?) ORDER BY cid",
                )
                .bind::<Text, _>(table)
                .load(c)?;
                let mut key: Vec<(i32, usize)> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.pk > 0)
                    .map(|(i, r)| (r.pk, i))
                    .collect();
                key.sort_unstable();
                let columns = rows
                    .iter()
                    .map(|r| {
                        Ok(Column {
                            name: r.name.clone(),
                            kind: Kind::from_sqlite(&r.decl)?,
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                (columns, key.into_iter().map(|(_, i)| i).collect::<Vec<_>>())
            }
            Self::Pg(c) => {
                let rows: Vec<PgColumn> = diesel::sql_query(
                    "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS decl \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind::<Text, _>(table)
                .load(c)?;
                let key_names: Vec<Name> = diesel::sql_query(
                    "SELECT CAST(k.column_name AS TEXT) AS name \
                     FROM information_schema.table_constraints t \
                     JOIN information_schema.key_column_usage k \
                       ON k.constraint_name = t.constraint_name \
                      AND k.constraint_schema = t.constraint_schema \
                      AND k.table_name = t.table_name \
                     WHERE t.table_schema = current_schema() AND t.table_name = $1 \
                       AND t.constraint_type = 'PRIMARY KEY' \
                     ORDER BY k.ordinal_position",
                )
                .bind::<Text, _>(table)
                .load(c)?;
                let columns = rows
                    .iter()
                    .map(|r| {
                        Ok(Column {
                            name: r.name.clone(),
                            kind: Kind::from_postgres(&r.decl)?,
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let key = key_names
                    .iter()
                    .filter_map(|k| columns.iter().position(|c| c.name == k.name))
                    .collect();
                (columns, key)
            }
        };
        if columns.is_empty() {
            bail!("таблицы {table} нет / table {table} does not exist");
        }
        if key.is_empty() {
            bail!("у таблицы {table} нет первичного ключа / table {table} has no primary key");
        }
        Ok(Shape { columns, key })
    }

    /// One column as it goes into the row JSON.
    fn select_expr(&self, column: &Column) -> String {
        let q = quote(&column.name);
        match (self, column.kind) {
            // Doubles as text: PostgreSQL prints the shortest exact form, SQLite 17 digits.
            (Self::Pg(_), Kind::Real) => format!("CAST({q} AS TEXT)"),
            (Self::Lite(_), Kind::Real) => {
                format!("CASE WHEN {q} IS NULL THEN NULL ELSE printf('%!.17g', {q}) END")
            }
            _ => q,
        }
    }

    /// A key column in ORDER BY and comparisons: byte order for text on both sides.
    fn key_expr(&self, column: &Column) -> String {
        let q = quote(&column.name);
        match (self, column.kind) {
            (Self::Pg(_), Kind::Text) => format!("{q} COLLATE \"C\""),
            _ => q,
        }
    }

    fn placeholder(&self, n: usize) -> String {
        match self {
            Self::Pg(_) => format!("${n}"),
            Self::Lite(_) => "?".to_owned(),
        }
    }

    /// A page of rows (by primary key, after `after` when given), in `columns` order.
    fn page(
        &mut self,
        table: &str,
        shape: &Shape,
        after: Option<&[Cell]>,
    ) -> anyhow::Result<Vec<Vec<Cell>>> {
        let list = shape
            .columns
            .iter()
            .map(|c| self.select_expr(c))
            .collect::<Vec<_>>()
            .join(", ");
        let keys: Vec<String> = shape
            .key
            .iter()
            .map(|&i| self.key_expr(&shape.columns[i]))
            .collect();
        let array = match self {
            Self::Pg(_) => format!("CAST(json_build_array({list}) AS TEXT)"),
            Self::Lite(_) => format!("json_array({list})"),
        };
        let mut sql = format!("SELECT {array} AS j FROM {}", quote(table));
        if after.is_some() {
            let marks: Vec<String> = (1..=keys.len()).map(|n| self.placeholder(n)).collect();
            let _ = write!(sql, " WHERE ({}) > ({})", keys.join(", "), marks.join(", "));
        }
        let _ = write!(sql, " ORDER BY {} LIMIT {READ_BATCH}", keys.join(", "));
        let key_kinds: Vec<Kind> = shape.key.iter().map(|&i| shape.columns[i].kind).collect();
        let key_cells: Vec<Cell> = after.map(<[Cell]>::to_vec).unwrap_or_default();
        let rows: Vec<JsonRow> = match self {
            Self::Pg(c) => {
                let q: BoxedSqlQuery<'_, diesel::pg::Pg, SqlQuery> =
                    diesel::sql_query(sql).into_boxed();
                bind_all!(q, key_cells, key_kinds).load(c)?
            }
            Self::Lite(c) => {
                let q: BoxedSqlQuery<'_, diesel::sqlite::Sqlite, SqlQuery> =
                    diesel::sql_query(sql).into_boxed();
                bind_all!(q, key_cells, key_kinds).load(c)?
            }
        };
        rows.into_iter()
            .map(|row| {
                let values: Vec<serde_json::Value> = serde_json::from_str(&row.j)
                    .with_context(|| format!("{table}: строка не читается / unreadable row"))?;
                if values.len() != shape.columns.len() {
                    bail!("{table}: неверное число столбцов / wrong column count");
                }
                values
                    .into_iter()
                    .zip(&shape.columns)
                    .map(|(v, c)| {
                        Cell::from_json(v, c.kind).with_context(|| format!("{table}.{}", c.name))
                    })
                    .collect()
            })
            .collect()
    }

    /// Inserts rows (cells in `columns` order) with multi-row `INSERT`s.
    fn insert(
        &mut self,
        table: &str,
        columns: &[Column],
        rows: &[Vec<Cell>],
    ) -> anyhow::Result<()> {
        let per_insert = (MAX_BINDS / columns.len().max(1)).max(1);
        let names = columns
            .iter()
            .map(|c| quote(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
        for chunk in rows.chunks(per_insert) {
            let mut sql = format!("INSERT INTO {} ({names}) VALUES ", quote(table));
            let mut n = 0;
            for (r, _) in chunk.iter().enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..columns.len() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    sql.push_str(&self.placeholder(n));
                }
                sql.push(')');
            }
            let all_kinds: Vec<Kind> = chunk.iter().flat_map(|_| kinds.iter().copied()).collect();
            let all_cells: Vec<Cell> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
            match self {
                Self::Pg(c) => {
                    let q: BoxedSqlQuery<'_, diesel::pg::Pg, SqlQuery> =
                        diesel::sql_query(sql).into_boxed();
                    bind_all!(q, all_cells, all_kinds).execute(c)?;
                }
                Self::Lite(c) => {
                    let q: BoxedSqlQuery<'_, diesel::sqlite::Sqlite, SqlQuery> =
                        diesel::sql_query(sql).into_boxed();
                    bind_all!(q, all_cells, all_kinds).execute(c)?;
                }
            }
        }
        Ok(())
    }

    /// Moves every sequence owned by an integer column past the column's maximum.
    fn reset_sequences(&mut self, table: &str, shape: &Shape) -> anyhow::Result<usize> {
        let Self::Pg(c) = self else { return Ok(0) };
        let mut reset = 0;
        for column in shape
            .columns
            .iter()
            .filter(|c| matches!(c.kind, Kind::Int32 | Kind::Int64))
        {
            let seq: Vec<MaybeName> =
                diesel::sql_query("SELECT pg_get_serial_sequence($1, $2) AS name")
                    .bind::<Text, _>(quote(table))
                    .bind::<Text, _>(&column.name)
                    .load(c)?;
            if let Some(Some(seq)) = seq.into_iter().next().map(|r| r.name) {
                let col = quote(&column.name);
                diesel::sql_query(format!(
                    "SELECT setval($1, COALESCE((SELECT MAX({col}) FROM {}), 0) + 1, false)",
                    quote(table)
                ))
                .bind::<Text, _>(seq)
                .execute(c)?;
                reset += 1;
            }
        }
        Ok(reset)
    }

    /// Count and checksum of a whole table, read in primary-key order.
    fn sum(&mut self, table: &str, shape: &Shape) -> anyhow::Result<TableSum> {
        let mut hash = Sha256::new();
        let mut rows = 0u64;
        let mut after: Option<Vec<Cell>> = None;
        loop {
            let page = self.page(table, shape, after.as_deref())?;
            for row in &page {
                for cell in row {
                    cell.digest_into(&mut hash);
                }
                rows += 1;
            }
            if page.len() < READ_BATCH {
                break;
            }
            after = page
                .last()
                .map(|r| shape.key.iter().map(|&i| r[i].clone()).collect());
        }
        Ok(TableSum {
            rows,
            checksum: hex::encode(hash.finalize()),
        })
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
    let found = side.tables()?;
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
        with_transaction(&mut target, |target| {
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
                sequences_reset += target.reset_sequences(table, &target_shape)?;
                progress(&format!("{table}: скопировано строк {rows}"));
                tables.push(TableReport {
                    table: (*table).to_owned(),
                    source: TableSum {
                        rows,
                        checksum: hex::encode(hash.finalize()),
                    },
                    target: TableSum {
                        rows: 0,
                        checksum: String::new(),
                    },
                });
            }
            for report in &mut tables {
                let shape = target.shape(&report.table)?;
                let source_shape = source.shape(&report.table)?;
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
        })
    })
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

/// `api db copy --from URL --to URL`.
///
/// # Errors
/// Bad arguments or a failed copy (see [`copy`]).
pub fn cli(args: &[&str]) -> anyhow::Result<()> {
    let mut from = None;
    let mut to = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--from" => from = rest.next().copied(),
            "--to" => to = rest.next().copied(),
            other => bail!("неизвестный аргумент {other} / unknown argument"),
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        bail!("нужны --from URL и --to URL / --from URL and --to URL are required");
    };
    let report = copy(from, to, &mut |line| eprintln!("{line}"))?;
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
            .map(|t| {
                let shape = side.shape(t)?;
                Ok(((*t).to_owned(), side.sum(t, &shape)?))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
