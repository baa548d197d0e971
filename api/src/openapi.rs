//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/api/openapi.json`, committed as `openapi/openapi.json`, and a test keeps the two equal
//! (`api openapi openapi/openapi.json` regenerates the file).

use utoipa::OpenApi;

use crate::routes::{health, regions};

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
    ),
    components(schemas(shared::Problem, shared::FieldError, shared::Region)),
    tags(
        (name = "health", description = "Состояние сервиса"),
        (name = "regions", description = "Справочник регионов"),
    )
)]
pub struct ApiDoc;

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
