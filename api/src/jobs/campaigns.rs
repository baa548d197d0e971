//! The campaign sender: activates scheduled campaigns, expands audiences batch by batch,
//! and hands claimed recipients to the MAX Bot API through the worker's client (so campaign
//! messages and the bot's replies share one global pace and the per-chat gap), at most
//! `CAMPAIGN_RATE_PER_SEC` a second; a 429 puts the recipient back in line after the
//! `Retry-After` it asked for. Each step is in `crate::domain::campaigns::send`; this file
//! only drives them.

use std::time::Duration;

use chrono::NaiveDateTime;

use super::Worker;
use crate::db;
use crate::domain::campaigns::send::{self, Sent};
use crate::error::ApiError;

impl Worker {
    /// One round: activate, expand one batch of each expanding campaign, claim and send one
    /// batch, finish. Returns how many recipients it added or handled (0: nothing to do).
    ///
    /// # Errors
    /// The database is unavailable.
    pub async fn campaigns_step(&self, now: NaiveDateTime) -> Result<usize, ApiError> {
        let db = &self.inner.db;
        let notify = &self.inner.config.notify;
        let (expand_batch, batch) = (notify.campaign_expand_batch, notify.campaign_batch);
        if !db.read(|conn| Ok(send::any_active(conn)?)).await? {
            return Ok(0);
        }
        db.write(move |conn| Ok(send::activate(conn, now)?)).await?;
        let mut work = 0;
        let expanding = db.read(|conn| Ok(send::expanding(conn)?)).await?;
        for id in expanding {
            work += db
                .write(move |conn| Ok(send::expand(conn, &id, expand_batch, now)?))
                .await?;
        }
        let lease = chrono::Duration::seconds(notify.outbox_lease_secs.max(1));
        let claimed = db
            .write(move |conn| Ok(send::claim(conn, now, lease, batch)?))
            .await?;
        work += claimed.len();
        let started = tokio::time::Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for recipient in claimed {
            let this = self.clone();
            tasks.spawn(async move {
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
        if !outcomes.is_empty() {
            let at = db::now();
            db.write(move |conn| {
                for (campaign, user, outcome) in &outcomes {
                    send::mark(conn, campaign, user, *outcome, at)?;
                }
                Ok(())
            })
            .await?;
        }
        db.write(move |conn| Ok(send::finish(conn, now)?)).await?;
        // The campaign's own pace: a batch of n takes at least n / rate seconds.
        let rate = f64::from(notify.campaign_rate_per_sec.max(1));
        #[allow(clippy::cast_precision_loss)]
        let floor =
            Duration::from_secs_f64(work.min(usize::try_from(batch).unwrap_or(0)) as f64 / rate);
        tokio::time::sleep_until(started + floor).await;
        Ok(work)
    }

    /// The sender's loop: rounds back to back while there is work, a poll apart when idle.
    pub async fn run_campaigns(self) {
        let poll = Duration::from_millis(self.inner.config.notify.worker_poll_ms.max(10));
        loop {
            let busy = match self.campaigns_step(db::now()).await {
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
