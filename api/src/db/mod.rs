//! Storage: one diesel code base over SQLite (the embedded default) and PostgreSQL
//! (production, several instances). Diesel is blocking, so handlers reach the database only
//! through [`run`], which moves the work off the async executor and never holds a pooled
//! connection across an `.await`.

pub mod audit;
pub mod count;
pub mod literal_limit;
pub mod models;
pub mod schema;
pub mod seed;
pub mod writer;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

/// Migrations of each backend, embedded in the binary (mirrored folder names).
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to either backend; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL, chosen when the URL starts with `postgres://` or `postgresql://`.
    Postgresql(PgConnection),
    /// SQLite, any other URL (a file path, optionally prefixed with `sqlite://`).
    Sqlite(SqliteConnection),
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

impl Backend {
    /// Decides from the URL scheme; SQLite accepts any string, so it is the fallback.
    #[must_use]
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    /// Name for logs and metrics.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgresql",
            Self::Sqlite => "sqlite",
        }
    }
}

/// The SQLite file path of a URL (`sqlite://data/x.db`, `sqlite:data/x.db` or a bare path).
#[must_use]
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// r2d2 manager that picks the backend from the URL itself. (`MultiConnection::establish`
/// would try PostgreSQL first and quietly fall back to a SQLite file named like the URL when
/// PostgreSQL is down; choosing explicitly makes a dead PostgreSQL an error.)
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(AnyConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the single writer; NORMAL sync keeps every
                // committed transaction through a process crash; the busy timeout makes
                // concurrent writers wait instead of failing. The page cache is per
                // connection (SQLite's default 2 MiB × a pool of 16 = 32 MiB resident once
                // the database outgrows it); 1 MiB each, the OS page cache behind it holds
                // the file anyway (BENCHMARKS.md «Memory»).
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA cache_size = -1024;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection left inside a transaction (a panic mid-write) or with its transaction
    /// manager in error is dropped rather than handed to the next request.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

/// The connection pool shared by handlers and jobs.
pub type Pool = r2d2::Pool<Manager>;
/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens a pool; for SQLite creates the file's folder first.
///
/// # Errors
/// The database cannot be reached.
pub fn connect(url: &str, size: u32) -> anyhow::Result<Pool> {
    let backend = Backend::of(url);
    if backend == Backend::Sqlite {
        if let Some(dir) = std::path::Path::new(sqlite_path(url)).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    let pool = r2d2::Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Manager {
            url: url.to_owned(),
            backend,
        })
        .map_err(|e| anyhow::anyhow!("база данных {} недоступна: {e}", backend.name()))?;
    Ok(pool)
}

/// Applies pending migrations of the connection's backend; returns how many ran.
///
/// # Errors
/// A migration failed.
pub fn migrate(conn: &mut AnyConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| anyhow::anyhow!("миграция не применилась: {e}"))
}

/// True when every embedded migration is applied (for `/readyz`).
///
/// # Errors
/// The migrations table cannot be read.
pub fn is_migrated(conn: &mut AnyConnection) -> anyhow::Result<bool> {
    let pending = match conn {
        AnyConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    };
    pending.map(|p| !p).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The database as handlers and jobs use it: reads run as they are on pooled connections;
/// writes run in a transaction. On SQLite every write goes through one writer
/// ([`writer`]): SQLite allows a single writer anyway, and the writer commits the pending
/// requests' transactions together (group commit), each in its own savepoint. On PostgreSQL
/// writes run concurrently on pooled connections (MVCC; row locks order what conflicts).
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    writer: Arc<writer::Writer>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({})", self.backend.name())
    }
}

impl Db {
    /// Wraps a pool.
    #[must_use]
    pub fn new(pool: Pool, backend: Backend) -> Self {
        Self {
            writer: Arc::new(writer::Writer::new(pool.clone())),
            pool,
            backend,
        }
    }

    /// The pool itself (start-up, CLI, jobs that manage their own connections).
    #[must_use]
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Which backend this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs blocking read work with a pooled connection, off the async executor.
    ///
    /// # Errors
    /// The pool is exhausted or the database is down (503), or the closure's own error.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let work = count::wrap(work, false);
        tokio::task::spawn_blocking(move || {
            let mut conn = checkout(&pool)?;
            work(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs blocking write work in one transaction (rolled back on error). On SQLite the
    /// work is queued to the writer thread and committed with the other pending writes; the
    /// answer comes only once the commit is done.
    ///
    /// # Errors
    /// As [`Db::read`]; on SQLite also the batch's commit failure.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let work = count::wrap(work, true);
        match self.backend {
            Backend::Sqlite => {
                let (reply, answer) = tokio::sync::oneshot::channel();
                self.writer
                    .submit(Box::new(writer::Pending::new(work, reply)));
                answer.await.map_err(|_| {
                    ApiError::internal(anyhow::anyhow!("the database writer dropped a job"))
                })?
            }
            Backend::Postgres => {
                let db = self.clone();
                tokio::task::spawn_blocking(move || db.write_blocking(work))
                    .await
                    .map_err(ApiError::internal)?
            }
        }
    }

    /// [`Db::write`] for code already on a blocking thread (CLI, jobs); the closure may
    /// borrow. On SQLite it takes the writer's connection between two batches and runs its
    /// own `BEGIN IMMEDIATE` transaction.
    ///
    /// # Errors
    /// As [`Db::read`].
    pub fn write_blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
    {
        match self.backend {
            Backend::Sqlite => self.writer.write_blocking(work),
            Backend::Postgres => {
                let mut conn = checkout(&self.pool)?;
                let conn: &mut AnyConnection = &mut conn;
                conn.transaction(work)
            }
        }
    }
}

fn checkout(pool: &Pool) -> Result<PooledConn, ApiError> {
    pool.get().map_err(|e| {
        tracing::warn!(error = %e, "no database connection");
        ApiError::Unavailable
    })
}

/// A new opaque id: UUIDv7 (time-ordered, so new rows append to indexes).
#[must_use]
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Now, as the naive UTC timestamp both backends store.
#[must_use]
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A stored naive UTC timestamp as RFC 3339 (`2026-11-25T09:30:00Z`).
#[must_use]
pub fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The user's regions (operators, heads, integrators).
///
/// # Errors
/// A database failure.
pub fn user_regions(conn: &mut AnyConnection, user_id: &str) -> diesel::QueryResult<Vec<String>> {
    use diesel::prelude::*;
    schema::user_regions::table
        .filter(schema::user_regions::user_id.eq(user_id))
        .select(schema::user_regions::region_code)
        .order(schema::user_regions::region_code.asc())
        .load(conn)
}

/// Replaces the user's regions.
///
/// # Errors
/// A database failure (e.g. an unknown region code violates the foreign key).
pub fn set_user_regions(
    conn: &mut AnyConnection,
    user_id: &str,
    regions: &[String],
) -> diesel::QueryResult<()> {
    use diesel::prelude::*;
    use schema::user_regions as ur;
    diesel::delete(ur::table.filter(ur::user_id.eq(user_id))).execute(conn)?;
    for code in regions {
        diesel::insert_into(ur::table)
            .values((ur::user_id.eq(user_id), ur::region_code.eq(code)))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use shared::appeals::AppealStatus;
    use shared::users::Role;

    use super::AnyConnection;

    diesel::table! {
        typed (id) {
            id -> Integer,
            status -> Text,
            role -> Nullable<Text>,
        }
    }

    /// The shared enums bind and load through the multi-backend connection the api uses,
    /// not only through a concrete backend.
    #[test]
    fn shared_enums_travel_through_any_connection() {
        let mut conn = AnyConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute(
            "CREATE TABLE typed (id INTEGER PRIMARY KEY, status TEXT NOT NULL, role TEXT)",
        )
        .unwrap();
        diesel::insert_into(typed::table)
            .values((
                typed::id.eq(1),
                typed::status.eq(AppealStatus::AnsweredByBot),
                typed::role.eq(None::<Role>),
            ))
            .execute(&mut conn)
            .unwrap();
        let row: (AppealStatus, Option<Role>) = typed::table
            .filter(typed::status.eq(AppealStatus::AnsweredByBot))
            .select((typed::status, typed::role))
            .first(&mut conn)
            .unwrap();
        assert_eq!(row, (AppealStatus::AnsweredByBot, None));
    }
}
