//! Integrator webhooks (administrators): subscriptions, a test ping, secret rotation and
//! the delivery log of each subscription. Deliveries are outbox rows, signed and retried by
//! the worker (see [`crate::notify::webhook`] and [`TAG_DESCRIPTION`]).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::users::Role;
use shared::Page;
use utoipa::ToSchema;

use crate::auth::{secrets, Caller};
use crate::db::schema::{outbox, regions, webhooks};
use crate::db::{self, audit, AnyConnection};
use crate::error::ApiError;
use crate::events::WEBHOOK_EVENTS;
use crate::idempotency::{self, IdempotencyKey};
use crate::outbox::{Notification, WebhookDelivery};
use crate::routes::pagination::{self, Cursor, PageQuery};
use crate::routes::validate;
use crate::state::AppState;

/// The OpenAPI description of the `webhooks` tag: what is sent and how to verify it.
pub const TAG_DESCRIPTION: &str = "Вебхуки для интеграторов (управляет администратор).

Подписка получает события `appeal.created`, `appeal.answered`, `appeal.rated`, `appeal.overdue` \
по выбранным регионам. Каждое событие — `POST` на адрес подписки с телом \
`{ \"id\", \"type\", \"created_at\", \"data\": { \"appeal\": Appeal } }` (для анонимных обращений \
`author_name` = `null`) и заголовками:

- `X-Pomoshnik-Event-Id` — идентификатор события (одинаков при повторах: по нему убирайте дубли);
- `X-Pomoshnik-Event-Type` — тип события;
- `X-Pomoshnik-Signature: t=<unix-секунды>,v1=<hex HMAC-SHA256(secret, \"<t>.<тело>\")>`.

Ответ 2xx означает «принято»; иначе доставка повторяется с растущей паузой, а после исчерпания \
попыток попадает в журнал как `dead` (её можно повторить). Подпись вычисляется заново при каждой \
попытке, поэтому `t` — время попытки.

**Проверка подписи.** Возьмите тело запроса байт в байт (до разбора JSON), вычислите \
HMAC-SHA256 строки `<t>.<тело>` на ключе `secret` и сравните в постоянном времени с любым из \
значений `v1`. Отклоняйте запросы, у которых `t` старше 5 минут. После смены секрета \
(`rotate-secret`) старый секрет действует ещё 24 часа: в это время заголовок содержит два \
значения `v1=` — для нового и для старого секрета.

```python
import hmac, hashlib, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    parts = [p.split('=', 1) for p in header.split(',')]
    t = next(v for k, v in parts if k == 't')
    if abs(time.time() - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b'.' + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for k, v in parts if k == 'v1')
```

Проверочное значение: секрет `whsec_test`, `t=1700000000`, тело `{\"a\":1}` → \
`v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789`.";

/// A webhook subscription (the secret is shown only when created or rotated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    /// Subscription id.
    pub id: String,
    /// Receiver URL.
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<String>,
    /// Regions whose appeals are sent.
    pub regions: Vec<String>,
    /// When it was created.
    pub created_at: String,
    /// Until when the previous secret still signs deliveries (after a rotation).
    pub previous_secret_valid_until: Option<String>,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Receiver URL: `https://…` (plain `http` and local addresses only in development).
    pub url: String,
    /// Any of `appeal.created`, `appeal.answered`, `appeal.rated`, `appeal.overdue`.
    pub events: Vec<String>,
    /// Region codes, e.g. `["77", "50"]`.
    pub regions: Vec<String>,
}

/// A new subscription with its signing secret (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    /// The subscription.
    pub webhook: Webhook,
    /// The signing secret; store it, it is not shown again.
    pub secret: String,
}

/// A rotated secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RotatedSecret {
    /// The new signing secret (shown once).
    pub secret: String,
    /// The previous secret keeps verifying until then (24 hours).
    pub previous_secret_valid_until: String,
}

/// A queued test event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookPing {
    /// The delivery (see the delivery log).
    pub delivery_id: String,
    /// `X-Pomoshnik-Event-Id` of the test event (type `ping`).
    pub event_id: String,
}

/// One delivery of a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDeliveryInfo {
    /// Delivery id (an outbox row; `POST /api/v1/admin/outbox/{id}/retry` retries it).
    pub id: String,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `delivering`, `done` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// The receiver's last HTTP status.
    pub response_code: Option<i32>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: String,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

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

fn is_internal(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            d == "localhost"
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|suffix| d.ends_with(suffix))
        }
        url::Host::Ipv4(ip) => {
            let [a, b, ..] = ip.octets();
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
        }
        url::Host::Ipv6(ip) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(&url::Host::Ipv4(v4)))
        }
    }
}

/// A receiver URL: absolute, `https` (in development also `http` and local hosts), no
/// credentials or fragment, and in production no address inside a private network.
///
/// # Errors
/// 422 on the `url` field.
pub fn check_url(raw: &str, dev: bool) -> Result<String, ApiError> {
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
    if !dev && is_internal(&host) {
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

fn check_regions(conn: &mut AnyConnection, list: &[String]) -> Result<Vec<String>, ApiError> {
    let mut codes = list
        .iter()
        .map(|r| validate::region("regions", r))
        .collect::<Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        return Err(ApiError::field(
            "regions",
            "required",
            "Укажите хотя бы один регион.",
        ));
    }
    let known: i64 = regions::table
        .filter(regions::code.eq_any(&codes))
        .count()
        .get_result(conn)?;
    if usize::try_from(known).unwrap_or(0) != codes.len() {
        return Err(ApiError::field(
            "regions",
            "unknown",
            "В списке есть неизвестный регион.",
        ));
    }
    Ok(codes)
}

/// Active subscriptions, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Страница подписок", body = Page<Webhook>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Webhook>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| {
            let mut query = webhooks::table
                .filter(webhooks::is_active.eq(true))
                .select(WebhookRow::as_select())
                .into_boxed();
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    webhooks::created_at
                        .lt(at)
                        .or(webhooks::created_at.eq(at).and(webhooks::id.lt(id))),
                );
            }
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
        })
        .await?;
    Ok(web::Json(page))
}

/// Subscribes a URL to appeal events of some regions. The answer holds the signing secret,
/// shown this once. See the section description for the signature and how to verify it.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = CreateWebhook,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Подписка создана (секрет показывается один раз)", body = CreatedWebhook),
        (status = 400, description = "Тело запроса не разобрано", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_webhook", &body);
    let url = check_url(&body.url, state.config.is_dev())?;
    let events = check_events(&body.events)?;
    let secret = secrets::random_token("whsec_");
    let sealer = idempotency::Sealer::from_secret(state.config.jwt_secret.expose());
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once_sealed(
                conn,
                &sealer,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| {
                    let regions = check_regions(conn, &body.regions)?;
                    let id = db::new_id();
                    let now = db::now();
                    diesel::insert_into(webhooks::table)
                        .values((
                            webhooks::id.eq(&id),
                            webhooks::url.eq(&url),
                            webhooks::secret.eq(&secret),
                            webhooks::events.eq(crate::kb::to_json_list(&events)),
                            webhooks::regions.eq(crate::kb::to_json_list(&regions)),
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
                        Some(&serde_json::json!({ "url": url, "events": events, "regions": regions })),
                    )?;
                    Ok(CreatedWebhook {
                        webhook: active(conn, &id)?.info(now),
                        secret: secret.clone(),
                    })
                },
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Ends a subscription: nothing more is sent, waiting deliveries are dropped (marked `dead`).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Подписка")),
    responses(
        (status = 204, description = "Подписка удалена"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой подписки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| {
            let row = active(conn, &id)?;
            diesel::update(webhooks::table.find(&id))
                .set(webhooks::is_active.eq(false))
                .execute(conn)?;
            diesel::update(
                outbox::table
                    .filter(outbox::webhook_id.eq(&id))
                    .filter(outbox::status.eq(crate::outbox::PENDING)),
            )
            .set((
                outbox::status.eq(crate::outbox::DEAD),
                outbox::last_error.eq("подписка удалена"),
            ))
            .execute(conn)?;
            audit::record(
                conn,
                &caller.actor(),
                "webhook.delete",
                "webhook",
                Some(&id),
                Some(&serde_json::json!({ "url": row.url })),
                None,
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends a test event (type `ping`, `data: { "webhook_id" }`) through the usual delivery:
/// signed, retried, and visible in the delivery log.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/ping", tag = "webhooks", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Подписка"),
        ("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ"),
    ),
    responses(
        (status = 202, description = "Тестовое событие поставлено в очередь", body = WebhookPing),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой подписки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let fingerprint = idempotency::fingerprint("ping_webhook", &id);
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::ACCEPTED,
                |conn| {
                    active(conn, &id)?;
                    let event_id = db::new_id();
                    let body = serde_json::json!({
                        "id": event_id,
                        "type": "ping",
                        "created_at": db::rfc3339(db::now()),
                        "data": { "webhook_id": id },
                    })
                    .to_string();
                    let delivery = Notification::Webhook(WebhookDelivery {
                        webhook_id: id.clone(),
                        event_id: event_id.clone(),
                        event_type: "ping".to_owned(),
                        body,
                    });
                    let delivery_id =
                        crate::outbox::enqueue(conn, &delivery, None)?.unwrap_or_default();
                    Ok(WebhookPing {
                        delivery_id,
                        event_id,
                    })
                },
            )
        })
        .await?;
    crate::jobs::wake();
    Ok(answer.into_response())
}

/// Issues a new signing secret. The previous one keeps verifying for 24 hours (deliveries
/// carry a `v1=` for each), so receivers can switch without losing events.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Подписка"),
        ("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ"),
    ),
    responses(
        (status = 200, description = "Новый секрет (показывается один раз)", body = RotatedSecret),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой подписки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let fingerprint = idempotency::fingerprint("rotate_webhook_secret", &id);
    let secret = secrets::random_token("whsec_");
    let sealer = idempotency::Sealer::from_secret(state.config.jwt_secret.expose());
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once_sealed(
                conn,
                &sealer,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::OK,
                |conn| {
                    active(conn, &id)?;
                    let current: String = webhooks::table
                        .find(&id)
                        .select(webhooks::secret)
                        .first(conn)?;
                    let until = db::now() + chrono::Duration::hours(24);
                    diesel::update(webhooks::table.find(&id))
                        .set((
                            webhooks::secret.eq(&secret),
                            webhooks::previous_secret.eq(Some(current)),
                            webhooks::previous_secret_until.eq(Some(until)),
                        ))
                        .execute(conn)?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "webhook.rotate_secret",
                        "webhook",
                        Some(&id),
                        None,
                        Some(&serde_json::json!({ "previous_secret_valid_until": db::rfc3339(until) })),
                    )?;
                    Ok(RotatedSecret {
                        secret: secret.clone(),
                        previous_secret_valid_until: db::rfc3339(until),
                    })
                },
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Recent deliveries of a subscription, newest first, with status and response code.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Подписка"), PageQuery),
    responses(
        (status = 200, description = "Страница доставок", body = Page<WebhookDeliveryInfo>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой подписки", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<WebhookDeliveryInfo>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| {
            active(conn, &id)?;
            let mut query = outbox::table
                .filter(outbox::webhook_id.eq(&id))
                .select(crate::outbox::OutboxRow::as_select())
                .into_boxed();
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    outbox::created_at
                        .lt(at)
                        .or(outbox::created_at.eq(at).and(outbox::id.lt(id))),
                );
            }
            let rows: Vec<crate::outbox::OutboxRow> = query
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
                        status: row.status,
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
        })
        .await?;
    Ok(web::Json(page))
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn urls() {
        assert!(check_url("https://example.ru/hook", false).is_ok());
        assert!(check_url("http://example.ru/hook", false).is_err());
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        for internal in [
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://192.168.0.1/h",
            "https://localhost/h",
            "https://[::1]/h",
            "https://[fd00::1]/h",
            "https://169.254.169.254/latest",
        ] {
            assert!(check_url(internal, false).is_err(), "{internal}");
        }
        assert!(check_url("https://user:pw@example.ru/h", false).is_err());
        assert!(check_url("example.ru/hook", false).is_err());
        assert!(check_url("ftp://example.ru/hook", true).is_err());
    }
}
