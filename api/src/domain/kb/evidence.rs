//! The service's own evidence about its instant answers, as labelled questions for
//! `api kb fit`: a production knowledge base other than the demo one gets its abstain
//! model calibrated on what happened to its own answers.
//!
//! Per appeal, one example (question text → article, or none = should not have answered):
//! - a suggested article the teacher accepted → that article;
//! - a bot answer graded «верно» by an operator, or marked «Помогло» → the bot's article;
//! - a bot answer graded «неверно», marked «Не помогло» or escalated → the article an
//!   operator then answered with, if any, else none;
//! - anything else (no verdict, «частично») teaches nothing.
//!
//! An operator's grade outranks the teacher's click.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{appeal_answers as ans, appeals as ap, bot_grades as g};
use crate::db::AnyConnection;
use crate::matching::LabelledQuestion;

/// Appeal ids per query (well under SQLite's bound variable limit).
const CHUNK: usize = 500;

/// What happened to one appeal's answers.
#[derive(Debug, Default)]
struct Trail {
    bot_article: Option<String>,
    helpful: Option<bool>,
    operator_article: Option<String>,
    accepted: Option<String>,
    grade: Option<String>,
}

impl Trail {
    /// The label this trail gives the question (`None`: no example;
    /// `Some(None)`: should not have been answered).
    fn label(&self, escalated: bool) -> Option<Option<String>> {
        if let Some(a) = &self.accepted {
            return Some(Some(a.clone()));
        }
        let bot = self.bot_article.as_ref()?;
        let wrong = || Some(self.operator_article.clone().filter(|op| op != bot));
        match self.grade.as_deref() {
            Some("correct") => return Some(Some(bot.clone())),
            Some("wrong") => return wrong(),
            Some(_) => return None,
            None => {}
        }
        match self.helpful {
            Some(true) => Some(Some(bot.clone())),
            Some(false) => wrong(),
            None if escalated => wrong(),
            None => None,
        }
    }
}

/// The labelled questions the service's history gives, in appeal id order.
///
/// # Errors
/// A database failure.
pub fn labelled(conn: &mut AnyConnection) -> QueryResult<Vec<LabelledQuestion>> {
    let answers: Vec<(String, String, Option<String>, Option<bool>)> = ans::table
        .filter(ans::article_id.is_not_null())
        .select((ans::appeal_id, ans::source, ans::article_id, ans::helpful))
        .order((ans::answered_at.asc(), ans::id.asc()))
        .load(conn)?;
    let mut trails: BTreeMap<String, Trail> = BTreeMap::new();
    for (appeal, source, article, helpful) in answers {
        let t = trails.entry(appeal).or_default();
        match source.as_str() {
            "bot" => {
                t.bot_article = article;
                t.helpful = helpful;
            }
            "self_served" => t.accepted = article,
            _ => {
                if t.operator_article.is_none() {
                    t.operator_article = article;
                }
            }
        }
    }
    let grades: Vec<(String, String)> = g::table.select((g::appeal_id, g::grade)).load(conn)?;
    for (appeal, grade) in grades {
        if let Some(t) = trails.get_mut(&appeal) {
            t.grade = Some(grade);
        }
    }
    let ids: Vec<String> = trails.keys().cloned().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String, Option<NaiveDateTime>)> = ap::table
            .filter(ap::id.eq_any(chunk))
            .select((ap::id, ap::text, ap::escalated_at))
            .order(ap::id.asc())
            .load(conn)?;
        for (id, text, escalated_at) in rows {
            if let Some(expect) = trails
                .get(&id)
                .and_then(|t| t.label(escalated_at.is_some()))
            {
                out.push(LabelledQuestion { q: text, expect });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::Trail;

    #[test]
    fn grades_outrank_clicks_and_escalations_take_the_operators_article() {
        let bot = |grade: Option<&str>, helpful: Option<bool>, op: Option<&str>| Trail {
            bot_article: Some("a".into()),
            helpful,
            operator_article: op.map(Into::into),
            accepted: None,
            grade: grade.map(Into::into),
        };
        assert_eq!(
            bot(None, Some(true), None).label(false),
            Some(Some("a".into()))
        );
        assert_eq!(
            bot(Some("wrong"), Some(true), None).label(false),
            Some(None)
        );
        assert_eq!(
            bot(None, Some(false), Some("b")).label(true),
            Some(Some("b".into()))
        );
        assert_eq!(bot(None, None, None).label(true), Some(None));
        assert_eq!(bot(None, None, None).label(false), None);
        assert_eq!(bot(Some("partly"), Some(true), None).label(false), None);
        let accepted = Trail {
            accepted: Some("c".into()),
            ..Trail::default()
        };
        assert_eq!(accepted.label(false), Some(Some("c".into())));
    }
}
