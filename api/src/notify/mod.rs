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

use chrono::{Datelike, Offset};

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

/// Short month names as the mini-app shows them («5 дек., 12:26»).
const MONTHS: [&str; 12] = [
    "янв.",
    "февр.",
    "мар.",
    "апр.",
    "мая",
    "июн.",
    "июл.",
    "авг.",
    "сент.",
    "окт.",
    "нояб.",
    "дек.",
];

/// The zone's name as Russians say it, from its offset to UTC: «МСК», «МСК+2», «МСК−1».
#[must_use]
pub fn zone_name(offset_seconds: i32) -> String {
    let diff = offset_seconds / 60 - 180;
    let (sign, abs) = if diff < 0 {
        ('−', -diff)
    } else {
        ('+', diff)
    };
    match (abs / 60, abs % 60) {
        (0, 0) => "МСК".to_owned(),
        (h, 0) => format!("МСК{sign}{h}"),
        (h, m) => format!("МСК{sign}{h}:{m:02}"),
    }
}

/// An RFC 3339 UTC instant on the clock of an IANA zone (the region's), in the one shape
/// of every screen and message: `11 дек., 23:59 (МСК)`, the year added when it is not
/// this year (`3 янв. 2027, 23:59 (МСК+7)`). An unknown zone reads as Moscow time.
#[must_use]
pub fn local_time(at_rfc3339: &str, timezone: &str) -> String {
    let this_year = chrono::Utc::now().year();
    local_time_in(at_rfc3339, timezone, this_year)
}

fn local_time_in(at_rfc3339: &str, timezone: &str, this_year: i32) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(at_rfc3339) else {
        return at_rfc3339.to_owned();
    };
    let tz = timezone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::Europe::Moscow);
    let local = at.with_timezone(&tz);
    let month = MONTHS[local.month0() as usize];
    let year = if local.year() == this_year {
        String::new()
    } else {
        format!(" {}", local.year())
    };
    format!(
        "{} {month}{year}, {} ({})",
        local.day(),
        local.format("%H:%M"),
        zone_name(local.offset().fix().local_minus_utc())
    )
}

#[cfg(test)]
mod tests {
    use super::{clip, local_time_in};

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("привет", 10), "привет");
        assert_eq!(clip("привет", 4), "при…");
        assert_eq!(clip(&"я".repeat(5000), 4000).chars().count(), 4000);
    }

    #[test]
    fn local_time_uses_the_region_zone_and_names_it() {
        assert_eq!(
            local_time_in("2026-12-02T20:59:59Z", "Europe/Moscow", 2026),
            "2 дек., 23:59 (МСК)"
        );
        assert_eq!(
            local_time_in("2026-12-02T20:59:59Z", "Asia/Vladivostok", 2026),
            "3 дек., 06:59 (МСК+7)"
        );
        assert_eq!(
            local_time_in("2026-12-02T20:59:59Z", "Europe/Kaliningrad", 2027),
            "2 дек. 2026, 22:59 (МСК−1)"
        );
        assert_eq!(
            local_time_in("2026-05-02T20:59:59Z", "Nowhere/Atlantis", 2026),
            "2 мая, 23:59 (МСК)"
        );
    }
}
