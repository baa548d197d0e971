//! The OpenAPI 3.1 document, generated from the handlers' annotations and the one list of
//! operations in `routes` ([`super::Operations`]). It is served at
//! `/api/openapi.json`, committed as `openapi/openapi.json`, and a test keeps the two equal
//! (`api openapi openapi/openapi.json` regenerates the file).

use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

/// The whole REST surface.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Помощник API",
        description = "REST API сервиса «Помощник»: вопросы учителей о документационной нагрузке, \
ответы из базы знаний и от операторов региона, оценки и мониторинг.\n\n\
Ошибки возвращаются как `application/problem+json` (RFC 9457) со стабильным полем `code` и \
понятным текстом `detail` на русском языке. Списки пользовательских данных постраничные \
(`cursor`, `limit`), справочники отдаются целиком.",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "MIT")
    ),
    components(schemas(
        shared::Problem,
        shared::FieldError,
        shared::Region,
        shared::integrations::WebhookEvent,
        shared::integrations::WebhookEventData
    )),
    tags(
        (name = "health", description = "Состояние сервиса"),
        (name = "webhooks", description = crate::routes::webhooks::TAG_DESCRIPTION),
        (name = "max", description = "Бот MAX: входящие обновления (вызывает платформа MAX с секретным заголовком)"),
        (name = "regions", description = "Справочник регионов"),
        (name = "stats", description = "Мониторинг: сводка за период, регионы, динамика, операторы (периоды — даты по Москве)"),
        (name = "reports", description = "Отчёты: обращения за период в CSV и XLSX"),
        (name = "auth", description = "Вход: через MAX, сотрудники по паролю и TOTP или по ссылке-приглашению, обновление токенов"),
        (name = "me", description = "Свой профиль, подтверждение учителя, удаление персональных данных"),
        (name = "admin", description = "Пользователи и роли, подтверждение учителей, API-ключи, журнал аудита"),
        (name = "appeals", description = "Обращения: вопрос, ответы, переписка, оценка; для сотрудников — очередь региона"),
        (name = "calendar", description = "Производственный календарь: рабочие дни для сроков ответа"),
        (name = "help", description = "«Помощь» для учителей и сотрудников: текст из data/help"),
        (name = "campaigns", description = "Рассылки учителям через бота MAX (охват, отписка) и промокоды со ссылкой, QR-кодом и плакатом"),
        (name = "kb", description = "База знаний: поиск ответов, статьи и версии, варианты вопросов, словарь синонимов"),
    )
)]
pub struct ApiDoc;

/// `Authorization: Bearer <token>`: an access JWT or an integrator API key (`pk_…`).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Токен доступа (JWT) из /api/v1/auth/* или API-ключ интегратора (pk_…).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as the server serves it.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::Operations::openapi());
    // The modifiers see every operation, so they run after the paths are in.
    BearerAuth.modify(&mut doc);
    StandardProblems.modify(&mut doc);
    Webhooks.modify(&mut doc);
    // The doc comments are English for developers; integrators read the Russian.
    super::openapi_ru::translate(&mut doc);
    doc
}

/// What each webhook event means, for the `webhooks` section (Russian, like the rest of the
/// texts integrators read): summary and description.
fn webhook_text(event: &str) -> (&'static str, &'static str) {
    match event {
        "appeal.created" => ("Новое обращение", "Учитель задал вопрос (в мини-приложении, в боте или через API). Если сразу ответила база знаний, следом придёт `appeal.answered`."),
        "appeal.answered" => ("Дан ответ", "Ответ из базы знаний (`answers[].source` = `bot`) или оператора (`operator`). Кто ответил, не сообщается."),
        "appeal.clarification_requested" => ("Оператор задал уточняющий вопрос", "Статус не меняется; учитель получает уведомление и может ответить (`appeal.follow_up`)."),
        "appeal.follow_up" => ("Учитель написал снова", "Дополнение в переписке. Обращение с ответом возвращается в работу с новым сроком (`deadline_at`)."),
        "appeal.escalated" => ("Передано специалистам", "«Не помогло»: ответ из базы знаний не подошёл, обращение ушло операторам региона со сроком ответа."),
        "appeal.transferred" => ("Передано в другой регион", "`region` — новый регион, срок пересчитан. Подписка получает событие, если включает новый регион."),
        "appeal.withdrawn" => ("Учитель отозвал обращение", "Обращение закрыто, `close_reason` = `withdrawn`."),
        "appeal.rated" => ("Ответ оценён", "Оценка (в `answers[].rating`) закрывает открытое обращение с `close_reason` = `rated`."),
        "appeal.closed" => ("Обращение закрыто", "Оператором (`off_topic`, `duplicate`, `spam`), выбором предложенной статьи (`self_served`) или автоматически через 14 дней без оценки и вопросов (`expired`): причина в `close_reason`, время в `closed_at`. Отзыв и оценка приходят своими событиями."),
        _ => ("Срок ответа истёк", "Обращение всё ещё открыто после `deadline_at` (`is_overdue` = `true`)."),
    }
}

/// The OpenAPI 3.1 `webhooks` section: every event an integrator may subscribe to, with the
/// body's schema (the `WebhookEvent` envelope, its `type` fixed) and the delivery headers.
/// utoipa has no field for it, so it goes in as a top-level key through the extensions map.
struct Webhooks;

impl Modify for Webhooks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use serde_json::{json, Map, Value};
        let header = |name: &str, description: &str, schema: Value| {
            json!({ "name": name, "in": "header", "required": true,
                    "description": description, "schema": schema })
        };
        let headers = json!([
            header(
                crate::notify::webhook::EVENT_ID_HEADER,
                "Идентификатор события (`id` в теле); одинаков при повторах — по нему убирайте дубли.",
                json!({ "type": "string" }),
            ),
            header(
                crate::notify::webhook::EVENT_TYPE_HEADER,
                "Тип события (`type` в теле).",
                json!({ "type": "string" }),
            ),
            header(
                crate::notify::webhook::SIGNATURE_HEADER,
                "`t=<unix-секунды>,v1=<hex HMAC-SHA256(secret, \"<t>.<тело>\")>`; после смены \
                 секрета 24 часа два значения `v1=` (новый и старый секрет). Проверка — в \
                 описании раздела «webhooks».",
                json!({ "type": "string", "pattern": "^t=[0-9]+(,v1=[0-9a-f]{64})+$" }),
            ),
        ]);
        let mut section = Map::new();
        for event in crate::domain::notifications::events::WEBHOOK_EVENTS {
            let (summary, description) = webhook_text(event);
            let schema = json!({ "allOf": [
                { "$ref": "#/components/schemas/WebhookEvent" },
                { "type": "object", "properties": { "type": { "const": event } } },
            ] });
            section.insert(
                event.to_owned(),
                json!({ "post": {
                    "tags": ["webhooks"],
                    "summary": summary,
                    "description": description,
                    "parameters": headers,
                    "requestBody": { "required": true, "content": {
                        "application/json": { "schema": schema } } },
                    "responses": { "2XX": { "description":
                        "Принято. Любой другой ответ — доставка повторится с растущей паузой." } },
                } }),
            );
        }
        openapi
            .extensions
            .get_or_insert_with(Default::default)
            .insert("webhooks".to_owned(), Value::Object(section));
    }
}

/// The document as pretty JSON with a trailing newline (the committed file's form).
///
/// # Errors
/// Serialization failed (a bug).
pub fn to_pretty_json() -> serde_json::Result<String> {
    serde_json::to_string_pretty(&document()).map(|mut s| {
        s.push('\n');
        s
    })
}

/// Answers every operation can give besides its own, added to each so that clients (and
/// the spec-driven fuzzer) find them documented: a malformed request (400), a body that is
/// too large (413) or not JSON (415) where there is a body, no or a bad token (401) where
/// one is required, a key still in use or reused with another request (409, 422) where an
/// `Idempotency-Key` is accepted, and a database that is down (503).
struct StandardProblems;

impl Modify for StandardProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let mut add = |code: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                add(
                    "400",
                    "Запрос не удалось разобрать (`malformed_body`, `malformed_query`)",
                );
                add("503", "База данных или внешний сервис временно недоступны");
                if operation.request_body.is_some() {
                    add(
                        "413",
                        "Тело запроса больше допустимого (`payload_too_large`)",
                    );
                    add(
                        "415",
                        "Неподдерживаемый тип содержимого (`unsupported_media_type`)",
                    );
                }
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add("401", "Нет входа или токен недействителен (`unauthorized`)");
                }
                let keyed = operation
                    .parameters
                    .as_ref()
                    .is_some_and(|params| params.iter().any(|p| p.name == "Idempotency-Key"));
                if keyed {
                    add(
                        "409",
                        "Такой же запрос с этим ключом ещё выполняется \
                         (`idempotency_in_progress`) или его ответ больше не может быть показан \
                         (`idempotency_replay_unavailable`)",
                    );
                    add(
                        "422",
                        "Ключ Idempotency-Key уже использован с другим запросом \
                         (`idempotency_key_reused`)",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_webhook_event_is_documented() {
        let doc = serde_json::to_value(super::document()).unwrap();
        for event in crate::domain::notifications::events::WEBHOOK_EVENTS {
            let body = &doc["webhooks"][event]["post"]["requestBody"];
            assert!(body.is_object(), "{event}");
        }
        assert!(doc["components"]["schemas"]["WebhookEvent"].is_object());
    }
}
