//! Integrations that administrators manage: webhook subscriptions and their deliveries,
//! and the outbox of notifications.

use serde::{Deserialize, Serialize};

/// Where a notification of the outbox is (`outbox.status`). The API shows it as text
/// (`OutboxItem::status`), so no utoipa derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Claimed by a worker (until `locked_until`).
    Delivering,
    /// Delivered.
    Done,
    /// Gave up; an administrator may retry it.
    Dead,
}

impl OutboxStatus {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivering => "delivering",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "delivering" => Some(Self::Delivering),
            "done" => Some(Self::Done),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// A status equals its stored name (`row.status == "dead"` reads as it did with text).
impl PartialEq<&str> for OutboxStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A webhook subscription (the secret is shown only when created or rotated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Webhook {
    /// Subscription id.
    pub id: String,
    /// Receiver URL.
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<String>,
    /// Regions whose appeals are sent.
    pub regions: Vec<String>,
    /// When it was created.
    pub created_at: String,
    /// Until when the previous secret still signs deliveries (after a rotation).
    pub previous_secret_valid_until: Option<String>,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Receiver URL: `https://…` (plain `http` and local addresses only in development).
    pub url: String,
    /// Any of `appeal.created`, `appeal.answered`, `appeal.rated`, `appeal.overdue`.
    pub events: Vec<String>,
    /// Region codes, e.g. `["77", "50"]`.
    pub regions: Vec<String>,
}

/// A new subscription with its signing secret (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CreatedWebhook {
    /// The subscription.
    pub webhook: Webhook,
    /// The signing secret; store it, it is not shown again.
    pub secret: String,
}

/// A rotated secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RotatedSecret {
    /// The new signing secret (shown once).
    pub secret: String,
    /// The previous secret keeps verifying until then (24 hours).
    pub previous_secret_valid_until: String,
}

/// A queued test event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct WebhookPing {
    /// The delivery (see the delivery log).
    pub delivery_id: String,
    /// `X-Pomoshnik-Event-Id` of the test event (type `ping`).
    pub event_id: String,
}

/// One delivery of a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct WebhookDeliveryInfo {
    /// Delivery id (an outbox row; `POST /api/v1/admin/outbox/{id}/retry` retries it).
    pub id: String,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `delivering`, `done` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// The receiver's last HTTP status.
    pub response_code: Option<i32>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: String,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

/// One notification in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct OutboxItem {
    /// Id.
    pub id: String,
    /// `webhook`, `max_message`, `max_callback` or `email`.
    pub kind: String,
    /// Where it goes, in words (no personal data).
    pub target: String,
    /// `pending`, `delivering`, `done` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: String,
    /// The last failure.
    pub last_error: Option<String>,
    /// The receiver's last HTTP status (or SMTP code).
    pub response_code: Option<i32>,
    /// The webhook subscription, for webhook deliveries.
    pub webhook_id: Option<String>,
    /// When it was written.
    pub created_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

/// The body of every webhook delivery (documented in the OpenAPI `webhooks` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// Event id, also in `X-Pomoshnik-Event-Id`: the same on every retry (deduplicate on it).
    pub id: String,
    /// Event type, also in `X-Pomoshnik-Event-Type`, e.g. `appeal.answered`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened.
    pub created_at: String,
    /// The appeal's event number: 1, 2, … in the order of that appeal's events (counted
    /// over every event type, subscribed or not), to order deliveries and notice a gap.
    pub sequence: i64,
    /// What the event is about.
    pub data: WebhookEventData,
}

/// `data` of a [`WebhookEvent`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEventData {
    /// The appeal after the event, as integrators see it: no author name when anonymous,
    /// no internal notes, no names of operators (ids only).
    pub appeal: crate::appeals::Appeal,
}

/// What an integrator's API key may do, chosen when the key is created. Keys created before
/// permissions existed read appeals and statistics, as they always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub enum ApiPermission {
    /// Read appeals in the key's regions (list, change feed, one appeal, attachments).
    #[serde(rename = "appeals:read")]
    AppealsRead,
    /// Create appeals on behalf of teachers of the key's regions.
    #[serde(rename = "appeals:create")]
    AppealsCreate,
    /// Read the statistics of the key's regions.
    #[serde(rename = "stats:read")]
    StatsRead,
}

impl ApiPermission {
    /// Every permission.
    pub const ALL: [Self; 3] = [Self::AppealsRead, Self::AppealsCreate, Self::StatsRead];
    /// What a key gets when none are named (and what older keys have).
    pub const DEFAULT: [Self; 2] = [Self::AppealsRead, Self::StatsRead];

    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppealsRead => "appeals:read",
            Self::AppealsCreate => "appeals:create",
            Self::StatsRead => "stats:read",
        }
    }

    /// The permission of a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The permissions stored with a key (a JSON list of names). Unknown names are dropped
    /// and unreadable text gives none, so a key never gains a permission by a fault.
    #[must_use]
    pub fn from_stored(stored: &str) -> Vec<Self> {
        serde_json::from_str::<Vec<String>>(stored)
            .unwrap_or_default()
            .iter()
            .filter_map(|name| Self::parse(name))
            .collect()
    }

    /// The stored form of `permissions`.
    #[must_use]
    pub fn to_stored(permissions: &[Self]) -> String {
        let names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
        serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
    }
}

#[cfg(test)]
mod permission_tests {
    use super::ApiPermission;

    #[test]
    fn stored_permissions_round_trip_and_ignore_unknown_names() {
        let all = ApiPermission::ALL.to_vec();
        assert_eq!(
            ApiPermission::from_stored(&ApiPermission::to_stored(&all)),
            all
        );
        assert_eq!(
            ApiPermission::from_stored(r#"["stats:read","admin:all"]"#),
            [ApiPermission::StatsRead]
        );
        assert!(ApiPermission::from_stored("не json").is_empty());
    }
}
