//! Conversions of `shared` DTOs that `json` does not have yet: the staff board, the
//! operator's actions on an appeal and the answer's result. Hand-written like `json`'s (the
//! lead folds them into its derive later); the browser tests cover every one.

use shared::appeals::{
    AnswerRequest, AnswerResult, AppealStatus, AssignRequest, Board, BoardColumn, BotGrade,
    BotGradeRequest, CloseRequest, NoteRequest, OperatorCloseReason, TransferRequest,
};
use wasm_bindgen::JsValue;

use crate::json::{array, get, list, object, opt, string, strings, FromJs, ToJs};

impl FromJs for BoardColumn {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            status: AppealStatus::parse(&string(value, "status")?)?,
            // Counts are small whole numbers.
            #[allow(clippy::cast_possible_truncation)]
            count: get(value, "count").as_f64()? as i64,
            items: list(value, "items")?,
        })
    }
}

impl FromJs for Board {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            columns: array(value, "columns")
                .iter()
                .map(BoardColumn::from_js)
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

impl FromJs for AnswerResult {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Self {
            appeal: FromJs::from_js(&get(value, "appeal"))?,
            proposed_article_id: string(value, "proposed_article_id"),
            similar_articles: strings(value, "similar_articles"),
        })
    }
}

impl ToJs for AssignRequest {
    fn to_js(&self) -> JsValue {
        // `null` returns the appeal to the queue: the key is sent, not left out.
        let operator = self
            .operator_id
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        object(&[("operator_id", operator)])
    }
}

impl ToJs for AnswerRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("text", JsValue::from_str(&self.text)),
            ("article_id", opt(self.article_id.as_ref())),
            ("propose_to_kb", JsValue::from_bool(self.propose_to_kb)),
        ])
    }
}

impl ToJs for NoteRequest {
    fn to_js(&self) -> JsValue {
        object(&[("text", JsValue::from_str(&self.text))])
    }
}

impl ToJs for BotGradeRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("grade", JsValue::from_str(grade_str(self.grade))),
            ("comment", opt(self.comment.as_ref())),
        ])
    }
}

fn grade_str(grade: BotGrade) -> &'static str {
    grade.as_str()
}

/// The wire name of a reason an operator closes with.
#[must_use]
pub fn close_reason_str(reason: OperatorCloseReason) -> &'static str {
    match reason {
        OperatorCloseReason::OffTopic => "off_topic",
        OperatorCloseReason::Duplicate => "duplicate",
        OperatorCloseReason::Spam => "spam",
    }
}

impl ToJs for CloseRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("reason", JsValue::from_str(close_reason_str(self.reason))),
            ("note", opt(self.note.as_ref())),
            ("duplicate_of", opt(self.duplicate_of.as_ref())),
        ])
    }
}

impl ToJs for TransferRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("region", JsValue::from_str(&self.region)),
            ("note", opt(self.note.as_ref())),
        ])
    }
}
