//! The staff's side of appeals on the wire: the board and the bodies of the operator's
//! actions (assign, answer, note, grade, close, transfer). Re-exported by [`crate::appeals`],
//! where their paths have always been.

use serde::{Deserialize, Serialize};

use crate::appeals::{Appeal, AppealStatus};
use crate::thread::BotGrade;

/// One column of the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct BoardColumn {
    /// The status of the column.
    pub status: AppealStatus,
    /// How many appeals of the scope are in it.
    pub count: i64,
    /// The first cards, oldest deadline first (newest first for finished columns).
    pub items: Vec<Appeal>,
}

/// The Kanban board of the caller's regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Board {
    /// Columns `answered_by_bot` (awaiting grading), `new`, `in_progress`, `answered`, `closed`.
    pub columns: Vec<BoardColumn>,
}

/// `POST /api/v1/appeals/{id}/assign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The operator to hold it (yourself to take it; a colleague of the region to hand it
    /// over); `null` releases it.
    pub operator_id: Option<String>,
}

/// `POST /api/v1/appeals/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The answer, 10–10,000 characters.
    pub text: String,
    /// A knowledge-base article the answer relies on.
    #[serde(default)]
    pub article_id: Option<String>,
    /// Propose this answer as a new knowledge-base article (a draft for `federal`).
    #[serde(default)]
    pub propose_to_kb: bool,
}

/// Similar published articles shown beside a proposal, to avoid duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct AnswerResult {
    /// The appeal after the answer.
    pub appeal: Appeal,
    /// The draft created from the answer, if proposed.
    pub proposed_article_id: Option<String>,
    /// Published articles close to the question (for the proposal's reviewer).
    pub similar_articles: Vec<String>,
}

/// `POST /api/v1/appeals/{id}/notes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The note, never shown to the teacher.
    pub text: String,
}

/// `POST /api/v1/appeals/{id}/bot-grade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct BotGradeRequest {
    /// The grade.
    pub grade: BotGrade,
    /// Why.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Why an operator closes an appeal.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(rename_all = "snake_case")]
pub enum OperatorCloseReason {
    /// Not about paperwork.
    OffTopic,
    /// Asked before.
    Duplicate,
    /// Spam.
    Spam,
}

/// `POST /api/v1/appeals/{id}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The reason.
    pub reason: OperatorCloseReason,
    /// A note to the teacher.
    #[serde(default)]
    pub note: Option<String>,
    /// For `duplicate`: the earlier appeal.
    #[serde(default)]
    pub duplicate_of: Option<String>,
}

/// `POST /api/v1/appeals/{id}/transfer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The right region's code.
    pub region: String,
    /// Why (shown to the teacher).
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/appeals/{id}/control`: a regional head or a federal supervisor puts the
/// appeal «На контроль».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct ControlRequest {
    /// What the operators should mind, 1–2,000 characters (shown to them with the badge).
    pub comment: String,
}

/// An appeal «На контроле»: who put it there, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct AppealControl {
    /// The leadership's comment.
    pub comment: String,
    /// Who (user id).
    pub by: Option<String>,
    /// Their name, if known.
    pub by_name: Option<String>,
    /// When.
    pub at: String,
}
