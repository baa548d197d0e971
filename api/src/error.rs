//! The service's one error type: every failure of the domain, storage or a handler is an
//! [`ApiError`] with a stable `code`, a Russian `detail` and the HTTP status it stands for.
//! This module knows no web framework; `routes::problem` turns an error into the
//! `application/problem+json` answer (RFC 9457) at the edge.

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
    /// The message is only a courtesy (thanks, a greeting, «ок»): not a question for the
    /// knowledge base or an operator, so no appeal is created.
    #[error("это не вопрос")]
    NotAQuestion,
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
            Self::NotAQuestion => "not_a_question",
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
            Self::NotAQuestion => "Похоже, это благодарность или приветствие, а не вопрос. \
                 Напишите, что именно вы хотите узнать о документах, — и мы ответим."
                .to_owned(),
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

    /// The HTTP status this error stands for.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound | Self::RouteNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::MalformedBody(_) | Self::MalformedQuery(_) => 400,
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge { .. } => 413,
            Self::Validation { .. } | Self::NotAQuestion => 422,
            Self::Unauthorized | Self::AuthFailed { .. } => 401,
            Self::Forbidden | Self::RegionOutOfScope | Self::Denied { .. } => 403,
            Self::Conflict { .. } => 409,
            Self::Gone { .. } => 410,
            Self::RateLimited { .. } => 429,
            Self::Unavailable | Self::UpstreamUnavailable { .. } => 503,
            Self::Internal(_) => 500,
        }
    }

    /// The problem document of this error.
    #[must_use]
    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".to_owned(),
            title: title(status).to_owned(),
            status,
            code: self.code().to_owned(),
            detail: self.detail(),
            errors: match self {
                Self::Validation { errors, .. } => errors.clone(),
                // Shown under the question field, like a validation error of the text.
                Self::NotAQuestion => vec![FieldError {
                    field: "text".to_owned(),
                    code: self.code().to_owned(),
                    message: self.detail(),
                }],
                _ => Vec::new(),
            },
        }
    }
}

fn title(status: u16) -> &'static str {
    match status {
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
