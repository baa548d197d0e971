//! A bound on password checks running at once. Argon2 is made to be slow and to take
//! memory; a burst of sign-ins (bad ones cost as much as good ones) must not take every core
//! or queue without end. At most `concurrency` checks run (each on a blocking thread, with no
//! database connection held), at most `queue` more wait their turn, and any further one is
//! answered 429 with `Retry-After` at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Seconds a client refused for a full queue is told to wait.
const RETRY_AFTER_SECS: u64 = 1;

/// The gate password checks pass through (cheap to clone: shared counters).
#[derive(Clone, Debug)]
pub struct HashGate {
    permits: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// Gives back an admission when the check ends or its request is dropped.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashGate {
    /// `concurrency` checks at once (at least one), `queue` more waiting.
    #[must_use]
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: concurrency + queue,
        }
    }

    /// Runs `work` (a password check) on a blocking thread when its turn comes.
    ///
    /// # Errors
    /// 429 `rate_limited` (with `Retry-After`) when the queue is full.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admission = Admission(Arc::clone(&self.admitted));
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            return Err(ApiError::RateLimited {
                retry_after: RETRY_AFTER_SECS,
            });
        }
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        // The permit and the admission travel with the work: a client that hangs up does
        // not free a slot while its hash still runs.
        tokio::task::spawn_blocking(move || {
            let _held = (permit, admission);
            work()
        })
        .await
        .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_queue_the_answer_is_429() {
        let gate = HashGate::new(1, 1);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = std::sync::Mutex::new(wait);
        let busy = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = wait.lock().map(|w| w.recv());
                })
                .await
            })
        };
        let queued = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(|| 1).await })
        };
        // Let both take their places.
        while gate.admitted.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = gate.run(|| 2).await;
        assert!(matches!(
            refused,
            Err(ApiError::RateLimited { retry_after: 1 })
        ));
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert_eq!(queued.await.unwrap().unwrap(), 1);
        assert_eq!(gate.run(|| 3).await.unwrap(), 3);
        assert_eq!(gate.admitted.load(Ordering::SeqCst), 0);
    }
}
