//! The campaign sender: activates scheduled campaigns, expands audiences batch by batch,
//! and hands claimed recipients to the MAX Bot API through the worker's client (so campaign
//! messages and the bot's replies share one global pace and the per-chat gap), at most
//! `CAMPAIGN_RATE_PER_SEC` a second; a 429 puts the recipient back in line after the
//! `Retry-After` it asked for. Each step is in `crate::domain::campaigns::send`; this file
//! only drives them.
//!
//! A round sends the batch claimed by the previous round and, at the same time, writes the
//! previous batch's outcomes, expands, claims the next batch and finishes campaigns. The
//! database work thus overlaps the sending instead of pausing it between batches (at 10,000
//! messages a second the pauses cost a third of the rate, BENCHMARKS.md).

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::Worker;
use crate::db;
use crate::domain::campaigns::send::{self, Claimed, Sent};
use crate::error::ApiError;

/// Campaign messages in flight at once. A batch's sends start together and the client paces
/// them, but against a slow platform every one would hold an HTTP connection of its own
/// (about 40 KB each: 2,000 connections were 80 MB of the benchmark's heap); 512 allow
/// 10,000 messages a second up to 50 ms a call.
const IN_FLIGHT: usize = 512;

/// One sent message's outcome: campaign, teacher, what the platform said.
type Outcome = (String, String, Sent);

/// What the sender carries from one round to the next.
#[derive(Debug)]
pub struct SenderState {
    /// Claimed by the last round, to send in this one.
    next: Vec<Claimed>,
    /// Sent by the last round, to mark in this one.
    outcomes: Vec<Outcome>,
    /// When the campaign pace allows the next round to start.
    deadline: Instant,
}

impl Default for SenderState {
    fn default() -> Self {
        Self {
            next: Vec::new(),
            outcomes: Vec::new(),
            deadline: Instant::now(),
        }
    }
}

impl Worker {
    /// One round: send the batch in hand while the database work runs beside it (mark the
    /// last batch, activate, expand one batch of each expanding campaign, claim the next
    /// batch, finish). Returns how many recipients it added, sent or marked (0: nothing to
    /// do).
    ///
    /// # Errors
    /// The database is unavailable (the outcomes not written yet are kept for the next
    /// round).
    pub async fn campaigns_step(
        &self,
        state: &mut SenderState,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let db = &self.inner.db;
        let idle = state.next.is_empty() && state.outcomes.is_empty();
        if idle && !db.read(|conn| Ok(send::any_active(conn)?)).await? {
            return Ok(0);
        }
        let started = Instant::now();
        let current = std::mem::take(&mut state.next);
        let sent = current.len();
        let outcomes = std::mem::take(&mut state.outcomes);
        let marked = outcomes.len();
        let (fresh, prepared) = tokio::join!(self.send_batch(current), self.prepare(outcomes, now));
        state.outcomes = fresh;
        let (expanded, next, unmarked) = prepared;
        let outcome = match (expanded, next) {
            (Ok(expanded), Ok(next)) => {
                let claimed = next.len();
                state.next = next;
                Ok(expanded + claimed + sent + marked)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        if let Some(unmarked) = unmarked {
            // Not written this round: written with the next round's (nothing is lost).
            state.outcomes.extend(unmarked);
        }
        // The campaign's own pace: n messages take at least n / rate seconds, counted from
        // where the last round's allowance ended (so the rounds' overheads do not add up).
        let rate = f64::from(self.inner.config.notify.campaign_rate_per_sec.max(1));
        #[allow(clippy::cast_precision_loss)]
        let floor = Duration::from_secs_f64(sent as f64 / rate);
        state.deadline = state.deadline.max(started) + floor;
        tokio::time::sleep_until(state.deadline).await;
        outcome
    }

    /// The database side of a round, in one writer's turn after another: the last batch's
    /// outcomes, activation, one expansion batch per campaign, the next claim (those of
    /// campaigns cancelled meanwhile released), finishing. Returns the recipients added,
    /// the next batch, and the outcomes it could not write.
    async fn prepare(
        &self,
        outcomes: Vec<Outcome>,
        now: NaiveDateTime,
    ) -> (
        Result<usize, ApiError>,
        Result<Vec<Claimed>, ApiError>,
        Option<Vec<Outcome>>,
    ) {
        let db = &self.inner.db;
        let notify = &self.inner.config.notify;
        let mut unmarked = None;
        if !outcomes.is_empty() {
            let at = db::now();
            let kept = outcomes.clone();
            if let Err(e) = db
                .write(move |conn| Ok(send::mark_all(conn, &outcomes, at)?))
                .await
            {
                tracing::warn!(error = %e, "campaign outcomes not written yet");
                unmarked = Some(kept);
            }
        }
        let (expand_batch, batch) = (notify.campaign_expand_batch, notify.campaign_batch);
        let expanded = async {
            db.write(move |conn| Ok(send::activate(conn, now)?)).await?;
            let mut added = 0;
            for id in db.read(|conn| Ok(send::expanding(conn)?)).await? {
                added += db
                    .write(move |conn| Ok(send::expand(conn, &id, expand_batch, now)?))
                    .await?;
            }
            Ok(added)
        }
        .await;
        let lease = chrono::Duration::seconds(notify.outbox_lease_secs.max(1));
        let next = async {
            let claimed = db
                .write(move |conn| Ok(send::claim(conn, now, lease, batch)?))
                .await?;
            db.write(move |conn| Ok(send::finish(conn, now)?)).await?;
            Ok(claimed)
        }
        .await;
        (expanded, next, unmarked)
    }

    /// Hands a batch to the platform, all at once (the client paces the calls), and returns
    /// each outcome. Rows of campaigns cancelled since the claim are released unsent.
    async fn send_batch(&self, claimed: Vec<Claimed>) -> Vec<Outcome> {
        if claimed.is_empty() {
            return Vec::new();
        }
        let claimed = match self.keep_sending(claimed).await {
            Ok(claimed) => claimed,
            Err(e) => {
                // Nothing sent: the rows come back when their lease runs out.
                tracing::warn!(error = %e, "campaign batch not checked, not sent");
                return Vec::new();
            }
        };
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        let mut tasks = tokio::task::JoinSet::new();
        for recipient in claimed {
            let this = self.clone();
            let slots = Arc::clone(&slots);
            tasks.spawn(async move {
                // Never closed, so the permit always comes.
                let _slot = slots.acquire_owned().await.ok();
                let mut body = recipient
                    .message
                    .to_body(&this.inner.config.notify.mini_app_url);
                body["format"] = serde_json::json!("markdown");
                let outcome = match this
                    .inner
                    .max
                    .send_message(recipient.message.user_id, &body)
                    .await
                {
                    Ok(_) => Sent::Delivered,
                    Err(e) if e.retry_after.is_some() => {
                        Sent::SlowDown(e.retry_after.unwrap_or(Duration::from_secs(1)))
                    }
                    Err(e) if e.permanent => Sent::Refused,
                    Err(e) => {
                        tracing::warn!(error = %e, "campaign message failed");
                        Sent::Retry
                    }
                };
                (recipient.campaign_id, recipient.user_id, outcome)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            // A panicking send leaves its row claimed; the lease brings it back.
            if let Ok(outcome) = joined {
                outcomes.push(outcome);
            }
        }
        outcomes
    }

    /// Of a claimed batch, the rows whose campaign is still sending; the others are released.
    async fn keep_sending(&self, claimed: Vec<Claimed>) -> Result<Vec<Claimed>, ApiError> {
        let db = &self.inner.db;
        let mut ids: Vec<String> = claimed.iter().map(|c| c.campaign_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let sending = db
            .read(move |conn| {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                Ok(send::sending_among(conn, &ids)?)
            })
            .await?;
        let (keep, cancelled): (Vec<_>, Vec<_>) = claimed
            .into_iter()
            .partition(|c| sending.contains(&c.campaign_id));
        if !cancelled.is_empty() {
            let rows: Vec<(String, String)> = cancelled
                .into_iter()
                .map(|c| (c.campaign_id, c.user_id))
                .collect();
            db.write(move |conn| Ok(send::release(conn, &rows)?))
                .await?;
        }
        Ok(keep)
    }

    /// The sender's loop: rounds back to back while there is work, a poll apart when idle.
    pub async fn run_campaigns(self) {
        let poll = Duration::from_millis(self.inner.config.notify.worker_poll_ms.max(10));
        let mut state = SenderState::default();
        loop {
            let busy = match self.campaigns_step(&mut state, db::now()).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "campaign sending failed");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(poll).await;
            }
        }
    }
}
