//! The HTTP edge of [`ApiError`]: its `application/problem+json` answer (RFC 9457), and the
//! mapping of actix's extractor failures to problems instead of actix's plain-text answers.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
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
    use crate::error::ApiError;
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
            ApiError::NotAQuestion,
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
