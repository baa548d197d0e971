//! The one place where errors become HTTP answers: every error is an RFC 9457
//! `application/problem+json` document with a stable `code` and a Russian `detail`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use shared::{FieldError, Problem};

/// Every error a handler can return. Each variant has one status and one stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The object does not exist or is outside the caller's scope (ids cannot be probed).
    #[error("не найдено")]
    NotFound,
    /// No route matches the path.
    #[error("нет такого адреса")]
    RouteNotFound,
    /// The route exists but not for this method.
    #[error("метод не поддерживается")]
    MethodNotAllowed,
    /// The body is not valid JSON or does not fit the expected shape.
    #[error("{0}")]
    MalformedBody(String),
    /// A query string parameter is malformed.
    #[error("{0}")]
    MalformedQuery(String),
    /// The body is not of a supported content type.
    #[error("неподдерживаемый тип содержимого")]
    UnsupportedMediaType,
    /// The body is larger than allowed.
    #[error("тело запроса слишком большое")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Field-level validation failed.
    #[error("{detail}")]
    Validation {
        /// Summary for the user.
        detail: String,
        /// One entry per invalid field.
        errors: Vec<FieldError>,
    },
    /// No credentials, or credentials that are not valid.
    #[error("требуется вход")]
    Unauthorized,
    /// A sign-in attempt failed, with its own stable code (e.g. `invalid_credentials`).
    #[error("{detail}")]
    AuthFailed {
        /// Stable snake_case code.
        code: &'static str,
        /// Russian explanation.
        detail: String,
    },
    /// A state conflict that forbids the action, with its own code (e.g. `teacher_not_verified`).
    #[error("{detail}")]
    Denied {
        /// Stable snake_case code.
        code: &'static str,
        /// Russian explanation.
        detail: String,
    },
    /// The caller's role may not do this.
    #[error("недостаточно прав")]
    Forbidden,
    /// A `region` filter outside the caller's regions.
    #[error("регион вне вашей зоны ответственности")]
    RegionOutOfScope,
    /// A state conflict with its own stable code (e.g. `already_assigned`).
    #[error("{detail}")]
    Conflict {
        /// Stable snake_case code.
        code: &'static str,
        /// Russian explanation.
        detail: String,
    },
    /// A one-time link that does not work (unknown, already used or expired), with its own
    /// code (e.g. `invite_invalid`).
    #[error("{detail}")]
    Gone {
        /// Stable snake_case code.
        code: &'static str,
        /// Russian explanation.
        detail: String,
    },
    /// Too many requests; retry after this many seconds.
    #[error("слишком много запросов")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// The database (or another dependency) is not available right now.
    #[error("сервис временно недоступен")]
    Unavailable,
    /// An outside service this request needs (ESIA, a signer) is down, with its own code.
    #[error("{detail}")]
    UpstreamUnavailable {
        /// Stable snake_case code, e.g. `esia_unavailable`.
        code: &'static str,
        /// Russian explanation.
        detail: String,
    },
    /// A bug or an unexpected failure; details go to the log, not to the client.
    #[error("внутренняя ошибка")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A validation error with one field.
    #[must_use]
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Validation {
            detail: message.to_owned(),
            errors: vec![FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.to_owned(),
            }],
        }
    }

    /// Wraps any unexpected error.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The stable machine code of this error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::MalformedBody(_) => "malformed_body",
            Self::MalformedQuery(_) => "malformed_query",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::Validation { .. } => "validation_failed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::RegionOutOfScope => "region_out_of_scope",
            Self::Conflict { code, .. }
            | Self::AuthFailed { code, .. }
            | Self::Denied { code, .. }
            | Self::Gone { code, .. }
            | Self::UpstreamUnavailable { code, .. } => code,
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// Russian text for the user.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Self::NotFound => "Запрошенный объект не найден.".to_owned(),
            Self::RouteNotFound => "Такого адреса в API нет. Список адресов: /api/docs.".to_owned(),
            Self::MethodNotAllowed => "Этот адрес не поддерживает такой метод запроса.".to_owned(),
            Self::MalformedBody(d) | Self::MalformedQuery(d) => d.clone(),
            Self::UnsupportedMediaType => {
                "Тело запроса должно быть в формате JSON (Content-Type: application/json)."
                    .to_owned()
            }
            Self::PayloadTooLarge { limit } => {
                format!(
                    "Тело запроса больше допустимого размера ({} КБ).",
                    limit / 1024
                )
            }
            Self::Validation { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::AuthFailed { detail, .. }
            | Self::Denied { detail, .. }
            | Self::Gone { detail, .. }
            | Self::UpstreamUnavailable { detail, .. } => detail.clone(),
            Self::Unauthorized => "Войдите в сервис: нет действующего токена доступа.".to_owned(),
            Self::Forbidden => "У вашей роли нет прав на это действие.".to_owned(),
            Self::RegionOutOfScope => {
                "Этот регион не входит в вашу зону ответственности.".to_owned()
            }
            Self::RateLimited { retry_after } => {
                format!("Слишком много запросов. Повторите через {retry_after} с.")
            }
            Self::Unavailable => "Сервис временно недоступен, повторите попытку позже.".to_owned(),
            Self::Internal(_) => {
                "Внутренняя ошибка сервиса. Мы уже знаем о ней; повторите попытку позже.".to_owned()
            }
        }
    }

    /// The problem document of this error.
    #[must_use]
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            kind: "about:blank".to_owned(),
            title: title(status).to_owned(),
            status: status.as_u16(),
            code: self.code().to_owned(),
            detail: self.detail(),
            errors: match self {
                Self::Validation { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Неверный запрос",
        401 => "Требуется вход",
        403 => "Доступ запрещён",
        404 => "Не найдено",
        405 => "Метод не поддерживается",
        409 => "Конфликт",
        410 => "Больше не действует",
        413 => "Слишком большой запрос",
        415 => "Неподдерживаемый тип содержимого",
        422 => "Ошибка в данных",
        429 => "Слишком много запросов",
        503 => "Сервис недоступен",
        _ => "Внутренняя ошибка",
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::MalformedBody(_) | Self::MalformedQuery(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized | Self::AuthFailed { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::RegionOutOfScope | Self::Denied { .. } => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::UpstreamUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(err) = self {
            // The cause goes to the log only; the client gets the generic text.
            tracing::error!(error = %format!("{err:#}"), "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Self::RateLimited { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if matches!(self, Self::Unauthorized | Self::AuthFailed { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Conflict {
                code: "already_exists",
                detail: "Такая запись уже существует.".to_owned(),
            },
            other => Self::internal(other),
        }
    }
}

/// Maps actix's JSON extractor errors to clear problems instead of its plain-text answers.
#[must_use]
pub fn json_error(err: &actix_web::error::JsonPayloadError, limit: usize) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::PayloadTooLarge { limit },
        E::ContentType => ApiError::UnsupportedMediaType,
        E::Deserialize(e) if e.is_data() => ApiError::MalformedBody(format!(
            "Данные запроса не подходят по формату: {}",
            describe_serde(e)
        )),
        E::Deserialize(_) => {
            ApiError::MalformedBody("Тело запроса — не корректный JSON.".to_owned())
        }
        _ => ApiError::MalformedBody("Не удалось прочитать тело запроса.".to_owned()),
    }
}

/// Maps query-string errors.
#[must_use]
pub fn query_error(err: &actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::MalformedQuery(format!("Неверные параметры запроса: {err}"))
}

/// Maps path-segment errors (e.g. a non-number where a number is expected).
#[must_use]
pub fn path_error(err: &actix_web::error::PathError) -> ApiError {
    ApiError::MalformedQuery(format!("Неверный адрес: {err}"))
}

/// serde's messages are English; keep the field position, which helps integrators.
fn describe_serde(err: &serde_json::Error) -> String {
    format!("строка {}, позиция {} ({err})", err.line(), err.column())
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use actix_web::ResponseError;

    #[test]
    fn every_variant_has_a_distinct_code_and_russian_detail() {
        let all = [
            ApiError::NotFound,
            ApiError::RouteNotFound,
            ApiError::MethodNotAllowed,
            ApiError::MalformedBody("Плохой JSON".into()),
            ApiError::MalformedQuery("Плохой параметр".into()),
            ApiError::UnsupportedMediaType,
            ApiError::PayloadTooLarge { limit: 1024 },
            ApiError::field("text", "too_short", "Коротко"),
            ApiError::Unauthorized,
            ApiError::AuthFailed {
                code: "invalid_credentials",
                detail: "Неверно".into(),
            },
            ApiError::Denied {
                code: "teacher_not_verified",
                detail: "Нужно подтверждение".into(),
            },
            ApiError::Forbidden,
            ApiError::RegionOutOfScope,
            ApiError::Conflict {
                code: "already_assigned",
                detail: "Занято".into(),
            },
            ApiError::Gone {
                code: "invite_invalid",
                detail: "Ссылка не действует".into(),
            },
            ApiError::RateLimited { retry_after: 5 },
            ApiError::Unavailable,
            ApiError::UpstreamUnavailable {
                code: "esia_unavailable",
                detail: "Госуслуги недоступны".into(),
            },
            ApiError::internal(anyhow::anyhow!("boom")),
        ];
        let mut codes: Vec<_> = all.iter().map(ApiError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for err in &all {
            let problem = err.problem();
            assert_eq!(problem.status, err.status_code().as_u16());
            assert!(
                problem.detail.chars().any(|c| ('а'..='я').contains(&c)),
                "{problem:?}"
            );
            assert!(
                !problem.detail.contains("boom"),
                "internal causes must not leak"
            );
        }
    }

    #[test]
    fn rate_limit_sets_retry_after() {
        let response = ApiError::RateLimited { retry_after: 7 }.error_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers().get("retry-after").unwrap(), "7");
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
}
