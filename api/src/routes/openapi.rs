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
    components(schemas(shared::Problem, shared::FieldError, shared::Region)),
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
    doc
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
