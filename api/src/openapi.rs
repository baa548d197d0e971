//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/api/openapi.json`, committed as `openapi/openapi.json`, and a test keeps the two equal
//! (`api openapi openapi/openapi.json` regenerates the file).

use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

use crate::routes::{admin, auth, esia, health, kb, me, regions};

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
    paths(
        health::healthz,
        health::readyz,
        health::metrics,
        regions::list_regions,
        auth::auth_max,
        auth::refresh,
        auth::logout,
        auth::dev_login,
        auth::login,
        auth::totp_enroll,
        esia::esia_start,
        esia::esia_callback,
        me::get_me,
        me::update_me,
        me::erase_me,
        me::request_verification,
        me::link_max,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        admin::decide_verification,
        admin::list_api_keys,
        admin::create_api_key,
        admin::revoke_api_key,
        admin::list_audit,
        kb::search,
        kb::list_articles,
        kb::create_article,
        kb::get_article,
        kb::update_article,
        kb::publish_article,
        kb::archive_article,
        kb::list_versions,
        kb::list_variants,
        kb::confirm_variant,
        kb::reject_variant,
        kb::get_synonyms,
        kb::put_synonyms,
    ),
    components(schemas(shared::Problem, shared::FieldError, shared::Region)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Состояние сервиса"),
        (name = "regions", description = "Справочник регионов"),
        (name = "auth", description = "Вход: через MAX, сотрудники по паролю и TOTP, обновление токенов"),
        (name = "me", description = "Свой профиль, подтверждение учителя, удаление персональных данных"),
        (name = "admin", description = "Пользователи и роли, подтверждение учителей, API-ключи, журнал аудита"),
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
    ApiDoc::openapi()
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
