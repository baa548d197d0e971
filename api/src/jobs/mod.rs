//! Background work inside the api process: the outbox worker and the scheduled jobs
//! (rating reminders, the SLA scan, daily digests, auto-close). `WORKER_ENABLED` turns it
//! on or off per instance. Every step takes an explicit `now`, so tests can move the clock;
//! everything is safe with several instances on one PostgreSQL (rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, scheduled work marks what it did in the same transaction).

pub mod campaigns;
pub mod scheduled;
pub mod stats_fold;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tokio::sync::Notify;

use crate::config::Config;
use crate::db::schema::webhooks;
use crate::db::{self, Db};
use crate::domain::notifications::outbox::{self, Notification, OutboxRow, Outcome, RetryPolicy};
use crate::error::ApiError;
use crate::notify::email::{MailTemplate, Mailer};
use crate::notify::max::MaxClient;
use crate::notify::{webhook, DeliveryError};
use crate::state::AppState;

pub use scheduled::Report;

static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells an idle worker of this process that something was just enqueued (so a bot reply
/// goes out at once rather than at the next poll). Losing the hint only costs a poll.
pub fn wake() {
    WAKE.notify_waiters();
}

/// Starts the worker of this instance, unless `WORKER_ENABLED=false`.
pub fn spawn(state: &AppState) {
    if !state.config.notify.worker_enabled {
        tracing::info!("background worker disabled on this instance (WORKER_ENABLED=false)");
        return;
    }
    let worker = Worker::from_state(state);
    tracing::info!(worker = worker.id(), "background worker started");
    // Campaigns run beside the outbox, so a long campaign never delays a bot reply.
    tokio::spawn(worker.clone().run_campaigns());
    // The statistics fold keeps the deltas' tail short (reads are exact without it).
    tokio::spawn(worker.clone().run_stats_fold());
    tokio::spawn(worker.run());
}

/// One worker: delivers the outbox and runs the scheduled jobs. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    db: Db,
    config: Arc<Config>,
    http: reqwest::Client,
    max: MaxClient,
    mailer: Result<Mailer, String>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Worker({})", self.inner.id)
    }
}

impl Worker {
    /// A worker over a database with these settings (tests build several against one database).
    #[must_use]
    pub fn new(db: Db, config: Arc<Config>, http: reqwest::Client) -> Self {
        let max = MaxClient::new(http.clone(), &config);
        let mailer = Mailer::new(&config.notify);
        if let Err(e) = &mailer {
            tracing::warn!(error = %e, "e-mail is not configured; letters will fail");
        }
        Self {
            inner: Arc::new(Inner {
                id: format!("worker-{}-{}", std::process::id(), db::new_id()),
                db,
                config,
                http,
                max,
                mailer,
            }),
        }
    }

    /// The worker of a running server.
    #[must_use]
    pub fn from_state(state: &AppState) -> Self {
        Self::new(
            state.db.clone(),
            Arc::clone(&state.config),
            state.http.clone(),
        )
    }

    /// This worker's id (`outbox.locked_by`).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    fn policy(&self) -> RetryPolicy {
        let n = &self.inner.config.notify;
        RetryPolicy {
            max_attempts: n.outbox_max_attempts,
            base: Duration::from_secs(n.outbox_backoff_secs),
            cap: Duration::from_secs(n.outbox_backoff_max_secs.max(n.outbox_backoff_secs)),
        }
    }

    /// Claims one batch of due deliveries, delivers them concurrently and records each
    /// outcome. Returns how many it claimed.
    ///
    /// # Errors
    /// The database is unavailable.
    pub async fn deliver_due(&self, now: NaiveDateTime) -> Result<usize, ApiError> {
        let worker = self.inner.id.clone();
        let lease = chrono::Duration::seconds(self.inner.config.notify.outbox_lease_secs.max(1));
        let batch = self.inner.config.notify.worker_batch;
        let rows = self
            .inner
            .db
            .write(move |conn| Ok(outbox::claim(conn, &worker, now, lease, batch)?))
            .await?;
        let claimed = rows.len();
        let mut tasks = tokio::task::JoinSet::new();
        for row in rows {
            let this = self.clone();
            tasks.spawn(async move {
                let outcome = this.deliver(&row, now).await;
                (row, outcome)
            });
        }
        let policy = self.policy();
        while let Some(joined) = tasks.join_next().await {
            let Ok((row, outcome)) = joined else {
                // A panicking delivery leaves its row claimed; the lease brings it back.
                continue;
            };
            if let Outcome::Failed(e) = &outcome {
                tracing::warn!(id = %row.id, kind = %row.kind, attempt = row.attempts, error = %e, "delivery failed");
            }
            let worker = self.inner.id.clone();
            let id = row.id.clone();
            let status = self
                .inner
                .db
                .write(move |conn| {
                    Ok(outbox::finish(
                        conn, &row.id, &worker, &outcome, now, &policy,
                    )?)
                })
                .await?;
            if status == Some(outbox::DEAD) {
                tracing::error!(%id, "delivery parked as dead; an administrator may retry it");
            }
        }
        Ok(claimed)
    }

    /// [`Worker::deliver_due`] until nothing due is left (at most 50 rounds).
    ///
    /// # Errors
    /// As [`Worker::deliver_due`].
    pub async fn drain(&self, now: NaiveDateTime) -> Result<usize, ApiError> {
        let mut total = 0;
        for _ in 0..50 {
            let n = self.deliver_due(now).await?;
            if n == 0 {
                break;
            }
            total += n;
        }
        Ok(total)
    }

    /// Runs every scheduled job once at `now`.
    ///
    /// # Errors
    /// The database is unavailable.
    pub async fn run_scheduled(&self, now: NaiveDateTime) -> Result<Report, ApiError> {
        let db = &self.inner.db;
        let digest_hour = self.inner.config.notify.digest_hour;
        let reminders = db
            .write(move |conn| Ok(scheduled::rating_reminders(conn, now)?))
            .await?;
        let overdue = db
            .write(move |conn| Ok(scheduled::sla_scan(conn, now)?))
            .await?;
        let digests = db
            .write(move |conn| Ok(scheduled::daily_digests(conn, now, digest_hour)?))
            .await?;
        let closed = db
            .write(move |conn| Ok(scheduled::auto_close(conn, now)?))
            .await?;
        db.write(move |conn| Ok(scheduled::cleanup(conn, now)?))
            .await?;
        Ok(Report {
            reminders,
            overdue,
            digests,
            closed,
        })
    }

    /// The loop of a running server: deliver what is due, run the scheduled jobs every
    /// `JOBS_INTERVAL_SECS`, sleep `WORKER_POLL_MS` (or until woken) when idle.
    pub async fn run(self) {
        let notify = &self.inner.config.notify;
        let poll = Duration::from_millis(notify.worker_poll_ms.max(10));
        let every = Duration::from_secs(notify.jobs_interval_secs.max(1));
        let mut next_jobs = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_jobs {
                match self.run_scheduled(db::now()).await {
                    Ok(report) if report.is_empty() => {}
                    Ok(report) => tracing::info!(?report, "scheduled jobs ran"),
                    Err(e) => tracing::warn!(error = %e, "scheduled jobs failed"),
                }
                next_jobs = tokio::time::Instant::now() + every;
            }
            let busy = match self.deliver_due(db::now()).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox delivery failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = tokio::time::sleep(poll) => {}
                    () = WAKE.notified() => {}
                }
            }
        }
    }

    async fn deliver(&self, row: &OutboxRow, now: NaiveDateTime) -> Outcome {
        let notification = match Notification::parse(&row.kind, &row.payload) {
            Ok(n) => n,
            Err(e) => return Outcome::Failed(DeliveryError::permanent(e, None)),
        };
        let result = match notification {
            Notification::Webhook(delivery) => self.deliver_webhook(&delivery, now).await,
            Notification::MaxMessage(message) => {
                let body = message.to_body(&self.inner.config.notify.mini_app_url);
                self.inner
                    .max
                    .send_message(message.user_id, &body)
                    .await
                    .map(Some)
            }
            Notification::MaxCallback(answer) => self
                .inner
                .max
                .answer_callback(
                    &answer.callback_id,
                    &serde_json::json!({ "notification": answer.notification }),
                )
                .await
                .map(Some),
            Notification::Email(email) => match &self.inner.mailer {
                Ok(mailer) => {
                    // An invitation's token exists only from here on: in this letter and,
                    // as a hash, in the database.
                    let token = match &email.mail {
                        MailTemplate::Invitation { invitation_id, .. } => {
                            match self.issue_invitation(invitation_id, now).await {
                                Ok(token) => Some(token),
                                Err(e) => return Outcome::Failed(e),
                            }
                        }
                        _ => None,
                    };
                    let letter = email
                        .mail
                        .render(&self.inner.config.notify.public_url, token.as_deref());
                    mailer.send(&email.to, &letter).await.map(|()| None)
                }
                Err(e) => Err(DeliveryError::transient(e.clone(), None)),
            },
        };
        match result {
            Ok(code) => Outcome::Delivered(code),
            Err(e) => Outcome::Failed(e),
        }
    }

    /// The token of an invitation letter about to be sent (see
    /// [`crate::domain::users::invitations::issue_token`]); a revoked or used invitation is not sent.
    async fn issue_invitation(
        &self,
        invitation_id: &str,
        now: NaiveDateTime,
    ) -> Result<String, DeliveryError> {
        let id = invitation_id.to_owned();
        let hours = self.inner.config.invite_ttl_hours;
        let issued = self
            .inner
            .db
            .write(move |conn| {
                Ok(crate::domain::users::invitations::issue_token(
                    conn, &id, now, hours,
                )?)
            })
            .await
            .map_err(|e| DeliveryError::transient(format!("база данных: {e}"), None))?;
        issued.map_err(|reason| DeliveryError::permanent(reason, None))
    }

    async fn deliver_webhook(
        &self,
        delivery: &outbox::WebhookDelivery,
        now: NaiveDateTime,
    ) -> Result<Option<u16>, DeliveryError> {
        type Hook = (String, String, Option<String>, Option<NaiveDateTime>, bool);
        let id = delivery.webhook_id.clone();
        let hook: Option<Hook> = self
            .inner
            .db
            .read(move |conn| {
                Ok(webhooks::table
                    .find(&id)
                    .select((
                        webhooks::url,
                        webhooks::secret,
                        webhooks::previous_secret,
                        webhooks::previous_secret_until,
                        webhooks::is_active,
                    ))
                    .first(conn)
                    .optional()?)
            })
            .await
            .map_err(|e| DeliveryError::transient(format!("база данных: {e}"), None))?;
        let Some((url, secret, previous, previous_until, true)) = hook else {
            return Err(DeliveryError::permanent("подписка удалена", None));
        };
        let mut secrets = vec![secret.as_str()];
        if let (Some(old), Some(until)) = (previous.as_deref(), previous_until) {
            if until > now {
                secrets.push(old);
            }
        }
        let attempt = webhook::Attempt {
            url: &url,
            event_id: &delivery.event_id,
            event_type: &delivery.event_type,
            body: &delivery.body,
            secrets: &secrets,
            t: now.and_utc().timestamp(),
        };
        webhook::deliver(&self.inner.http, &self.inner.config, &attempt)
            .await
            .map(Some)
    }
}
