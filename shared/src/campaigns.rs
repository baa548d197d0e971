//! Announcement campaigns («Рассылки») and promo codes: what the supervisors' screens and the
//! API exchange.

use serde::{Deserialize, Serialize};

/// The longest campaign text (the MAX Bot API's limit on a message).
pub const MAX_CAMPAIGN_TEXT: usize = 4000;

/// Education levels an audience may name (`school | spo | doo`).
pub const LEVELS: [&str; 3] = ["school", "spo", "doo"];

/// `POST /api/v1/campaigns` and `PATCH /api/v1/campaigns/{id}` (a patch replaces the draft's
/// fields; a scheduled campaign goes back to the draft when edited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CampaignInput {
    /// A name for the list (not sent), up to 200 characters.
    pub title: String,
    /// The message (MAX markdown subset: `*жирный*`, `_курсив_`, ссылки), up to 4000 characters.
    pub text: String,
    /// The label of a button that opens the mini-app; none: no button beside «Отписаться».
    pub button_text: Option<String>,
    /// The mini-app screen the button opens (its `start_param`, e.g. `kb`); none: the
    /// campaign's own deep link `campaign-<id>`.
    pub button_start: Option<String>,
    /// Region codes; empty: every region (federal users only).
    pub regions: Vec<String>,
    /// Education levels (`school`, `spo`, `doo`); empty: every level.
    pub levels: Vec<String>,
    /// Only verified teachers (otherwise every teacher who accepted the consent).
    pub verified_only: bool,
    /// When to start (RFC 3339); none: keep as a draft.
    pub start_at: Option<String>,
}

/// A campaign with its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Campaign {
    /// Id.
    pub id: String,
    /// Name for the list.
    pub title: String,
    /// The message.
    pub text: String,
    /// The mini-app button's label.
    pub button_text: Option<String>,
    /// The button's `start_param`.
    pub button_start: Option<String>,
    /// Region codes (empty: every region).
    pub regions: Vec<String>,
    /// Education levels (empty: every level).
    pub levels: Vec<String>,
    /// Verified teachers only.
    pub verified_only: bool,
    /// `draft`, `scheduled`, `sending`, `done` or `cancelled`.
    pub status: String,
    /// Planned start.
    pub start_at: Option<String>,
    /// Recipients found so far (the audience is expanded in batches).
    pub recipients: i64,
    /// When created.
    pub created_at: String,
    /// When sending finished or was cancelled.
    pub finished_at: Option<String>,
}

/// One line of the reach table (a region and level, or the total with both empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct ReachRow {
    /// Region code (none on the total line or when unknown).
    pub region: Option<String>,
    /// Education level, when profiles carry it.
    pub level: Option<String>,
    /// Recipients.
    pub recipients: i64,
    /// Handed to the MAX Bot API (accepted or refused).
    pub sent: i64,
    /// Accepted by the platform.
    pub delivered: i64,
    /// Refused by the platform (e.g. the bot is blocked).
    pub failed: i64,
    /// Skipped: stopped the bot, unsubscribed, erased their data, or cancelled.
    pub skipped: i64,
    /// Opened: the button's deep link, or the first mini-app launch within 72 hours after
    /// delivery.
    pub opened: i64,
    /// Opened over delivered, in per cent (one decimal).
    pub open_rate: f64,
}

/// `GET /api/v1/campaigns/{id}/reach`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CampaignReach {
    /// The whole campaign.
    pub total: ReachRow,
    /// Per region and level.
    pub rows: Vec<ReachRow>,
}

/// `POST /api/v1/promo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct PromoInput {
    /// Where it is used, e.g. «Плакат в школах Казани» (up to 200 characters).
    pub title: String,
    /// The region it is for (heads: one of theirs; federal: any or none).
    pub region: Option<String>,
}

/// A promo code with its link and launches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Promo {
    /// Id.
    pub id: String,
    /// The code (`start_param=promo-<code>`).
    pub code: String,
    /// Where it is used.
    pub title: String,
    /// Region.
    pub region: Option<String>,
    /// The link that opens the mini-app with the code.
    pub link: String,
    /// Launches through the code so far.
    pub launches: i64,
    /// When created.
    pub created_at: String,
}
