//! How many SQL statements and write transactions one HTTP request costs (issue #20): a
//! debugging aid the tests assert on (`X-Db-Queries` when `DB_QUERY_COUNT_HEADER` is on).
//!
//! The request's [`QueryCount`] travels in a task-local while its handler runs; [`wrap`]
//! picks it up when `Db::read` / `Db::write` are called (still on the request's task) and
//! carries it into the closure, on whatever thread runs it, where a diesel
//! [`Instrumentation`] counts the statements the closure sends. Without a counter (the
//! default, and every background job) [`wrap`] only calls the closure.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;

use super::AnyConnection;

/// The counts of one request.
#[derive(Debug, Default)]
pub struct QueryCount {
    queries: AtomicU32,
    caller_queries: AtomicU32,
    writes: AtomicU32,
}

impl QueryCount {
    /// Statements sent for the request itself (the caller's lookup not included).
    #[must_use]
    pub fn queries(&self) -> u32 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Statements sent to find out who the caller is.
    #[must_use]
    pub fn caller_queries(&self) -> u32 {
        self.caller_queries.load(Ordering::Relaxed)
    }

    /// Write transactions (`Db::write` closures) of the request.
    #[must_use]
    pub fn writes(&self) -> u32 {
        self.writes.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static REQUEST: Arc<QueryCount>;
}

thread_local! {
    /// The counter of the closure running on this thread, if any.
    static CURRENT: RefCell<Option<Arc<QueryCount>>> = const { RefCell::new(None) };
    /// True while the caller's lookup runs on this thread.
    static LOOKUP: Cell<bool> = const { Cell::new(false) };
}

/// Runs `future` (a request's handling) with `count` as its counter.
pub async fn counting<F: Future>(count: Arc<QueryCount>, future: F) -> F::Output {
    REQUEST.scope(count, future).await
}

/// Marks the statements `work` sends as the caller's lookup (see
/// [`QueryCount::caller_queries`]).
pub fn caller_lookup<T>(work: impl FnOnce() -> T) -> T {
    let before = LOOKUP.with(|l| l.replace(true));
    let out = work();
    LOOKUP.with(|l| l.set(before));
    out
}

/// Wraps database work so that its statements are counted for the current request; `write`
/// counts one write transaction. Called at the async entry of `Db::read` / `Db::write`,
/// before the work is dispatched.
pub fn wrap<T, E, F>(work: F, write: bool) -> impl FnOnce(&mut AnyConnection) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    let count = REQUEST.try_with(Arc::clone).ok();
    move |conn| match count {
        None => work(conn),
        Some(count) => {
            if write {
                count.writes.fetch_add(1, Ordering::Relaxed);
            }
            // A zero-sized instrumentation: no allocation; it stays on the pooled
            // connection and counts nothing once no counter is set on the thread.
            conn.set_instrumentation(Counting);
            let before = CURRENT.with(|c| c.replace(Some(count)));
            let out = work(conn);
            CURRENT.with(|c| c.replace(before));
            out
        }
    }
}

/// Counts the statements of the thread's current counter; transaction control
/// (`BEGIN`, `SAVEPOINT`…) is not a query.
struct Counting;

impl Instrumentation for Counting {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let InstrumentationEvent::StartQuery { query, .. } = event else {
            return;
        };
        CURRENT.with(|c| {
            let Some(count) = &*c.borrow() else {
                return;
            };
            let sql = query.to_string();
            let head: String = sql.trim_start().chars().take(9).collect();
            let head = head.to_ascii_uppercase();
            let control = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
                .iter()
                .any(|k| head.starts_with(k));
            if control {
                return;
            }
            if LOOKUP.with(Cell::get) {
                count.caller_queries.fetch_add(1, Ordering::Relaxed);
            } else {
                count.queries.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}
