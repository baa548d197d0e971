//! The caller's user row and regions, kept for a few seconds (issue #20): every request
//! needs them, and reading them each time cost a query or two per request.
//!
//! Bounds (SECURITY.md): an entry lives at most `CALLER_CACHE_SECS` (≤ 5 s), so a change
//! made by another instance or directly in the database applies within that time. A change
//! made through this process applies at once: the domain calls [`user_changed`] inside the
//! transaction that makes it, and from then on, for [`HOLD`], the user is read from the
//! database on every request (the change may not be committed yet when it is announced, so
//! a row read meanwhile must not be kept); entries loaded before the change are never
//! served again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::db::models::UserRow;

/// How long after a change announced by [`user_changed`] the user is not cached: longer
/// than any write transaction takes to commit after announcing it.
pub const HOLD: Duration = Duration::from_secs(5);

/// What the cache keeps of a user: the row (without its secrets) and the regions.
#[derive(Debug, Clone)]
pub struct Known {
    /// The user row; `password_hash` and `totp_secret` are left out.
    pub user: UserRow,
    /// The regions of operators, heads and integrators.
    pub regions: Vec<String>,
}

impl Known {
    /// Keeps a freshly read row, without what authentication never needs.
    #[must_use]
    pub fn new(mut user: UserRow, regions: Vec<String>) -> Self {
        user.password_hash = None;
        user.totp_secret = None;
        Self { user, regions }
    }
}

struct Entry {
    /// When the read that produced it began.
    loaded: Instant,
    known: Arc<Known>,
}

/// The cache of one server process.
pub struct CallerCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for CallerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallerCache({:?})", self.ttl)
    }
}

/// Entries beyond this many trigger a sweep of the expired ones.
const SWEEP_AT: usize = 10_000;

impl CallerCache {
    /// A cache whose entries live `ttl` (capped at 5 s); zero turns it off.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl: ttl.min(Duration::from_secs(5)),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The user, if kept, fresh, and not changed since it was read.
    #[must_use]
    pub fn get(&self, user_id: &str) -> Option<Arc<Known>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(user_id)?;
        let fresh = entry.loaded.elapsed() < self.ttl && still_valid(user_id, entry.loaded);
        fresh.then(|| Arc::clone(&entry.known))
    }

    /// Keeps `known`, read by a lookup that began at `loaded`.
    pub fn put(&self, loaded: Instant, known: Known) {
        if self.ttl.is_zero() || !still_valid(&known.user.id, loaded) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.retain(|_, e| e.loaded.elapsed() < ttl);
        }
        entries.insert(
            known.user.id.clone(),
            Entry {
                loaded,
                known: Arc::new(known),
            },
        );
    }
}

/// When each recently changed user was announced (process-wide: the domain announces a
/// change without knowing which server's cache holds the user).
fn changes() -> &'static Mutex<HashMap<String, Instant>> {
    static CHANGES: OnceLock<Mutex<HashMap<String, Instant>>> = OnceLock::new();
    CHANGES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A read that began at `loaded` may be kept and served only if it began after the hold of
/// the user's latest change.
fn still_valid(user_id: &str, loaded: Instant) -> bool {
    let changes = changes().lock().unwrap_or_else(PoisonError::into_inner);
    changes
        .get(user_id)
        .is_none_or(|changed| loaded > *changed + HOLD)
}

/// Announces that the user's role, regions, block, erasure, verification or sessions are
/// changing (called inside the transaction that changes them): every cache of this process
/// stops serving the user at once.
pub fn user_changed(user_id: &str) {
    let now = Instant::now();
    let mut changes = changes().lock().unwrap_or_else(PoisonError::into_inner);
    // Past the hold and the longest life of an entry a change no longer matters.
    let forget = HOLD + Duration::from_secs(5);
    if changes.len() >= 1024 {
        changes.retain(|_, at| now.duration_since(*at) < forget);
    }
    changes.insert(user_id.to_owned(), now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> UserRow {
        let now = chrono::Utc::now().naive_utc();
        UserRow {
            id: id.to_owned(),
            role: shared::users::Role::Operator,
            max_user_id: None,
            email: None,
            password_hash: Some("hash".to_owned()),
            must_change_password: false,
            totp_secret: Some("secret".to_owned()),
            totp_enabled: true,
            surname: None,
            name: None,
            patronymic: None,
            region_code: None,
            school: None,
            position: None,
            notify_new_appeal_email: false,
            notify_daily_digest_email: false,
            consent_version: None,
            consent_at: None,
            verification_status: shared::users::VerificationStatus::Unverified,
            verification_source: None,
            verification_note: None,
            verified_at: None,
            verified_by: None,
            dev_key: None,
            is_blocked: false,
            failed_logins: 0,
            locked_until: None,
            erased_at: None,
            created_at: now,
            updated_at: now,
            sessions_ended_at: None,
            session_kept: None,
        }
    }

    #[test]
    fn kept_without_secrets_until_changed() {
        let cache = CallerCache::new(Duration::from_secs(5));
        let id = crate::db::new_id();
        cache.put(Instant::now(), Known::new(row(&id), vec!["77".to_owned()]));
        let known = cache.get(&id).expect("kept");
        assert!(known.user.password_hash.is_none() && known.user.totp_secret.is_none());
        user_changed(&id);
        assert!(cache.get(&id).is_none(), "a change ends the entry at once");
        // A read that began during the hold is not kept either.
        cache.put(Instant::now(), Known::new(row(&id), Vec::new()));
        assert!(cache.get(&id).is_none());
    }

    #[test]
    fn zero_turns_it_off() {
        let cache = CallerCache::new(Duration::ZERO);
        let id = crate::db::new_id();
        cache.put(Instant::now(), Known::new(row(&id), Vec::new()));
        assert!(cache.get(&id).is_none());
    }
}
