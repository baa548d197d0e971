//! Closed sets of the appeal thread as stored: who wrote a message, what kind of entry it
//! is, and an operator's grade of a bot answer. The wire keeps `Message::author_role` and
//! `Message::kind` as text (the OpenAPI document names no enum for them), so these enums
//! carry no utoipa derive; rows and queries use them instead of string literals.

use serde::{Deserialize, Serialize};

/// Who wrote an entry of an appeal's thread (`appeal_messages.author_role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum MessageAuthor {
    /// The teacher who asked.
    Teacher,
    /// Staff of the region (an operator or a regional head).
    Operator,
    /// The knowledge base's answer.
    Bot,
    /// The service itself (automatic closing).
    System,
}

impl MessageAuthor {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Teacher => "teacher",
            Self::Operator => "operator",
            Self::Bot => "bot",
            Self::System => "system",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "teacher" => Some(Self::Teacher),
            "operator" => Some(Self::Operator),
            "bot" => Some(Self::Bot),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// What an entry of an appeal's thread is (`appeal_messages.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The teacher's first question.
    Question,
    /// An answer (bot or operator).
    Answer,
    /// The teacher's further question.
    FollowUp,
    /// An operator's request for details.
    Clarification,
    /// An internal note, never shown to the teacher.
    Note,
    /// A line about what happened (escalated, withdrawn, closed).
    System,
}

impl MessageKind {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Answer => "answer",
            Self::FollowUp => "follow_up",
            Self::Clarification => "clarification",
            Self::Note => "note",
            Self::System => "system",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "question" => Some(Self::Question),
            "answer" => Some(Self::Answer),
            "follow_up" => Some(Self::FollowUp),
            "clarification" => Some(Self::Clarification),
            "note" => Some(Self::Note),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// A grade of a bot answer.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum BotGrade {
    /// The answer was right.
    Correct,
    /// Partly right.
    Partly,
    /// Wrong.
    Wrong,
}

impl BotGrade {
    /// The stored (and audited) name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correct => "correct",
            Self::Partly => "partly",
            Self::Wrong => "wrong",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "correct" => Some(Self::Correct),
            "partly" => Some(Self::Partly),
            "wrong" => Some(Self::Wrong),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for a in [
            MessageAuthor::Teacher,
            MessageAuthor::Operator,
            MessageAuthor::Bot,
            MessageAuthor::System,
        ] {
            assert_eq!(MessageAuthor::parse(a.as_str()), Some(a));
        }
        for k in [
            MessageKind::Question,
            MessageKind::Answer,
            MessageKind::FollowUp,
            MessageKind::Clarification,
            MessageKind::Note,
            MessageKind::System,
        ] {
            assert_eq!(MessageKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for g in [BotGrade::Correct, BotGrade::Partly, BotGrade::Wrong] {
            assert_eq!(BotGrade::parse(g.as_str()), Some(g));
        }
        assert_eq!(MessageKind::parse("remark"), None);
    }
}
