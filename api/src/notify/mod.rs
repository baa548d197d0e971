//! Outgoing notifications: the MAX Bot API client ([`max`]), the bot's message texts
//! ([`bot`]), SMTP e-mail ([`email`]) and signed integrator webhooks ([`webhook`]).
//!
//! Nothing here touches the database. Notifications are written to the outbox inside the
//! transaction of the change that causes them (`crate::domain::notifications::events`, `crate::domain::notifications::outbox`); the
//! worker (`crate::jobs`) later hands each one to these clients and records the outcome.

pub mod bot;
pub mod email;
pub mod max;
pub mod webhook;

use std::time::Duration;

/// Why a delivery did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// What went wrong, for the outbox's `last_error` (never shown to teachers).
    pub message: String,
    /// The receiver's HTTP status (or SMTP reply code), when it answered.
    pub status: Option<u16>,
    /// The receiver asked to wait this long (HTTP 429 `Retry-After`).
    pub retry_after: Option<Duration>,
    /// Retrying cannot help (an unknown recipient, a deleted subscription): park it now.
    pub permanent: bool,
}

impl DeliveryError {
    /// A failure worth retrying later.
    #[must_use]
    pub fn transient(message: impl Into<String>, status: Option<u16>) -> Self {
        Self {
            message: message.into(),
            status,
            retry_after: None,
            permanent: false,
        }
    }

    /// A failure no retry can fix.
    #[must_use]
    pub fn permanent(message: impl Into<String>, status: Option<u16>) -> Self {
        Self {
            message: message.into(),
            status,
            retry_after: None,
            permanent: true,
        }
    }
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(code) => write!(f, "{} (код {code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Cuts `text` to at most `max` characters, ending with «…» when cut.
#[must_use]
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An RFC 3339 UTC instant as local time of an IANA zone: `02.12.2026 23:59`.
#[must_use]
pub fn local_time(at_rfc3339: &str, timezone: &str) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(at_rfc3339) else {
        return at_rfc3339.to_owned();
    };
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string(),
        Err(_) => at.format("%d.%m.%Y %H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, local_time};

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("привет", 10), "привет");
        assert_eq!(clip("привет", 4), "при…");
        assert_eq!(clip(&"я".repeat(5000), 4000).chars().count(), 4000);
    }

    #[test]
    fn local_time_uses_the_region_zone() {
        assert_eq!(
            local_time("2026-12-02T20:59:59Z", "Europe/Moscow"),
            "02.12.2026 23:59"
        );
        assert_eq!(
            local_time("2026-12-02T20:59:59Z", "Asia/Vladivostok"),
            "03.12.2026 06:59"
        );
    }
}
