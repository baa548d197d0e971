//! Group commit for SQLite: one writer thread runs the write transactions of every request.
//!
//! SQLite has a single writer per database anyway. Instead of each request taking turns on a
//! pooled connection with its own `BEGIN … COMMIT`, [`Db::write`](super::Db::write) hands its
//! closure to the writer thread and awaits the answer. The thread takes every pending job (up
//! to [`MAX_BATCH`]), opens ONE `BEGIN IMMEDIATE`, runs each job inside its own savepoint
//! (diesel nests `transaction` as savepoints), then commits once and only then answers every
//! job. So:
//!
//! - a job that fails rolls back to its savepoint alone and gets its own error; the others
//!   of the batch commit;
//! - no answer leaves before its data is committed (a reader on another connection sees the
//!   rows as soon as the caller has the answer);
//! - when `BEGIN` or `COMMIT` itself fails, nothing of the batch is stored and every job that
//!   succeeded gets that error (a failed job keeps its own). Jobs are not retried alone: a
//!   closure runs once (it may have sent nothing, but it is `FnOnce`), and a commit fails for
//!   reasons (disk full, I/O) that a retry would meet again;
//! - each request's work stays atomic with its outbox rows and idempotency record: they are
//!   written by the same closure, inside the same savepoint.
//!
//! [`Db::write_blocking`](super::Db::write_blocking) (CLI, jobs, closures that borrow) takes
//! the same write connection under the same lock and runs one `BEGIN IMMEDIATE` transaction
//! on the caller's thread, so in one process there is still a single writer.
//!
//! The write connection comes from the pool and is kept while jobs keep coming; it goes back
//! when the queue is empty, so a pool of one connection (the CLI) still works for reads
//! between writes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::R2D2Connection;
use diesel::{Connection, QueryResult};

use super::{checkout, AnyConnection, Pool, PooledConn};
use crate::error::ApiError;

/// The most jobs one commit covers. Bounded so that one commit's latency stays short and the
/// first job of a long queue does not wait for the whole queue to run.
pub const MAX_BATCH: usize = 64;

/// Why a whole batch failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// No connection could be had (503, as a pool timeout is elsewhere).
    Unavailable,
    /// `BEGIN IMMEDIATE` or `COMMIT` failed: nothing of the batch is stored.
    Transaction(String),
}

impl Failure {
    fn error(&self) -> ApiError {
        match self {
            Self::Unavailable => ApiError::Unavailable,
            Self::Transaction(e) => {
                ApiError::internal(anyhow::anyhow!("the group commit failed: {e}"))
            }
        }
    }
}

/// One request's write work, type-erased so that jobs of any result type share a queue.
pub(super) trait Job: Send {
    /// Runs the work inside a savepoint of the open transaction and keeps its outcome.
    fn run(&mut self, conn: &mut AnyConnection);
    /// Answers the caller: the kept outcome once committed, or the batch's failure.
    fn finish(self: Box<Self>, failure: Option<&Failure>);
}

/// A job whose caller awaits a `T` on a oneshot.
pub(super) struct Pending<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, ApiError>>,
    reply: tokio::sync::oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> Pending<T, F> {
    /// A job for `work`, answered on `reply`.
    pub(super) fn new(work: F, reply: tokio::sync::oneshot::Sender<Result<T, ApiError>>) -> Self {
        Self {
            work: Some(work),
            outcome: None,
            reply,
        }
    }
}

impl<T, F> Job for Pending<T, F>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send,
    T: Send,
{
    fn run(&mut self, conn: &mut AnyConnection) {
        if let Some(work) = self.work.take() {
            self.outcome = Some(conn.transaction(|conn| {
                // A panicking job must not take the writer thread (and every queued caller)
                // down: it becomes this job's error and its savepoint rolls back.
                catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
                    Err(ApiError::internal(anyhow::anyhow!("a write job panicked")))
                })
            }));
        }
    }

    fn finish(self: Box<Self>, failure: Option<&Failure>) {
        let answer = match (self.outcome, failure) {
            // Its own error: nothing of it was to be stored anyway.
            (Some(Err(e)), _) => Err(e),
            (_, Some(failure)) => Err(failure.error()),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(ApiError::internal(anyhow::anyhow!(
                "a write job was answered without running"
            ))),
        };
        // The caller may have gone away (a dropped request): nobody to tell.
        let _ = self.reply.send(answer);
    }
}

/// The SQLite writer: the queue to its thread and the write connection's lock.
pub(super) struct Writer {
    pool: Pool,
    /// The write connection while in use; the lock is the process's single write turn.
    conn: Arc<Mutex<Option<PooledConn>>>,
    /// The queue; the thread starts with the first job and ends when this sender is dropped.
    jobs: Mutex<Option<Sender<Box<dyn Job>>>>,
}

impl Writer {
    /// A writer over `pool` (its thread starts with the first job).
    pub(super) fn new(pool: Pool) -> Self {
        Self {
            pool,
            conn: Arc::new(Mutex::new(None)),
            jobs: Mutex::new(None),
        }
    }

    /// Queues a job; if the writer cannot run it, answers it at once with 503.
    pub(super) fn submit(&self, job: Box<dyn Job>) {
        let mut jobs = lock(&self.jobs);
        if jobs.is_none() {
            match self.start() {
                Ok(sender) => *jobs = Some(sender),
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the database writer");
                    job.finish(Some(&Failure::Unavailable));
                    return;
                }
            }
        }
        let Some(sender) = jobs.as_ref() else {
            return job.finish(Some(&Failure::Unavailable));
        };
        if let Err(mpsc::SendError(job)) = sender.send(job) {
            // The thread is gone (it only ends this way by a bug): the next job starts a new one.
            tracing::error!("the database writer stopped");
            *jobs = None;
            job.finish(Some(&Failure::Unavailable));
        }
    }

    fn start(&self) -> std::io::Result<Sender<Box<dyn Job>>> {
        let (sender, receiver) = mpsc::channel();
        let pool = self.pool.clone();
        let conn = Arc::clone(&self.conn);
        std::thread::Builder::new()
            .name("db-writer".to_owned())
            .spawn(move || run(&pool, &conn, &receiver))?;
        Ok(sender)
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on the write connection, on the
    /// caller's thread, between the writer thread's batches.
    pub(super) fn write_blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
    {
        let mut slot = lock(&self.conn);
        let conn = match slot.take() {
            Some(conn) => conn,
            None => checkout(&self.pool)?,
        };
        let mut conn = conn;
        let result = immediate(&mut conn, work);
        // Handed back to the pool (a broken one is dropped there): the writer thread checks
        // one out again when it needs it.
        drop(conn);
        *slot = None;
        result
    }
}

/// The writer thread: batch after batch until every [`Writer`] handle is gone.
fn run(pool: &Pool, slot: &Mutex<Option<PooledConn>>, jobs: &Receiver<Box<dyn Job>>) {
    let mut next: Option<Box<dyn Job>> = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(mpsc::RecvError) => return,
            },
        };
        let mut conn_slot = lock(slot);
        // Jobs that arrived while this thread waited for the lock join the batch.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = match conn_slot.take() {
            Some(conn) => conn,
            None => match checkout(pool) {
                Ok(conn) => conn,
                Err(_) => {
                    for job in batch {
                        job.finish(Some(&Failure::Unavailable));
                    }
                    continue;
                }
            },
        };
        commit_batch(&mut conn, batch);
        next = jobs.try_recv().ok();
        // Kept while busy; back to the pool when idle or broken (the pool drops a broken one).
        if next.is_some() && !conn.is_broken() {
            *conn_slot = Some(conn);
        }
    }
}

/// One transaction for the whole batch, one savepoint per job, answers after the commit.
fn commit_batch(conn: &mut AnyConnection, mut batch: Vec<Box<dyn Job>>) {
    let failure = match begin_immediate(conn) {
        Err(e) => Some(Failure::Transaction(e.to_string())),
        Ok(()) => {
            for job in &mut batch {
                job.run(conn);
            }
            // On a failed COMMIT diesel rolls the transaction back itself.
            <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn)
                .err()
                .map(|e| Failure::Transaction(e.to_string()))
        }
    };
    if let Some(failure) = &failure {
        tracing::error!(error = ?failure, jobs = batch.len(), "a write batch was not stored");
    }
    for job in batch {
        job.finish(failure.as_ref());
    }
}

/// `BEGIN IMMEDIATE` on SQLite: the write lock is taken at once, so a transaction that reads
/// before it writes never fails upgrading its lock against another process's writer (it waits
/// the busy timeout at `BEGIN` instead). Plain `BEGIN` elsewhere.
fn begin_immediate(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(_) => {
            <AnyConnection as TransactionManager<AnyConnection>>::begin_transaction(conn)
        }
    }
}

/// `work` in one `BEGIN IMMEDIATE` transaction, rolled back on error.
fn immediate<T, F>(conn: &mut AnyConnection, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    type Manager = AnyConnection;
    begin_immediate(conn)?;
    match work(conn) {
        Ok(value) => {
            <Manager as TransactionManager<AnyConnection>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // A failed rollback leaves the connection broken; the pool drops it.
            if let Err(rollback) =
                <Manager as TransactionManager<AnyConnection>>::rollback_transaction(conn)
            {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// A poisoned lock only means another writer panicked; the data is in SQLite.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
