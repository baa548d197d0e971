//! Appeals (a teacher's question and everything that happens to it), their thread, answers,
//! ratings, and the request bodies of the teacher's and the operator's actions.

use serde::{Deserialize, Serialize};

pub use crate::staff::{
    AnswerRequest, AnswerResult, AppealControl, AssignRequest, Board, BoardColumn, BotGradeRequest,
    CloseRequest, ControlRequest, NoteRequest, OperatorCloseReason, TransferRequest,
};
pub use crate::thread::BotGrade;
use crate::RegionRef;

/// Where an appeal is in its lifecycle (DESIGN.md, "Appeal lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// The knowledge base answered at once.
    AnsweredByBot,
    /// In the region's queue, nobody has taken it.
    New,
    /// An operator works on it (or the teacher followed up).
    InProgress,
    /// An operator answered; waiting for the rating.
    Answered,
    /// Finished.
    Closed,
}

impl AppealStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::AnsweredByBot,
        Self::New,
        Self::InProgress,
        Self::Answered,
        Self::Closed,
    ];

    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AnsweredByBot => "answered_by_bot",
            Self::New => "new",
            Self::InProgress => "in_progress",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Open = not closed.
    #[must_use]
    pub fn is_open(self) -> bool {
        self != Self::Closed
    }

    /// Russian label for chips.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::AnsweredByBot => "Ответ из базы",
            Self::New => "Новое",
            Self::InProgress => "В работе",
            Self::Answered => "Есть ответ",
            Self::Closed => "Закрыто",
        }
    }
}

/// Why an appeal was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The teacher rated the answer.
    Rated,
    /// The teacher accepted a suggested article.
    SelfServed,
    /// The teacher withdrew the question.
    Withdrawn,
    /// Not about paperwork.
    OffTopic,
    /// Asked before (see `duplicate_of`).
    Duplicate,
    /// Spam.
    Spam,
    /// No rating and no follow-up for 14 days after the answer.
    Expired,
}

impl CloseReason {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rated => "rated",
            Self::SelfServed => "self_served",
            Self::Withdrawn => "withdrawn",
            Self::OffTopic => "off_topic",
            Self::Duplicate => "duplicate",
            Self::Spam => "spam",
            Self::Expired => "expired",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Rated,
            Self::SelfServed,
            Self::Withdrawn,
            Self::OffTopic,
            Self::Duplicate,
            Self::Spam,
            Self::Expired,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Where the appeal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The mini-app.
    MiniApp,
    /// A message to the MAX bot.
    Bot,
    /// The REST API.
    Api,
    /// A phone call taken by an operator (a quick appeal).
    Phone,
    /// A letter registered by an operator (a quick appeal).
    Email,
}

impl Channel {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MiniApp => "mini_app",
            Self::Bot => "bot",
            Self::Api => "api",
            Self::Phone => "phone",
            Self::Email => "email",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mini_app" => Some(Self::MiniApp),
            "bot" => Some(Self::Bot),
            "api" => Some(Self::Api),
            "phone" => Some(Self::Phone),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Who gave an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    /// The knowledge base, at once.
    Bot,
    /// A regional operator.
    Operator,
    /// The teacher accepted a suggested article.
    SelfServed,
}

impl AnswerSource {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::Operator => "operator",
            Self::SelfServed => "self_served",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bot" => Some(Self::Bot),
            "operator" => Some(Self::Operator),
            "self_served" => Some(Self::SelfServed),
            _ => None,
        }
    }
}

/// A rating of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Rating {
    /// 1–5.
    pub score: u8,
    /// Optional comment.
    pub comment: Option<String>,
    /// When.
    pub rated_at: String,
}

/// One answer of an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Answer {
    /// Answer id.
    pub id: String,
    /// Who answered.
    pub source: AnswerSource,
    /// The answer text.
    pub text: String,
    /// The knowledge-base article it came from or cites.
    pub article_id: Option<String>,
    /// The operator (user id) for operator answers.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: String,
    /// Given after the SLA deadline.
    pub is_late: bool,
    /// The teacher's rating, once given.
    pub rating: Option<Rating>,
    /// The teacher's click on a bot answer: `true` «Помогло», `false` «Не помогло»; null
    /// before any (a click is not a rating: the stars are `rating`).
    #[serde(default)]
    pub helpful: Option<bool>,
}

/// A close-but-not-confident knowledge-base match («Возможно, подойдёт»).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Suggestion {
    /// Article id.
    pub article_id: String,
    /// Its title.
    pub title: String,
    /// Engine score.
    pub score: f64,
}

/// The operator holding an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Assignee {
    /// User id.
    pub id: String,
    /// Name, if known.
    pub name: Option<String>,
}

/// A file attached to an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Attachment {
    /// Attachment id.
    pub id: String,
    /// Original file name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// The thread message (an operator's answer) the file came with; null for the files of
    /// the teacher's question.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// One entry of an appeal's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Message {
    /// Message id.
    pub id: String,
    /// `teacher`, `operator`, `bot`, …
    pub author_role: String,
    /// Shown name (null for anonymous teachers to staff, and for the bot).
    pub author_name: Option<String>,
    /// `question`, `answer`, `follow_up`, `clarification`, `note` (staff only) or `system`.
    pub kind: String,
    /// Text.
    pub text: String,
    /// When.
    pub created_at: String,
}

/// An appeal as its reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Appeal {
    /// Appeal id.
    pub id: String,
    /// The human number, «16-000123»: the region where it was asked and that region's
    /// sequence; unique, never changes (not even by a transfer).
    pub number: String,
    /// Status.
    pub status: AppealStatus,
    /// Why it was closed.
    pub close_reason: Option<CloseReason>,
    /// The operator's note to the teacher when closing.
    pub close_note: Option<String>,
    /// The appeal this one duplicates.
    pub duplicate_of: Option<String>,
    /// The question.
    pub text: String,
    /// The name is hidden from staff and integrators.
    pub anonymous: bool,
    /// Where it came from.
    pub channel: Channel,
    /// The region it belongs to (as recorded when it was asked, or after a transfer).
    pub region: RegionRef,
    /// The teacher's full name as recorded when asked; null to staff and integrators when anonymous.
    pub author_name: Option<String>,
    /// When it was asked.
    pub created_at: String,
    /// The last change a teacher or an integrator can see (status, answer, message, rating,
    /// transfer, assignment…), to the microsecond. Integrators sync with
    /// `GET /api/v1/appeals?updated_since=`.
    pub updated_at: String,
    /// When it was closed; null while open (an escalation reopens it).
    pub closed_at: Option<String>,
    /// SLA deadline (23:59:59 local time of the 5th working day); null unless routed to people.
    pub deadline_at: Option<String>,
    /// Open past the deadline.
    pub is_overdue: bool,
    /// Working days of the region's production calendar left of `deadline_at`, on the
    /// region's clock, for «осталось 2 раб. дня»: `n ≥ 1`, the deadline is the `n`-th working
    /// day after today; `0`, it is today and has not passed; `-n`, overdue by `n` working days
    /// (those after the deadline's day up to and including today, at least 1). Null when no
    /// deadline runs (not with people, answered, closed, or waiting for the teacher) and for
    /// integrators.
    pub working_days_left: Option<i32>,
    /// The first operator answer came after the deadline.
    pub answered_late: bool,
    /// Answers, oldest first.
    pub answers: Vec<Answer>,
    /// Close matches shown when the engine was not confident.
    pub suggestions: Vec<Suggestion>,
    /// The operator holding it.
    pub assignee: Option<Assignee>,
    /// Something new for the reader since they last opened it.
    pub unread: bool,
    /// An operator asked a clarifying question and waits for the teacher («Нужен ваш
    /// ответ»); the deadline is paused (null) until the teacher replies.
    #[serde(default)]
    pub waiting_for_teacher: bool,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// The thread (internal notes only for staff); empty in lists.
    pub messages: Vec<Message>,
    /// «На контроле» by the region's leadership (staff only; null for teachers and
    /// integrators, and when not under control).
    pub control: Option<AppealControl>,
}

/// `POST /api/v1/appeals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct CreateAppeal {
    /// The question, 10–4,000 characters.
    pub text: String,
    /// Hide the name from operators and reports.
    #[serde(default)]
    pub anonymous: bool,
}

/// `POST /api/v1/appeals/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    /// Text, 1–4,000 characters.
    pub text: String,
}

/// `POST /api/v1/appeals/{id}/rating`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct RateAnswer {
    /// 1–5.
    pub score: i64,
    /// Up to 2,000 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /api/v1/appeals/{id}/accept-suggestion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct AcceptSuggestion {
    /// One of the appeal's suggestions.
    pub article_id: String,
}

/// A question's text after the rules: trimmed, control characters removed, 10–4,000
/// characters, and not only punctuation, symbols or emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionText(String);

impl QuestionText {
    /// Minimum length in characters.
    pub const MIN: usize = 10;
    /// Maximum length in characters.
    pub const MAX: usize = 4000;

    /// Cleans and checks.
    ///
    /// # Errors
    /// A stable code (`too_short`, `too_long`, `no_words`) and a Russian message.
    pub fn parse(raw: &str) -> Result<Self, (&'static str, &'static str)> {
        let cleaned: String = raw
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
        let cleaned = cleaned.trim();
        let count = cleaned.chars().count();
        if count > Self::MAX {
            return Err((
                "too_long",
                "Вопрос слишком длинный: не больше 4000 символов.",
            ));
        }
        if !cleaned.chars().any(char::is_alphanumeric) {
            return Err(("no_words", "Напишите вопрос словами."));
        }
        if count < Self::MIN {
            return Err((
                "too_short",
                "Вопрос слишком короткий: напишите хотя бы 10 символов.",
            ));
        }
        Ok(Self(cleaned.to_owned()))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::QuestionText;

    #[test]
    fn question_rules() {
        assert_eq!(
            QuestionText::parse("  Нужен ли журнал?\u{7}  ").map(|q| q.as_str().to_owned()),
            Ok("Нужен ли журнал?".to_owned())
        );
        assert_eq!(QuestionText::parse("коротко").unwrap_err().0, "too_short");
        assert_eq!(
            QuestionText::parse("!!! ??? ... 🙂🙂🙂🙂").unwrap_err().0,
            "no_words"
        );
        assert_eq!(
            QuestionText::parse(&"я".repeat(4001)).unwrap_err().0,
            "too_long"
        );
        assert!(QuestionText::parse(&"я".repeat(4000)).is_ok());
    }
}

impl Channel {
    /// True for the channels of appeals registered on someone's behalf (an operator's quick
    /// appeal, an integrator's key): the person is not the caller, so the teacher's own
    /// preconditions (verified, hourly limit) are the registrar's to vouch for.
    #[must_use]
    pub fn on_behalf(self) -> bool {
        matches!(self, Self::Phone | Self::Email | Self::Api)
    }
}

/// The recorded basis for keeping the name and contact of a person whose appeal someone
/// else registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum ConsentBasis {
    /// Consent given by phone to the operator.
    Phone,
    /// Consent given in the person's letter.
    Letter,
    /// Consent given on the integrator's portal.
    Portal,
}

impl ConsentBasis {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Letter => "letter",
            Self::Portal => "portal",
        }
    }
}

/// The consent recorded with an appeal registered on someone's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct OnBehalfConsent {
    /// How the person agreed: `phone`, `letter` (operators) or `portal` (integrators).
    pub basis: ConsentBasis,
    /// The version of the privacy notice the person agreed to, e.g. `2026-11`.
    pub version: String,
}

/// A person who has no account: their name and one contact at least.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct UnregisteredPerson {
    /// Full name as the person gave it.
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number (digits, spaces, `+`, `-`, brackets).
    #[serde(default)]
    pub phone: Option<String>,
    /// The region the person works in (one of the caller's regions).
    pub region: String,
}

/// `POST /api/v1/appeals/on-behalf`: an operator's quick appeal (a call or a letter) or an
/// integrator's forwarded question. Exactly one of `teacher_id`, `teacher_email`, `person`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct CreateAppealOnBehalf {
    /// The question, 10–4,000 characters.
    pub text: String,
    /// `phone` or `email` for operators; `api` (or omitted) for API keys.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// A registered teacher of the caller's regions, by user id.
    #[serde(default)]
    pub teacher_id: Option<String>,
    /// A registered teacher of the caller's regions, by e-mail (operators only).
    #[serde(default)]
    pub teacher_email: Option<String>,
    /// A person without an account.
    #[serde(default)]
    pub person: Option<UnregisteredPerson>,
    /// The basis for keeping the person's name and contact.
    pub consent: OnBehalfConsent,
}

/// `GET /api/v1/teachers?q=`: a teacher of the operator's regions found by name, for the
/// quick appeal's `teacher_id` (no contacts: the name, school and region tell people apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct TeacherMatch {
    /// User id (the quick appeal's `teacher_id`).
    pub id: String,
    /// Full name as the teacher gave it.
    pub name: String,
    /// School, if given.
    pub school: Option<String>,
    /// The teacher's region.
    pub region: RegionRef,
}
