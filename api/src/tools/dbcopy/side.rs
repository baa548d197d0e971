//! A connection to one side of a copy (PostgreSQL or SQLite), with the differences of
//! the two SQL dialects in one place: listing tables and columns, reading a page of rows
//! as JSON arrays, multi-row `INSERT`s, checksums and sequences.

use std::fmt::Write as _;

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, SqliteConnection};
use sha2::{Digest, Sha256};

use super::cell::{Cell, Column, Kind, Shape};
use super::{TableSum, MAX_BINDS, READ_BATCH};
use crate::db::{self, Backend};

/// A connection of either backend, with the SQL dialect differences in one place.
pub(super) enum Side {
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

pub(super) fn quote(ident: &str) -> String {
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
    pub(super) fn open(url: &str) -> anyhow::Result<Self> {
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

    pub(super) fn backend(&self) -> Backend {
        match self {
            Self::Pg(_) => Backend::Postgres,
            Self::Lite(_) => Backend::Sqlite,
        }
    }

    pub(super) fn migrate(&mut self) -> anyhow::Result<usize> {
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

    pub(super) fn is_migrated(&mut self) -> anyhow::Result<bool> {
        use diesel_migrations::MigrationHarness;
        let pending = match self {
            Self::Pg(c) => c.has_pending_migration(db::POSTGRES_MIGRATIONS),
            Self::Lite(c) => c.has_pending_migration(db::SQLITE_MIGRATIONS),
        };
        pending.map(|p| !p).map_err(|e| anyhow::anyhow!("{e}"))
    }

    pub(super) fn execute(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Pg(c) => c.batch_execute(sql)?,
            Self::Lite(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Tables of the application (not diesel's migrations table).
    pub(super) fn tables(&mut self) -> anyhow::Result<Vec<String>> {
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

    pub(super) fn count(&mut self, table: &str) -> anyhow::Result<u64> {
        let q = format!("SELECT COUNT(*) AS n FROM {}", quote(table));
        let rows: Vec<Count> = match self {
            Self::Pg(c) => diesel::sql_query(q).load(c)?,
            Self::Lite(c) => diesel::sql_query(q).load(c)?,
        };
        Ok(rows.first().map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
    }

    pub(super) fn shape(&mut self, table: &str) -> anyhow::Result<Shape> {
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
    pub(super) fn page(
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
    pub(super) fn insert(
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
    pub(super) fn reset_sequences(&mut self, table: &str, shape: &Shape) -> anyhow::Result<usize> {
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
    pub(super) fn sum(&mut self, table: &str, shape: &Shape) -> anyhow::Result<TableSum> {
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
