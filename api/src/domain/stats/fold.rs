//! Folding the statistics deltas (migration `000022_stats_deltas`).
//!
//! The triggers append one `stats_deltas` row per change instead of updating the one
//! `stats_daily` row of a region and day, so concurrent creates in one region no longer
//! queue on that row's lock. [`fold`] moves a batch of deltas into `stats_daily_folded`:
//! their sums are added and the deltas deleted in the same transaction. Readers never wait
//! for it: they read the `stats_daily_parts` view (folded rows plus the unfolded tail) in one
//! statement, so a figure is the same before and after a fold.
//!
//! Safe with concurrent appends and with several instances folding at once:
//! - PostgreSQL: one instance folds at a time (a transaction-level advisory lock; the others
//!   skip the round), and the deltas summed are exactly the deltas deleted — one statement
//!   deletes the claimed rows (`FOR UPDATE SKIP LOCKED`) and adds what `DELETE … RETURNING`
//!   gave back. An id range would not do here: ids are drawn before commit, so a delta with
//!   a smaller id can become visible after a larger one was folded.
//! - SQLite: one writer at a time, so in the write transaction the ids up to the batch's last
//!   one are exactly the deltas that exist; they are summed and then deleted by that range.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::db::AnyConnection;

/// Deltas folded per transaction: short transactions, and a fold never holds the advisory
/// lock for long.
pub const BATCH: i64 = 5_000;

/// Key of the advisory lock that lets one PostgreSQL session fold at a time ("statfold").
const FOLD_LOCK: i64 = 0x7374_6174_666f_6c64;

/// The counters of a delta row, in the order of `stats_daily_folded`.
const COUNTERS: [&str; 17] = [
    "received",
    "answered",
    "answered_by_bot",
    "answered_by_operators",
    "answered_late",
    "self_served",
    "escalated",
    "ratings_count",
    "ratings_sum",
    "grades_count",
    "grades_points",
    "bot_ratings_count",
    "bot_ratings_sum",
    "operator_ratings_count",
    "operator_ratings_sum",
    "bot_clicks",
    "bot_helpful",
];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[derive(QueryableByName)]
struct Upto {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    id: Option<i64>,
}

/// `INSERT INTO stats_daily_folded … SELECT day, region_code, SUM(…) FROM {source} {filter}
/// GROUP BY … ON CONFLICT … DO UPDATE` adding the sums to the stored figures.
fn upsert_sums(source: &str, filter: &str) -> String {
    let columns = COUNTERS.join(", ");
    let sums: Vec<String> = COUNTERS.iter().map(|c| format!("SUM({c})")).collect();
    let add: Vec<String> = COUNTERS
        .iter()
        .map(|c| format!("{c} = stats_daily_folded.{c} + excluded.{c}"))
        .collect();
    // ORDER BY: two folds (only ever possible without the lock) would touch rows in key
    // order and could not deadlock.
    format!(
        "INSERT INTO stats_daily_folded (day, region_code, {columns}) \
         SELECT day, region_code, {} FROM {source} {filter} \
         GROUP BY day, region_code ORDER BY day, region_code \
         ON CONFLICT (day, region_code) DO UPDATE SET {}",
        sums.join(", "),
        add.join(", ")
    )
}

/// Folds at most `batch` of the oldest deltas into `stats_daily_folded`. Must run inside a
/// write transaction (`Db::write`). Returns how many deltas it folded: 0 when there is
/// nothing to fold or, on PostgreSQL, when another session is folding right now.
///
/// # Errors
/// Database errors.
pub fn fold(conn: &mut AnyConnection, batch: i64) -> QueryResult<usize> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            let locked: Locked =
                diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                    .bind::<BigInt, _>(FOLD_LOCK)
                    .get_result(pg)?;
            if !locked.locked {
                return Ok(0);
            }
            let sql = format!(
                "WITH claimed AS (SELECT id FROM stats_deltas ORDER BY id LIMIT $1 \
                                  FOR UPDATE SKIP LOCKED), \
                      folded AS (DELETE FROM stats_deltas d USING claimed c WHERE d.id = c.id \
                                 RETURNING d.*), \
                      applied AS ({} RETURNING 1) \
                 SELECT COUNT(*) AS n FROM folded",
                upsert_sums("folded", "")
            );
            let done: Count = diesel::sql_query(sql)
                .bind::<BigInt, _>(batch)
                .get_result(pg)?;
            Ok(usize::try_from(done.n).unwrap_or(0))
        }
        AnyConnection::Sqlite(lite) => {
            let upto: Upto = diesel::sql_query(
                "SELECT MAX(id) AS id FROM (SELECT id FROM stats_deltas ORDER BY id LIMIT ?)",
            )
            .bind::<BigInt, _>(batch)
            .get_result(lite)?;
            let Some(upto) = upto.id else { return Ok(0) };
            // `WHERE` before `GROUP BY` also keeps SQLite's upsert parser unambiguous.
            diesel::sql_query(upsert_sums("stats_deltas", "WHERE id <= ?"))
                .bind::<BigInt, _>(upto)
                .execute(lite)?;
            diesel::sql_query("DELETE FROM stats_deltas WHERE id <= ?")
                .bind::<BigInt, _>(upto)
                .execute(lite)
        }
    }
}

/// Deltas waiting to be folded (the tail every read adds).
///
/// # Errors
/// Database errors.
pub fn pending(conn: &mut AnyConnection) -> QueryResult<i64> {
    use crate::db::schema::stats_deltas;
    stats_deltas::table.count().get_result(conn)
}
