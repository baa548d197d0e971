//! Every DTO `shared` derives the codec for, between the api's `serde_json` and the derived
//! `Decode`/`Encode`: a renamed field, a changed enum spelling or a new serde attribute shows
//! up here, natively, instead of in a browser test.
//!
//! The sample values come from serde itself: a small deserializer that makes up a value for
//! whatever the type asks for (strings, numbers, `Some`/`None`, one or two items, each enum
//! variant in turn), so no DTO needs a hand-written example.

use std::cell::Cell;
use std::fmt::Debug;

use js_codec::{Builder, Decode, Encode, Reader};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::Serialize;
use serde_json::Value;

/// `serde_json::Value` as the codec reads and builds it (a newtype for the orphan rule).
#[derive(Debug)]
struct J(Value);

impl Reader for J {
    fn field(&self, key: &str) -> Option<Self> {
        self.0.as_object()?.get(key).cloned().map(J)
    }
    fn is_object(&self) -> bool {
        self.0.is_object()
    }
    fn is_null(&self) -> bool {
        self.0.is_null()
    }
    fn as_string(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }
    fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        Some(self.0.as_array()?.iter().cloned().map(J).collect())
    }
}

impl Builder for J {
    fn null() -> Self {
        J(Value::Null)
    }
    fn string(value: &str) -> Self {
        J(Value::from(value))
    }
    fn float(value: f64) -> Self {
        J(Value::from(value))
    }
    fn int(value: i64) -> Self {
        J(Value::from(value))
    }
    fn boolean(value: bool) -> Self {
        J(Value::from(value))
    }
    fn array(items: Vec<Self>) -> Self {
        J(Value::Array(items.into_iter().map(|i| i.0).collect()))
    }
    fn object(fields: Vec<(&'static str, Self)>) -> Self {
        J(Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.0))
                .collect(),
        ))
    }
}

/// Makes up a value of whatever type deserializes from it. `seed` picks `Some` or `None`,
/// the number of items and `true`/`false`; a counter keeps strings and numbers distinct
/// and walks through enum variants.
struct Sample<'a> {
    seed: u32,
    counter: &'a Cell<u32>,
}

impl Sample<'_> {
    fn next(&self) -> u32 {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }
    fn again(&self) -> Self {
        Sample {
            seed: self.seed,
            counter: self.counter,
        }
    }
}

#[derive(Debug)]
struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl<'de> de::Deserializer<'de> for Sample<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("a DTO asked for an untyped value".into()))
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_bool(self.seed & 1 == 0)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next() % 100))
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next() % 100))
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(i64::from(self.next()) * 1000 - 5)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(i64::from(self.next()) * 1_000_003)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next() % 100))
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next()) + 400)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next()) * 1000)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(u64::from(self.next()) * 1000)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(f64::from(self.next()) + 0.5)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(f64::from(self.next()) + 0.25)
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_char('ж')
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_string(format!("текст {}", self.next()))
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_string(format!("текст {}", self.next()))
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("bytes".into()))
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("bytes".into()))
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.seed & 1 == 0 {
            v.visit_some(self)
        } else {
            v.visit_none()
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let left = if self.seed == 1 { 0 } else { 1 + self.seed % 2 };
        v.visit_seq(Items { sample: self, left })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("a DTO asked for a map".into()))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_map(Fields {
            sample: self,
            fields: fields.iter(),
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let index = self.next() as usize % variants.len();
        v.visit_enum(variants[index].into_deserializer())
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("identifier".into()))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

struct Items<'a> {
    sample: Sample<'a>,
    left: u32,
}

impl<'de> de::SeqAccess<'de> for Items<'_> {
    type Error = Error;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(self.sample.again()).map(Some)
    }
}

struct Fields<'a> {
    sample: Sample<'a>,
    fields: std::slice::Iter<'static, &'static str>,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.next() {
            Some(name) => seed
                .deserialize(de::value::StrDeserializer::<Error>::new(name))
                .map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.sample.again())
    }
}

/// Serde's JSON and the codec agree on `T` both ways, for several made-up values.
fn round_trip<T>(name: &str)
where
    T: Serialize + DeserializeOwned + Decode + Encode + PartialEq + Debug,
{
    for seed in 0..4 {
        let counter = Cell::new(seed * 7);
        let sample = T::deserialize(Sample {
            seed,
            counter: &counter,
        })
        .unwrap_or_else(|e| panic!("{name}: no sample: {e}"));
        let json = serde_json::to_value(&sample)
            .unwrap_or_else(|e| panic!("{name}: serde cannot write it: {e}"));
        let decoded = T::decode(&J(json.clone()))
            .unwrap_or_else(|| panic!("{name}: the codec cannot read serde's {json}"));
        assert_eq!(decoded, sample, "{name}: read back from {json}");
        let J(encoded) = sample.encode::<J>();
        assert_eq!(
            encoded, json,
            "{name}: the codec writes other JSON than serde"
        );
        let reread: T = serde_json::from_value(encoded)
            .unwrap_or_else(|e| panic!("{name}: serde cannot read the codec's JSON: {e}"));
        assert_eq!(reread, sample, "{name}: serde read back");
    }
}

/// Runs [`round_trip`] for each type and returns how many types were listed.
macro_rules! every {
    ($($ty:ty),* $(,)?) => {{
        let mut count = 0;
        $(
            round_trip::<$ty>(stringify!($ty));
            count += 1;
        )*
        count
    }};
}

/// The DTOs `shared` derives the codec for; `every_dto_is_listed` keeps the list complete.
fn every_dto() -> usize {
    use shared::appeals::*;
    use shared::calendar::*;
    use shared::integrations::*;
    use shared::kb::*;
    use shared::stats::*;
    use shared::users::*;
    use shared::*;
    every!(
        // appeals
        AppealStatus,
        CloseReason,
        Channel,
        AnswerSource,
        Rating,
        Answer,
        Suggestion,
        Assignee,
        Attachment,
        Message,
        Appeal,
        CreateAppeal,
        ConsentBasis,
        OnBehalfConsent,
        UnregisteredPerson,
        CreateAppealOnBehalf,
        TeacherMatch,
        PostMessage,
        RateAnswer,
        AcceptSuggestion,
        BoardColumn,
        ControlRequest,
        AppealControl,
        Board,
        AssignRequest,
        AnswerRequest,
        AnswerResult,
        NoteRequest,
        BotGrade,
        BotGradeRequest,
        OperatorCloseReason,
        CloseRequest,
        TransferRequest,
        // calendar
        CalendarDayView,
        CalendarYear,
        // integrations
        Webhook,
        CreateWebhook,
        CreatedWebhook,
        RotatedSecret,
        WebhookPing,
        WebhookDeliveryInfo,
        OutboxItem,
        ApiPermission,
        // kb
        ArticleStatus,
        Article,
        CreateArticle,
        UpdateArticle,
        ArticleVersion,
        SearchHit,
        SearchResult,
        Variant,
        SynonymEntry,
        // lib (generic: with a plain and a nested item)
        ItemList<Region>,
        Page<Appeal>,
        // problem
        Problem,
        FieldError,
        // regions
        Region,
        RegionRef,
        // stats
        StatsFigures,
        StatsSummary,
        RegionStats,
        SortOrder,
        StatsRegions,
        StatsBucket,
        TimeseriesPoint,
        StatsTimeseries,
        OperatorStats,
        StatsOperators,
        RegionTeachersItem,
        RegionTeachersImport,
        RegionTeachers,
        RegionTeachersImported,
        // users
        Role,
        VerificationStatus,
        VerificationSource,
        Verification,
        NotifySettings,
        Me,
        ChangePassword,
        UpdateMe,
        TokenPair,
        MaxAuthRequest,
        RefreshRequest,
        LoginRequest,
        TotpEnrollRequest,
        TotpEnrollment,
        DevLoginRequest,
        VerificationRequest,
        VerificationDecision,
        Decision,
        VerificationCounts,
        UserSummary,
        CreateUserRequest,
        CreatedUser,
        InvitationQueued,
        AcceptInvitation,
        UpdateUserRequest,
        CreateApiKeyRequest,
        ApiKeyInfo,
        CreatedApiKey,
        EsiaStart,
        EducationLevel,
        Onboarding,
        ConsentAnswer,
        PasswordResetRequest,
        RecoveryCodes,
        RecoveryCodesRequest,
        // campaigns
        shared::campaigns::Campaign,
        shared::campaigns::CampaignInput,
        shared::campaigns::CampaignReach,
        shared::campaigns::ReachRow,
        shared::campaigns::Promo,
        shared::campaigns::PromoInput,
        // the operator's appeal screen
        shared::operator::AnswerTemplate,
        shared::operator::TemplateInput,
        shared::operator::PresenceViewer,
        shared::operator::Presence,
        shared::operator::EarlierAppeal,
        shared::operator::AppealContext,
    )
}

#[test]
fn every_dto_round_trips_between_serde_json_and_the_codec() {
    every_dto();
}

#[test]
fn every_dto_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/src");
    let derived: usize = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .map(|source| {
            source
                .matches("derive(js_codec::Decode, js_codec::Encode)")
                .count()
        })
        .sum();
    assert_eq!(
        every_dto(),
        derived,
        "list every type shared derives js_codec for in every_dto()"
    );
}

#[test]
fn absent_fields_follow_serde() {
    use shared::{FieldError, Page, Problem, RegionRef};
    let read = |json: Value| Problem::decode(&J(json));
    // `errors` has a serde default and is left out when empty.
    let problem = read(serde_json::json!({
        "type": "about:blank", "title": "Ошибка", "status": 422, "code": "validation",
        "detail": "Проверьте поля", "extra": true
    }))
    .unwrap();
    assert!(problem.errors.is_empty());
    assert!(!serde_json::to_value(&problem)
        .unwrap()
        .as_object()
        .unwrap()
        .contains_key("errors"));
    assert!(problem.encode::<J>().field("errors").is_none());
    // A required field missing, a wrong type, a fraction in an integer: not this DTO.
    assert!(
        read(serde_json::json!({"type": "t", "title": "t", "status": 422, "detail": ""})).is_none()
    );
    assert!(read(
        serde_json::json!({"type": "t", "title": "t", "status": "422", "code": "c", "detail": ""})
    )
    .is_none());
    assert!(read(
        serde_json::json!({"type": "t", "title": "t", "status": 4.5, "code": "c", "detail": ""})
    )
    .is_none());
    assert!(FieldError::decode(&J(serde_json::json!([]))).is_none());
    // An absent `Option` is `None`, like `null`.
    let page = Page::<RegionRef>::decode(&J(serde_json::json!({
        "items": [{"code": "77", "name": "Москва"}]
    })))
    .unwrap();
    assert_eq!(page.next_cursor, None);
    assert_eq!(page.items[0].code, "77");
}
