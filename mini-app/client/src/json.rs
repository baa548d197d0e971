//! The shared DTOs to and from the JavaScript values the browser's JSON parser produces.
//!
//! The browser parses and prints JSON (`Response.json()`, `JSON.stringify`); these
//! hand-written conversions then read and build the objects field by field with `Reflect`.
//! That keeps serde's generic (de)serializers — the largest part of a small module — out of
//! the WebAssembly. The shapes are those of the `shared` crate, which the api serialises
//! with serde; the api's tests keep the OpenAPI document equal to them.

use js_sys::{Array, Object, Reflect};
use shared::appeals::{
    AcceptSuggestion, Answer, AnswerSource, Appeal, AppealStatus, Assignee, Attachment, Channel,
    CloseReason, CreateAppeal, Message, PostMessage, RateAnswer, Rating, Suggestion,
};
use shared::kb::{Article, ArticleStatus, SearchHit, SearchResult};
use shared::users::{
    AcceptInvitation, ChangePassword, Decision, DevLoginRequest, LoginRequest, MaxAuthRequest, Me,
    NotifySettings, RefreshRequest, Role, TokenPair, TotpEnrollRequest, TotpEnrollment, UpdateMe,
    UpdateUserRequest, UserSummary, Verification, VerificationDecision, VerificationRequest,
    VerificationSource, VerificationStatus,
};
use shared::{FieldError, Page, Problem, Region, RegionRef};
use wasm_bindgen::JsValue;

/// A DTO read from a parsed JSON value; `None` when a required field is missing.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// A DTO as a JavaScript object for `JSON.stringify`.
pub trait ToJs {
    fn to_js(&self) -> JsValue;
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

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

impl FromJs for Problem {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            kind: string(value, "type").unwrap_or_default(),
            title: string(value, "title").unwrap_or_default(),
            status: get(value, "status").as_f64().map(|s| s as u16)?,
            code: string(value, "code")?,
            detail: string(value, "detail").unwrap_or_default(),
            errors: list(value, "errors").unwrap_or_default(),
        })
    }
}

impl FromJs for FieldError {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            field: string(value, "field")?,
            code: string(value, "code").unwrap_or_default(),
            message: string(value, "message")?,
        })
    }
}

impl FromJs for Region {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            code: string(value, "code")?,
            name: string(value, "name")?,
            federal_district: string(value, "federal_district").unwrap_or_default(),
            timezone: string(value, "timezone").unwrap_or_default(),
        })
    }
}

impl FromJs for TokenPair {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            access_token: string(value, "access_token")?,
            refresh_token: string(value, "refresh_token")?,
            token_type: string(value, "token_type").unwrap_or_default(),
            expires_in: get(value, "expires_in").as_f64().unwrap_or(0.0) as i64,
        })
    }
}

impl FromJs for Verification {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            status: VerificationStatus::parse(&string(value, "status")?),
            source: string(value, "source").and_then(|s| VerificationSource::parse(&s)),
            verified_at: string(value, "verified_at"),
            note: string(value, "note"),
        })
    }
}

fn role(value: &JsValue) -> Option<Role> {
    Role::parse(&string(value, "role")?)
}

impl FromJs for Me {
    fn from_js(value: &JsValue) -> Option<Self> {
        let notify = get(value, "notify");
        Some(Self {
            id: string(value, "id")?,
            role: role(value)?,
            regions: strings(value, "regions"),
            surname: string(value, "surname"),
            name: string(value, "name"),
            patronymic: string(value, "patronymic"),
            full_name: string(value, "full_name"),
            region: string(value, "region"),
            school: string(value, "school"),
            position: string(value, "position"),
            email: string(value, "email"),
            verification: Verification::from_js(&get(value, "verification"))?,
            notify: NotifySettings {
                new_appeal_email: boolean(&notify, "new_appeal_email"),
                daily_digest_email: boolean(&notify, "daily_digest_email"),
            },
            consent_version: string(value, "consent_version"),
            max_linked: boolean(value, "max_linked"),
            totp_enabled: boolean(value, "totp_enabled"),
            must_change_password: boolean(value, "must_change_password"),
        })
    }
}

impl FromJs for UserSummary {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            role: role(value)?,
            regions: strings(value, "regions"),
            full_name: string(value, "full_name"),
            email: string(value, "email"),
            region: string(value, "region"),
            school: string(value, "school"),
            position: string(value, "position"),
            verification: Verification::from_js(&get(value, "verification"))?,
            is_blocked: boolean(value, "is_blocked"),
            created_at: string(value, "created_at").unwrap_or_default(),
        })
    }
}

impl<T: FromJs> FromJs for Page<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            items: list(value, "items")?,
            next_cursor: string(value, "next_cursor"),
        })
    }
}

impl FromJs for TotpEnrollment {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            otpauth_uri: string(value, "otpauth_uri"),
            enabled: boolean(value, "enabled"),
        })
    }
}

/// A `204 No Content` (or any answer whose body is not needed).
impl FromJs for () {
    fn from_js(_: &JsValue) -> Option<Self> {
        Some(())
    }
}

impl ToJs for MaxAuthRequest {
    fn to_js(&self) -> JsValue {
        object(&[("init_data", text(&self.init_data))])
    }
}

impl ToJs for RefreshRequest {
    fn to_js(&self) -> JsValue {
        object(&[("refresh_token", text(&self.refresh_token))])
    }
}

impl ToJs for LoginRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("email", text(&self.email)),
            ("password", text(&self.password)),
            ("totp_code", opt(self.totp_code.as_ref())),
        ])
    }
}

impl ToJs for ChangePassword {
    fn to_js(&self) -> JsValue {
        object(&[
            ("current_password", text(&self.current_password)),
            ("new_password", text(&self.new_password)),
        ])
    }
}

impl ToJs for AcceptInvitation {
    fn to_js(&self) -> JsValue {
        object(&[
            ("token", text(&self.token)),
            ("password", text(&self.password)),
        ])
    }
}

impl ToJs for DevLoginRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("role", text(self.role.as_str())),
            ("region", opt(self.region.as_ref())),
            (
                "verified",
                self.verified.map_or(JsValue::UNDEFINED, JsValue::from_bool),
            ),
            ("name", opt(self.name.as_ref())),
        ])
    }
}

impl ToJs for TotpEnrollRequest {
    fn to_js(&self) -> JsValue {
        object(&[("code", opt(self.code.as_ref()))])
    }
}

impl ToJs for UpdateMe {
    fn to_js(&self) -> JsValue {
        let notify = self.notify.map_or(JsValue::UNDEFINED, |n| {
            object(&[
                ("new_appeal_email", JsValue::from_bool(n.new_appeal_email)),
                (
                    "daily_digest_email",
                    JsValue::from_bool(n.daily_digest_email),
                ),
            ])
        });
        object(&[
            ("surname", opt(self.surname.as_ref())),
            ("name", opt(self.name.as_ref())),
            ("patronymic", opt(self.patronymic.as_ref())),
            ("region", opt(self.region.as_ref())),
            ("school", opt(self.school.as_ref())),
            ("position", opt(self.position.as_ref())),
            ("email", opt(self.email.as_ref())),
            ("notify", notify),
            ("consent_version", opt(self.consent_version.as_ref())),
        ])
    }
}

impl ToJs for VerificationRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("school", text(&self.school)),
            ("position", text(&self.position)),
            ("region", opt(self.region.as_ref())),
        ])
    }
}

impl ToJs for VerificationDecision {
    fn to_js(&self) -> JsValue {
        let decision = match self.decision {
            Decision::Confirm => "confirm",
            Decision::Reject => "reject",
        };
        object(&[
            ("decision", text(decision)),
            ("reason", opt(self.reason.as_ref())),
        ])
    }
}

impl ToJs for UpdateUserRequest {
    fn to_js(&self) -> JsValue {
        let regions = self.regions.as_ref().map_or(JsValue::UNDEFINED, |r| {
            r.iter().map(|c| text(c)).collect::<Array>().into()
        });
        object(&[
            (
                "role",
                self.role.map_or(JsValue::UNDEFINED, |r| text(r.as_str())),
            ),
            ("regions", regions),
            (
                "is_blocked",
                self.is_blocked
                    .map_or(JsValue::UNDEFINED, JsValue::from_bool),
            ),
        ])
    }
}

// --- appeals and the knowledge base --------------------------------------------------------

fn number(value: &JsValue, key: &str) -> Option<f64> {
    get(value, key).as_f64()
}

impl FromJs for RegionRef {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            code: string(value, "code")?,
            name: string(value, "name").unwrap_or_default(),
        })
    }
}

impl FromJs for Rating {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            score: number(value, "score")? as u8,
            comment: string(value, "comment"),
            rated_at: string(value, "rated_at").unwrap_or_default(),
        })
    }
}

impl FromJs for Answer {
    fn from_js(value: &JsValue) -> Option<Self> {
        let rating = get(value, "rating");
        Some(Self {
            id: string(value, "id")?,
            source: AnswerSource::parse(&string(value, "source")?)?,
            text: string(value, "text").unwrap_or_default(),
            article_id: string(value, "article_id"),
            answered_by: string(value, "answered_by"),
            answered_at: string(value, "answered_at").unwrap_or_default(),
            is_late: boolean(value, "is_late"),
            rating: if rating.is_object() {
                Some(Rating::from_js(&rating)?)
            } else {
                None
            },
        })
    }
}

impl FromJs for Suggestion {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            article_id: string(value, "article_id")?,
            title: string(value, "title").unwrap_or_default(),
            score: number(value, "score").unwrap_or(0.0),
        })
    }
}

impl FromJs for Message {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            author_role: string(value, "author_role").unwrap_or_default(),
            author_name: string(value, "author_name"),
            kind: string(value, "kind").unwrap_or_default(),
            text: string(value, "text").unwrap_or_default(),
            created_at: string(value, "created_at").unwrap_or_default(),
        })
    }
}

impl FromJs for Attachment {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            name: string(value, "name").unwrap_or_default(),
            size: number(value, "size").unwrap_or(0.0) as i64,
            content_type: string(value, "content_type").unwrap_or_default(),
        })
    }
}

impl FromJs for Appeal {
    fn from_js(value: &JsValue) -> Option<Self> {
        let assignee = get(value, "assignee");
        Some(Self {
            id: string(value, "id")?,
            status: AppealStatus::parse(&string(value, "status")?)?,
            close_reason: string(value, "close_reason").and_then(|r| CloseReason::parse(&r)),
            close_note: string(value, "close_note"),
            duplicate_of: string(value, "duplicate_of"),
            text: string(value, "text").unwrap_or_default(),
            anonymous: boolean(value, "anonymous"),
            channel: string(value, "channel")
                .and_then(|c| Channel::parse(&c))
                .unwrap_or(Channel::MiniApp),
            region: RegionRef::from_js(&get(value, "region"))?,
            author_name: string(value, "author_name"),
            created_at: string(value, "created_at").unwrap_or_default(),
            deadline_at: string(value, "deadline_at"),
            is_overdue: boolean(value, "is_overdue"),
            answered_late: boolean(value, "answered_late"),
            answers: list(value, "answers")?,
            suggestions: list(value, "suggestions").unwrap_or_default(),
            assignee: string(&assignee, "id").map(|id| Assignee {
                id,
                name: string(&assignee, "name"),
            }),
            unread: boolean(value, "unread"),
            attachments: list(value, "attachments").unwrap_or_default(),
            messages: list(value, "messages").unwrap_or_default(),
        })
    }
}

impl FromJs for Article {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            title: string(value, "title").unwrap_or_default(),
            question: string(value, "question").unwrap_or_default(),
            variants: strings(value, "variants"),
            answer: string(value, "answer").unwrap_or_default(),
            legal_refs: strings(value, "legal_refs"),
            tags: strings(value, "tags"),
            status: string(value, "status")
                .and_then(|s| ArticleStatus::parse(&s))
                .unwrap_or(ArticleStatus::Published),
            version: number(value, "version").unwrap_or(0.0) as i32,
            updated_at: string(value, "updated_at").unwrap_or_default(),
            approved_by: string(value, "approved_by"),
            approved_at: string(value, "approved_at"),
            source_appeal_id: string(value, "source_appeal_id"),
        })
    }
}

impl FromJs for SearchHit {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            article_id: string(value, "article_id")?,
            title: string(value, "title").unwrap_or_default(),
            question: string(value, "question").unwrap_or_default(),
            score: number(value, "score").unwrap_or(0.0),
        })
    }
}

impl FromJs for SearchResult {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            confident: boolean(value, "confident"),
            abstain_reason: string(value, "abstain_reason"),
            engine: string(value, "engine").unwrap_or_default(),
            items: list(value, "items")?,
        })
    }
}

impl ToJs for CreateAppeal {
    fn to_js(&self) -> JsValue {
        object(&[
            ("text", text(&self.text)),
            ("anonymous", JsValue::from_bool(self.anonymous)),
        ])
    }
}

impl ToJs for PostMessage {
    fn to_js(&self) -> JsValue {
        object(&[("text", text(&self.text))])
    }
}

impl ToJs for RateAnswer {
    fn to_js(&self) -> JsValue {
        object(&[
            ("score", JsValue::from_f64(self.score as f64)),
            ("comment", opt(self.comment.as_ref())),
        ])
    }
}

impl ToJs for AcceptSuggestion {
    fn to_js(&self) -> JsValue {
        object(&[("article_id", text(&self.article_id))])
    }
}

// --- supervisor screens: statistics, knowledge-base tools, calendar -------------------------

fn count(value: &JsValue, key: &str) -> i64 {
    number(value, key).unwrap_or(0.0) as i64
}

impl FromJs for shared::stats::StatsFigures {
    fn from_js(value: &JsValue) -> Option<Self> {
        if !value.is_object() {
            return None;
        }
        let n = |k| number(value, k);
        let c = |k| count(value, k);
        Some(Self {
            received: c("received"),
            open: c("open"),
            overdue: c("overdue"),
            due_today: c("due_today"),
            unread: c("unread"),
            answered: c("answered"),
            answered_by_bot: c("answered_by_bot"),
            answered_by_operators: c("answered_by_operators"),
            answered_within_sla: c("answered_within_sla"),
            answered_within_sla_share: n("answered_within_sla_share"),
            median_first_answer_hours: n("median_first_answer_hours"),
            median_first_answer_working_days: n("median_first_answer_working_days"),
            rating_avg: n("rating_avg"),
            ratings_count: c("ratings_count"),
            bot_share: n("bot_share"),
            self_served: c("self_served"),
            self_served_share: n("self_served_share"),
            bot_grades_count: c("bot_grades_count"),
            bot_accuracy: n("bot_accuracy"),
            escalated: c("escalated"),
            escalation_rate: n("escalation_rate"),
        })
    }
}

impl FromJs for shared::stats::StatsSummary {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            from: string(value, "from")?,
            to: string(value, "to")?,
            region: string(value, "region"),
            generated_at: string(value, "generated_at").unwrap_or_default(),
            figures: FromJs::from_js(&get(value, "figures"))?,
        })
    }
}

impl FromJs for shared::stats::RegionStats {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            code: string(value, "code")?,
            name: string(value, "name").unwrap_or_default(),
            federal_district: string(value, "federal_district").unwrap_or_default(),
            figures: FromJs::from_js(&get(value, "figures"))?,
        })
    }
}

impl FromJs for shared::stats::TimeseriesPoint {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            start: string(value, "start")?,
            end: string(value, "end").unwrap_or_default(),
            received: count(value, "received"),
            answered: count(value, "answered"),
            overdue: count(value, "overdue"),
            ratings_count: count(value, "ratings_count"),
            rating_avg: number(value, "rating_avg"),
        })
    }
}

impl FromJs for shared::stats::OperatorStats {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            name: string(value, "name"),
            regions: strings(value, "regions"),
            answered: count(value, "answered"),
            first_answers: count(value, "first_answers"),
            median_first_answer_hours: number(value, "median_first_answer_hours"),
            median_first_answer_working_days: number(value, "median_first_answer_working_days"),
            overdue_held: count(value, "overdue_held"),
            ratings_count: count(value, "ratings_count"),
            rating_avg: number(value, "rating_avg"),
        })
    }
}

impl FromJs for shared::kb::Variant {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            id: string(value, "id")?,
            article_id: string(value, "article_id")?,
            article_title: string(value, "article_title").unwrap_or_default(),
            text: string(value, "text").unwrap_or_default(),
            source: string(value, "source").unwrap_or_default(),
            appeal_id: string(value, "appeal_id"),
            status: string(value, "status").unwrap_or_default(),
            created_at: string(value, "created_at").unwrap_or_default(),
        })
    }
}

impl FromJs for shared::calendar::CalendarDayView {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            date: string(value, "date")?,
            kind: string(value, "kind")?,
            holiday: string(value, "holiday"),
            transferred_from: string(value, "transferred_from"),
        })
    }
}

impl FromJs for shared::calendar::CalendarYear {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            year: number(value, "year")? as i32,
            region: string(value, "region"),
            published: boolean(value, "published"),
            warning: string(value, "warning"),
            items: list(value, "items")?,
        })
    }
}

fn text_list(items: &[String]) -> JsValue {
    items.iter().map(|s| text(s)).collect::<Array>().into()
}

impl ToJs for shared::kb::UpdateArticle {
    fn to_js(&self) -> JsValue {
        let opt_list = |l: &Option<Vec<String>>| l.as_deref().map_or(JsValue::UNDEFINED, text_list);
        object(&[
            ("title", opt(self.title.as_ref())),
            ("question", opt(self.question.as_ref())),
            ("variants", opt_list(&self.variants)),
            ("answer", opt(self.answer.as_ref())),
            ("legal_refs", opt_list(&self.legal_refs)),
            ("tags", opt_list(&self.tags)),
        ])
    }
}
