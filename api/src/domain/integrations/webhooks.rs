//! Integrator webhooks: subscriptions, a test ping, secret rotation and the delivery log of
//! each subscription. Deliveries are outbox rows, signed and retried by the worker (see
//! [`crate::notify::webhook`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::integrations::{
    CreateWebhook, CreatedWebhook, RotatedSecret, Webhook, WebhookDeliveryInfo, WebhookPing,
};
use shared::Page;

use crate::auth::{secrets, Caller};
use crate::db::schema::{outbox, webhooks};
use crate::db::{self, audit, AnyConnection};
use crate::domain::notifications::events::WEBHOOK_EVENTS;
use crate::domain::notifications::outbox::{Notification, OutboxRow, WebhookDelivery};
use crate::domain::pagination::{self, Cursor};
use crate::domain::users::{known_regions, regions_required};
use crate::error::ApiError;
use crate::notify::webhook::{is_internal_v4, is_internal_v6};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
struct WebhookRow {
    id: String,
    url: String,
    events: String,
    regions: String,
    created_at: NaiveDateTime,
    previous_secret_until: Option<NaiveDateTime>,
}

impl WebhookRow {
    fn info(self, now: NaiveDateTime) -> Webhook {
        Webhook {
            id: self.id,
            url: self.url,
            events: serde_json::from_str(&self.events).unwrap_or_default(),
            regions: serde_json::from_str(&self.regions).unwrap_or_default(),
            created_at: db::rfc3339(self.created_at),
            previous_secret_valid_until: self
                .previous_secret_until
                .filter(|until| *until > now)
                .map(db::rfc3339),
        }
    }
}

fn active(conn: &mut AnyConnection, id: &str) -> Result<WebhookRow, ApiError> {
    webhooks::table
        .find(id)
        .filter(webhooks::is_active.eq(true))
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A host no public receiver has: an internal address (see
/// [`crate::notify::webhook::is_internal_ip`]) or a name of the local network. The delivery
/// checks again after resolving the name; this is the early, explained refusal.
fn is_internal(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            d == "localhost"
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|suffix| d.ends_with(suffix))
        }
        url::Host::Ipv4(ip) => is_internal_v4(*ip),
        url::Host::Ipv6(ip) => is_internal_v6(*ip),
    }
}

/// A receiver URL: absolute, `https` (in development also `http`), no credentials or
/// fragment, no address inside a private network and, in production, no single-label host
/// — unless `allow_private` (`WEBHOOK_ALLOW_PRIVATE`: tests and closed networks).
///
/// # Errors
/// 422 on the `url` field.
pub fn check_url(raw: &str, dev: bool, allow_private: bool) -> Result<String, ApiError> {
    let raw = raw.trim();
    if raw.chars().count() > 2000 {
        return Err(ApiError::field(
            "url",
            "too_long",
            "Адрес не длиннее 2000 символов.",
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        ApiError::field(
            "url",
            "invalid",
            "Укажите полный адрес, например https://example.ru/hooks/pomoshnik.",
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if dev => {}
        _ => {
            return Err(ApiError::field(
                "url",
                "https_required",
                "Адрес должен начинаться с https://.",
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::field(
            "url",
            "credentials",
            "Не указывайте логин и пароль в адресе: отправителя подтверждает подпись запроса.",
        ));
    }
    if url.fragment().is_some() {
        return Err(ApiError::field(
            "url",
            "invalid",
            "Адрес не должен содержать «#».",
        ));
    }
    let Some(host) = url.host() else {
        return Err(ApiError::field(
            "url",
            "invalid",
            "В адресе нет имени сервера.",
        ));
    };
    let single_label = matches!(host, url::Host::Domain(name) if !name.contains('.'));
    if !allow_private && (is_internal(&host) || (!dev && single_label)) {
        return Err(ApiError::field(
            "url",
            "internal_address",
            "Адрес во внутренней сети нельзя использовать для подписки.",
        ));
    }
    Ok(url.to_string())
}

fn check_events(events: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for event in events {
        let event = event.trim();
        if !WEBHOOK_EVENTS.contains(&event) {
            return Err(ApiError::field(
                "events",
                "unknown",
                "Допустимые события: appeal.created, appeal.answered, appeal.rated, appeal.overdue.",
            ));
        }
        if !out.iter().any(|e| e == event) {
            out.push(event.to_owned());
        }
    }
    if out.is_empty() {
        return Err(ApiError::field(
            "events",
            "required",
            "Выберите хотя бы одно событие.",
        ));
    }
    Ok(out)
}

/// A fresh signing secret.
#[must_use]
pub fn new_secret() -> String {
    secrets::random_token("whsec_")
}

/// One page of active subscriptions, newest first.
///
/// # Errors
/// A database failure.
pub fn list_webhooks(
    conn: &mut AnyConnection,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<Webhook>, ApiError> {
    let mut query = webhooks::table
        .filter(webhooks::is_active.eq(true))
        .select(WebhookRow::as_select())
        .into_boxed();
    query = pagination::before_cursor!(query, cursor, webhooks::created_at, webhooks::id);
    let rows: Vec<WebhookRow> = query
        .order((webhooks::created_at.desc(), webhooks::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    let now = db::now();
    Ok(Page {
        items: rows.into_iter().map(|r| r.info(now)).collect(),
        next_cursor,
    })
}

/// A checked subscription request, with its secret drawn.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
    regions: Vec<String>,
    secret: String,
}

impl NewWebhook {
    /// Checks the URL (`dev` allows `http`, `allow_private` internal hosts) and the events.
    ///
    /// # Errors
    /// 422 on `url` or `events`.
    pub fn new(body: &CreateWebhook, dev: bool, allow_private: bool) -> Result<Self, ApiError> {
        Ok(Self {
            url: check_url(&body.url, dev, allow_private)?,
            events: check_events(&body.events)?,
            regions: body.regions.clone(),
            secret: new_secret(),
        })
    }
}

/// Subscribes the URL.
///
/// # Errors
/// 422 for regions, or a database failure.
pub fn create_webhook(
    conn: &mut AnyConnection,
    caller: &Caller,
    new: &NewWebhook,
) -> Result<CreatedWebhook, ApiError> {
    let regions = known_regions(conn, &new.regions)?;
    if regions.is_empty() {
        return Err(regions_required());
    }
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(&id),
            webhooks::url.eq(&new.url),
            webhooks::secret.eq(&new.secret),
            webhooks::events.eq(crate::domain::kb::store::to_json_list(&new.events)),
            webhooks::regions.eq(crate::domain::kb::store::to_json_list(&regions)),
            webhooks::is_active.eq(true),
            webhooks::created_by.eq(&caller.user_id),
            webhooks::created_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "webhook.create",
        "webhook",
        Some(&id),
        None,
        Some(&serde_json::json!({ "url": new.url, "events": new.events, "regions": regions })),
    )?;
    Ok(CreatedWebhook {
        webhook: active(conn, &id)?.info(now),
        secret: new.secret.clone(),
    })
}

/// Ends a subscription; its waiting deliveries are dropped (marked `dead`).
///
/// # Errors
/// 404 for an unknown or ended subscription, or a database failure.
pub fn delete_webhook(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<(), ApiError> {
    let row = active(conn, id)?;
    diesel::update(webhooks::table.find(id))
        .set(webhooks::is_active.eq(false))
        .execute(conn)?;
    diesel::update(
        outbox::table
            .filter(outbox::webhook_id.eq(id))
            .filter(outbox::status.eq(crate::domain::notifications::outbox::PENDING)),
    )
    .set((
        outbox::status.eq(crate::domain::notifications::outbox::DEAD),
        outbox::last_error.eq("подписка удалена"),
    ))
    .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "webhook.delete",
        "webhook",
        Some(id),
        Some(&serde_json::json!({ "url": row.url })),
        None,
    )?;
    Ok(())
}

/// Queues a test event (type `ping`) through the usual signed, retried delivery.
///
/// # Errors
/// 404 for an unknown subscription, or a database failure.
pub fn ping_webhook(conn: &mut AnyConnection, id: &str) -> Result<WebhookPing, ApiError> {
    active(conn, id)?;
    let event_id = db::new_id();
    let body = serde_json::json!({
        "id": event_id,
        "type": "ping",
        "created_at": db::rfc3339(db::now()),
        "data": { "webhook_id": id },
    })
    .to_string();
    let delivery = Notification::Webhook(WebhookDelivery {
        webhook_id: id.to_owned(),
        event_id: event_id.clone(),
        event_type: "ping".to_owned(),
        body,
    });
    let delivery_id =
        crate::domain::notifications::outbox::enqueue(conn, &delivery, None)?.unwrap_or_default();
    Ok(WebhookPing {
        delivery_id,
        event_id,
    })
}

/// Replaces the signing secret by `secret`; the previous one keeps signing for 24 hours.
///
/// # Errors
/// 404 for an unknown subscription, or a database failure.
pub fn rotate_webhook_secret(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    secret: &str,
) -> Result<RotatedSecret, ApiError> {
    active(conn, id)?;
    let current: String = webhooks::table
        .find(id)
        .select(webhooks::secret)
        .first(conn)?;
    let until = db::now() + chrono::Duration::hours(24);
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::previous_secret.eq(Some(current)),
            webhooks::previous_secret_until.eq(Some(until)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "webhook.rotate_secret",
        "webhook",
        Some(id),
        None,
        Some(&serde_json::json!({ "previous_secret_valid_until": db::rfc3339(until) })),
    )?;
    Ok(RotatedSecret {
        secret: secret.to_owned(),
        previous_secret_valid_until: db::rfc3339(until),
    })
}

/// One page of a subscription's deliveries, newest first.
///
/// # Errors
/// 404 for an unknown subscription, or a database failure.
pub fn list_webhook_deliveries(
    conn: &mut AnyConnection,
    id: &str,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<WebhookDeliveryInfo>, ApiError> {
    active(conn, id)?;
    let mut query = outbox::table
        .filter(outbox::webhook_id.eq(id))
        .select(OutboxRow::as_select())
        .into_boxed();
    query = pagination::before_cursor!(query, cursor, outbox::created_at, outbox::id);
    let rows: Vec<OutboxRow> = query
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|row| {
            let delivery: Option<WebhookDelivery> = serde_json::from_str(&row.payload).ok();
            WebhookDeliveryInfo {
                event_id: delivery
                    .as_ref()
                    .map(|d| d.event_id.clone())
                    .unwrap_or_default(),
                event_type: delivery.map(|d| d.event_type).unwrap_or_default(),
                id: row.id,
                status: row.status.as_str().to_owned(),
                attempts: row.attempts,
                response_code: row.response_code,
                last_error: row.last_error,
                created_at: db::rfc3339(row.created_at),
                next_attempt_at: db::rfc3339(row.next_attempt_at),
                delivered_at: row.delivered_at.map(db::rfc3339),
            }
        })
        .collect();
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn urls() {
        assert!(check_url("https://example.ru/hook", false, false).is_ok());
        assert!(check_url("http://example.ru/hook", false, false).is_err());
        assert!(check_url("http://127.0.0.1:9000/hook", true, true).is_ok());
        // Development alone no longer opens internal addresses; only WEBHOOK_ALLOW_PRIVATE.
        assert!(check_url("http://127.0.0.1:9000/hook", true, false).is_err());
        assert!(check_url("https://crm/hook", false, false).is_err());
        assert!(check_url("https://crm/hook", false, true).is_ok());
        assert!(check_url("http://crm/hook", true, false).is_ok());
        for internal in [
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://192.168.0.1/h",
            "https://localhost/h",
            "https://[::1]/h",
            "https://[fd00::1]/h",
            "https://169.254.169.254/latest",
            "https://[::ffff:127.0.0.1]/h",
            "https://[fe80::1]/h",
            "https://0.0.0.0/h",
        ] {
            assert!(check_url(internal, false, false).is_err(), "{internal}");
            assert!(check_url(internal, true, false).is_err(), "{internal}");
        }
        assert!(check_url("https://user:pw@example.ru/h", false, false).is_err());
        assert!(check_url("example.ru/hook", false, false).is_err());
        assert!(check_url("ftp://example.ru/hook", true, true).is_err());
    }
}
