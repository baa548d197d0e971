//! `api db backup FILE` and `api db restore FILE`: a SQLite deployment saved to one file
//! while the server keeps running, and a backup restored into an empty database.
//!
//! - **Backup** runs `VACUUM INTO` on the live database: SQLite writes the copy inside one
//!   read transaction, so it is a consistent snapshot even while the server writes (in WAL
//!   mode writers do not wait for it). The copy is then read back and every table's row
//!   count and checksum printed, computed by the code of `api db copy`
//!   ([`crate::tools::dbcopy::checksums`]). PostgreSQL deployments use `pg_dump`: the
//!   command refuses and says how.
//! - **Restore** is `api db copy` from the backup file into `DATABASE_URL` (SQLite or
//!   PostgreSQL), which must be empty: one transaction, every table compared after the copy.
//!
//! Attachments are files in `UPLOAD_DIR`, not rows: see the README ("Backups").

use std::fmt::Write as _;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::SqliteConnection;

use crate::config::Config;
use crate::db::{self, Backend};
use crate::tools::dbcopy::{self, Report, TableSum};

/// What PostgreSQL deployments do instead of `api db backup`.
pub const PG_DUMP_ADVICE: &str = "для PostgreSQL `api db backup` не нужен: используйте \
    `pg_dump --format=custom --file=FILE \"$DATABASE_URL\"` (согласованный снимок без \
    остановки сервера) и `pg_restore --dbname=URL FILE` в пустую базу; \
    `api db restore` восстанавливает файлы резервных копий SQLite";

/// Writes a consistent copy of the SQLite database at `database_url` to `file` (which must
/// not exist) and returns each table's row count and checksum, read from the copy.
///
/// # Errors
/// A PostgreSQL URL (see [`PG_DUMP_ADVICE`]), an existing `file`, or a SQLite failure.
pub fn backup(database_url: &str, file: &str) -> anyhow::Result<Vec<(String, TableSum)>> {
    if Backend::of(database_url) == Backend::Postgres {
        bail!("{PG_DUMP_ADVICE}");
    }
    let source = db::sqlite_path(database_url);
    if !std::path::Path::new(source).exists() {
        bail!("база {source} не найдена");
    }
    if std::path::Path::new(file).exists() {
        bail!("файл {file} уже есть: резервная копия пишется только в новый файл");
    }
    let mut conn = SqliteConnection::establish(source)
        .with_context(|| format!("не удалось открыть {source}"))?;
    // A writer holding the lock for a moment must not fail the backup.
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    diesel::sql_query(format!("VACUUM INTO {}", sql_literal(file)))
        .execute(&mut conn)
        .with_context(|| format!("не удалось записать резервную копию в {file}"))?;
    dbcopy::checksums(file).context("резервная копия не читается")
}

/// Restores the backup `file` into the empty database at `database_url`, verified table by
/// table.
///
/// # Errors
/// A missing file, a backup of another schema version, a non-empty target, or a mismatch
/// (rolled back).
pub fn restore(file: &str, database_url: &str) -> anyhow::Result<Report> {
    if !std::path::Path::new(file).is_file() {
        bail!("файл {file} не найден");
    }
    dbcopy::copy(file, database_url, &mut |line| eprintln!("{line}"))
}

/// A SQLite string literal (quotes doubled).
fn sql_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The per-table lines `api db backup` prints.
#[must_use]
pub fn sums_text(sums: &[(String, TableSum)]) -> String {
    let mut out = format!("{:<22} {:>10}  контрольная сумма\n", "таблица", "строк");
    for (table, sum) in sums {
        let _ = writeln!(
            out,
            "{table:<22} {:>10}  {}",
            sum.rows,
            &sum.checksum[..16.min(sum.checksum.len())]
        );
    }
    let rows: u64 = sums.iter().map(|(_, s)| s.rows).sum();
    let _ = writeln!(out, "всего строк: {rows}; таблиц: {}", sums.len());
    out
}

/// `api db backup FILE` on `DATABASE_URL`.
///
/// # Errors
/// As [`backup`].
pub fn run_backup(file: &str) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let sums = backup(&config.database_url, file)?;
    print!("{}", sums_text(&sums));
    eprintln!(
        "резервная копия записана в {file}; вложения (UPLOAD_DIR) копируются отдельно, \
         см. README"
    );
    Ok(())
}

/// `api db restore FILE` into `DATABASE_URL`.
///
/// # Errors
/// As [`restore`].
pub fn run_restore(file: &str) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let report = restore(file, &config.database_url)?;
    print!("{}", report.to_text());
    eprintln!("восстановление завершено и проверено");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sql_literal;

    #[test]
    fn file_names_are_quoted() {
        assert_eq!(sql_literal("/tmp/it's.db"), "'/tmp/it''s.db'");
    }
}
