//! The statistics fold loop: every few seconds, folds the deltas the triggers appended
//! into the daily figures (`domain::stats::fold`), batch after batch until the tail is
//! short. Reads are exact without it; it only keeps the tail they add small. Several
//! instances may run it at once: on PostgreSQL one folds while the others skip the round.

use std::time::Duration;

use super::Worker;
use crate::domain::stats::fold;
use crate::error::ApiError;

/// Pause between rounds when the tail is short.
const EVERY: Duration = Duration::from_secs(5);

impl Worker {
    /// Folds until fewer than one batch was left (or another instance holds the fold).
    /// Returns how many deltas this call folded.
    ///
    /// # Errors
    /// The database is unavailable.
    pub async fn fold_stats(&self) -> Result<usize, ApiError> {
        let mut total = 0;
        loop {
            let done = self
                .inner
                .db
                .write(|conn| Ok(fold::fold(conn, fold::BATCH)?))
                .await?;
            total += done;
            if i64::try_from(done).unwrap_or(i64::MAX) < fold::BATCH {
                return Ok(total);
            }
        }
    }

    /// The loop of a running server.
    pub async fn run_stats_fold(self) {
        loop {
            match self.fold_stats().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(folded = n, "statistics deltas folded"),
                Err(e) => tracing::warn!(error = %e, "statistics fold failed"),
            }
            tokio::time::sleep(EVERY).await;
        }
    }
}
