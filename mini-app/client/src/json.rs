//! The shared DTOs to and from the JavaScript values the browser's JSON parser produces.
//!
//! The browser parses and prints JSON (`Response.json()`, `JSON.stringify`); the DTOs are
//! then read and built field by field with `Reflect`. That keeps serde's generic
//! (de)serializers — the largest part of a small module — out of the WebAssembly. The walk
//! itself is not written here: `shared` derives `js_codec::{Decode, Encode}` from the same
//! serde attributes the api serialises with (feature `js`), and this module only supplies
//! the JavaScript side of it ([`Js`]: a `js_codec` reader and builder over `JsValue`) and
//! the [`FromJs`]/[`ToJs`] entry points the requests use. `js-codec`'s round-trip test
//! keeps every derived DTO equal to the api's `serde_json` output.
//!
//! The small helpers below (`get`, `string`, `list`, `object`, …) are for screens that read
//! a few fields of an answer without a DTO.

use js_codec::{Builder, Decode, Encode, Reader};
use js_sys::{Array, Object, Reflect};
use shared::Page;
use wasm_bindgen::JsValue;

/// A DTO read from a parsed JSON value; `None` when a required field is missing.
pub trait FromJs: Sized {
    /// The DTO, or `None` when `value` does not have its shape.
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// A DTO as a JavaScript object for `JSON.stringify`.
pub trait ToJs {
    /// The object (or other value) serde would write for it.
    fn to_js(&self) -> JsValue;
}

/// A DTO read with its derived [`Decode`]: the body of a one-line [`FromJs`] impl.
#[must_use]
pub fn decode_derived<T: Decode>(value: &JsValue) -> Option<T> {
    T::decode(&Js(value.clone()))
}

/// A DTO written with its derived [`Encode`]: the body of a one-line [`ToJs`] impl.
#[must_use]
pub fn encode_derived<T: Encode>(value: &T) -> JsValue {
    value.encode::<Js>().0
}

/// `value[key]`, `undefined` when absent.
#[must_use]
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field, `None` when absent, `null` or not a string.
#[must_use]
pub fn string(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// A boolean field, `false` when absent.
#[must_use]
pub fn boolean(value: &JsValue, key: &str) -> bool {
    get(value, key).as_bool().unwrap_or(false)
}

/// The items of an array field (empty when absent).
#[must_use]
pub fn array(value: &JsValue, key: &str) -> Vec<JsValue> {
    let field = get(value, key);
    if Array::is_array(&field) {
        Array::from(&field).iter().collect()
    } else {
        Vec::new()
    }
}

/// An array field of strings.
#[must_use]
pub fn strings(value: &JsValue, key: &str) -> Vec<String> {
    array(value, key)
        .iter()
        .filter_map(JsValue::as_string)
        .collect()
}

/// The items of an array field, each converted; `None` when one does not convert.
#[must_use]
pub fn list<T: FromJs>(value: &JsValue, key: &str) -> Option<Vec<T>> {
    array(value, key).iter().map(T::from_js).collect()
}

/// An object from `(key, value)` pairs; `undefined` values are left out.
#[must_use]
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        if !value.is_undefined() {
            // Setting a plain property on a fresh object cannot fail.
            let _ignored = Reflect::set(&object, &JsValue::from_str(key), value);
        }
    }
    object.into()
}

/// A string, or `undefined` (left out) for `None`.
#[must_use]
pub fn opt(value: Option<&String>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, |v| JsValue::from_str(v))
}

/// A parsed JSON value as `js_codec` reads and builds it (a newtype: neither the traits nor
/// `JsValue` are this crate's).
pub struct Js(pub JsValue);

impl Reader for Js {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        let value = get(&self.0, key);
        (!value.is_undefined()).then_some(Self(value))
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    fn is_null(&self) -> bool {
        self.0.is_null()
    }

    fn as_string(&self) -> Option<String> {
        self.0.as_string()
    }

    fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Self).collect())
    }
}

impl Builder for Js {
    fn null() -> Self {
        Self(JsValue::NULL)
    }

    fn string(value: &str) -> Self {
        Self(JsValue::from_str(value))
    }

    fn float(value: f64) -> Self {
        Self(JsValue::from_f64(value))
    }

    fn int(value: i64) -> Self {
        // Every integer a DTO holds (counts, sizes, seconds) is far below 2^53.
        Self(JsValue::from_f64(value as f64))
    }

    fn boolean(value: bool) -> Self {
        Self(JsValue::from_bool(value))
    }

    fn array(items: Vec<Self>) -> Self {
        Self(
            items
                .into_iter()
                .map(|item| item.0)
                .collect::<Array>()
                .into(),
        )
    }

    fn object(fields: Vec<(&'static str, Self)>) -> Self {
        let object = Object::new();
        for (key, value) in fields {
            // Setting a plain property on a fresh object cannot fail.
            let _ignored = Reflect::set(&object, &JsValue::from_str(key), &value.0);
        }
        Self(object.into())
    }
}

/// [`FromJs`] through the derived [`Decode`], for each DTO the modules read.
macro_rules! from_js {
    ($($ty:ty),* $(,)?) => {$(
        impl FromJs for $ty {
            fn from_js(value: &JsValue) -> Option<Self> {
                decode_derived(value)
            }
        }
    )*};
}

/// [`ToJs`] through the derived [`Encode`], for each DTO the modules send.
macro_rules! to_js {
    ($($ty:ty),* $(,)?) => {$(
        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                encode_derived(self)
            }
        }
    )*};
}

// Only the DTOs the modules exchange get the JsValue entry points (a type another file
// implements by hand must not be listed here); adding one is one name in a list.
from_js!(
    (),
    shared::Problem,
    shared::FieldError,
    shared::Region,
    shared::RegionRef,
    shared::users::TokenPair,
    shared::users::Verification,
    shared::users::Me,
    shared::users::UserSummary,
    shared::users::VerificationCounts,
    shared::users::TotpEnrollment,
    shared::appeals::Rating,
    shared::appeals::Answer,
    shared::appeals::Suggestion,
    shared::appeals::Message,
    shared::appeals::Attachment,
    shared::appeals::Appeal,
    shared::kb::Article,
    shared::kb::SearchHit,
    shared::kb::SearchResult,
    shared::kb::Variant,
    shared::stats::StatsFigures,
    shared::stats::StatsSummary,
    shared::stats::RegionStats,
    shared::stats::TimeseriesPoint,
    shared::stats::OperatorStats,
    shared::calendar::CalendarDayView,
    shared::calendar::CalendarYear,
    shared::appeals::Board,
    shared::appeals::BoardColumn,
    shared::appeals::AnswerResult,
    shared::integrations::Webhook,
    shared::integrations::CreatedWebhook,
    shared::integrations::RotatedSecret,
    shared::integrations::WebhookPing,
    shared::integrations::WebhookDeliveryInfo,
    shared::integrations::OutboxItem,
    shared::users::ApiKeyInfo,
    shared::users::CreatedApiKey,
    shared::users::CreatedUser,
    shared::users::InvitationQueued,
    shared::stats::StatsTimeseries,
    shared::stats::StatsRegions,
    shared::stats::StatsOperators,
    shared::kb::ArticleVersion,
    shared::ItemList<shared::kb::SynonymEntry>,
    shared::campaigns::Campaign,
    shared::campaigns::CampaignReach,
    shared::campaigns::ReachRow,
    shared::campaigns::Promo,
    shared::users::Onboarding,
    shared::users::EsiaStart,
);

to_js!(
    shared::users::MaxAuthRequest,
    shared::users::RefreshRequest,
    shared::users::LoginRequest,
    shared::users::ChangePassword,
    shared::users::AcceptInvitation,
    shared::users::PasswordResetRequest,
    shared::users::DevLoginRequest,
    shared::users::TotpEnrollRequest,
    shared::users::UpdateMe,
    shared::users::VerificationRequest,
    shared::users::ConsentAnswer,
    shared::users::VerificationDecision,
    shared::users::UpdateUserRequest,
    shared::appeals::CreateAppeal,
    shared::appeals::PostMessage,
    shared::appeals::RateAnswer,
    shared::appeals::AcceptSuggestion,
    shared::kb::UpdateArticle,
    shared::appeals::AssignRequest,
    shared::appeals::AnswerRequest,
    shared::appeals::NoteRequest,
    shared::appeals::BotGradeRequest,
    shared::appeals::CloseRequest,
    shared::appeals::TransferRequest,
    shared::appeals::ControlRequest,
    shared::integrations::CreateWebhook,
    shared::users::CreateApiKeyRequest,
    shared::users::CreateUserRequest,
    shared::ItemList<shared::kb::SynonymEntry>,
    shared::campaigns::CampaignInput,
    shared::campaigns::PromoInput,
);

/// A page of any readable item, hand-written or derived (so it is generic over [`FromJs`],
/// not over the derived trait; the shape is `shared::Page`'s).
impl<T: FromJs> FromJs for Page<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            items: list(value, "items")?,
            next_cursor: string(value, "next_cursor"),
        })
    }
}
