//! Integrator webhooks (administrators): subscriptions, a test ping, secret rotation and
//! the delivery log of each subscription. Deliveries are outbox rows, signed and retried by
//! the worker (see [`crate::notify::webhook`] and [`TAG_DESCRIPTION`]).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use shared::integrations::{
    CreateWebhook, CreatedWebhook, RotatedSecret, Webhook, WebhookDeliveryInfo, WebhookPing,
};
use shared::Page;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::integrations::webhooks::{self as domain, NewWebhook};
use crate::domain::pagination::PageQuery;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// The OpenAPI description of the `webhooks` tag: what is sent and how to verify it.
pub const TAG_DESCRIPTION: &str = "Вебхуки для интеграторов (управляет администратор).

Подписка получает по выбранным регионам события о каждом изменении, которое видит учитель: \
`appeal.created`, `appeal.answered`, `appeal.clarification_requested`, `appeal.follow_up`, \
`appeal.escalated`, `appeal.transferred`, `appeal.withdrawn`, `appeal.rated`, `appeal.closed`, \
`appeal.overdue` (схемы — в разделе `webhooks` документа). Каждое событие — `POST` на адрес \
подписки с телом `WebhookEvent`: `{ \"id\", \"type\", \"created_at\", \"sequence\", \"data\": \
{ \"appeal\": Appeal } }`, где `sequence` — номер события обращения (1, 2, … по всем типам \
событий), а в обращении нет имени автора для анонимных и нет имён операторов; заголовки:

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
    caller.may(Action::ListWebhooks)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| domain::list_webhooks(conn, limit, cursor))
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
    caller.may(Action::CreateWebhook)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_webhook", &body);
    let new = NewWebhook::new(
        &body,
        state.config.is_dev(),
        state.config.webhook_allow_private,
    )?;
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
                |conn| domain::create_webhook(conn, &caller, &new),
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
    caller.may(Action::DeleteWebhook)?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| domain::delete_webhook(conn, &caller, &id))
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
    caller.may(Action::PingWebhook)?;
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
                |conn| domain::ping_webhook(conn, &id),
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
    caller.may(Action::RotateWebhookSecret)?;
    let id = id.into_inner();
    let fingerprint = idempotency::fingerprint("rotate_webhook_secret", &id);
    let secret = domain::new_secret();
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
                |conn| domain::rotate_webhook_secret(conn, &caller, &id, &secret),
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
    caller.may(Action::ListWebhookDeliveries)?;
    let id = id.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| domain::list_webhook_deliveries(conn, &id, limit, cursor))
        .await?;
    Ok(web::Json(page))
}
