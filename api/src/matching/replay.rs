//! Learning from the service, replayed: labelled questions arrive in file
//! order as appeals; the first half is the service's history, the later half
//! is scored before and after the history taught the engine.
//!
//! What the product learns from (issue #15, item 6): a question the bot did not
//! answer rightly (it abstained, or it answered wrongly and the teacher
//! escalated) is answered by an operator with the right article; the question
//! becomes a candidate variant of that article, and the curator confirms it
//! (`domain::kb::variants`). Questions the bot answered rightly teach nothing,
//! and neither do questions outside the base (the operator answers without an
//! article). The replay assumes every candidate is confirmed.
//!
//! The abstain model is fitted on the history half only (before any
//! learning) and kept for every point of the curve, so no figure is fitted
//! on the questions it scores.

use serde::Serialize;

use super::cv::FoldFigures;
use super::eval::LabelledQuestion;
use super::fit::fit;
use super::{AnswerEngine, ArticleDoc, Bm25Engine, EngineConfig};

/// One point of the learning curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayPoint {
    /// History questions seen so far.
    pub seen: usize,
    /// Confirmed variants learnt from them.
    pub learned: usize,
    /// Figures on the later half.
    pub later: FoldFigures,
}

/// Scores `engine` on `questions` (the engine's own decisions).
fn score(engine: &Bm25Engine, questions: &[LabelledQuestion]) -> FoldFigures {
    let n = questions.len().max(1) as f64;
    let answerable = questions
        .iter()
        .filter(|q| q.expect.is_some())
        .count()
        .max(1) as f64;
    let (mut right, mut wrong, mut answered, mut first, mut top3) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for q in questions {
        let d = engine.decide(&q.q, 3);
        let best = d.best.as_ref().map(|h| &h.article_id);
        let is_right = q.expect.is_some() && best == q.expect.as_ref();
        if d.confident {
            answered += 1.0;
            if is_right {
                right += 1.0;
            } else {
                wrong += 1.0;
            }
        }
        if is_right {
            first += 1.0;
        }
        if q.expect
            .as_ref()
            .is_some_and(|e| d.hits.iter().any(|h| &h.article_id == e))
        {
            top3 += 1.0;
        }
    }
    FoldFigures {
        questions: questions.len(),
        top1: right / answerable,
        wrong: wrong / n,
        answered: answered / n,
        ranking_top1: first / answerable,
        ranking_top3: top3 / answerable,
    }
}

/// Replays `history` in order over `docs` (it teaches) and scores `later`
/// after every `step` history questions (and at the start and the end).
/// [`split_half`] makes the two from one file.
pub fn replay(
    docs: &[ArticleDoc],
    history: &[LabelledQuestion],
    later: &[LabelledQuestion],
    step: usize,
    seed: u64,
    max_wrong: f64,
) -> Vec<ReplayPoint> {
    let model = fit(docs, history, seed);
    let engine = Bm25Engine::new(EngineConfig {
        abstain_model: true,
        answer_max_wrong: max_wrong,
        ..EngineConfig::default()
    })
    .with_abstain_model(Some(model));
    engine.replace_all(docs.to_vec());
    let mut articles: Vec<ArticleDoc> = docs.to_vec();
    let mut points = vec![ReplayPoint {
        seen: 0,
        learned: 0,
        later: score(&engine, later),
    }];
    let mut learned = 0;
    let step = step.max(1);
    for (i, q) in history.iter().enumerate() {
        let d = engine.decide(&q.q, 3);
        let answered_right = d.confident && d.best.map(|h| h.article_id) == q.expect;
        if let (false, Some(expect)) = (answered_right, &q.expect) {
            if let Some(doc) = articles.iter_mut().find(|a| &a.id == expect) {
                doc.variants.push(q.q.clone());
                engine.upsert(doc.clone());
                learned += 1;
            }
        }
        let seen = i + 1;
        if seen % step == 0 || seen == history.len() {
            points.push(ReplayPoint {
                seen,
                learned,
                later: score(&engine, later),
            });
        }
    }
    points
}

/// The first half of `questions` (the history) and the later half.
pub fn split_half(questions: &[LabelledQuestion]) -> (&[LabelledQuestion], &[LabelledQuestion]) {
    questions.split_at(questions.len() / 2)
}

/// The curve as a text table.
pub fn format_curve(points: &[ReplayPoint]) -> String {
    let mut out =
        String::from("seen\tlearned\ttop-1\twrong\tanswered\tranking first\ttop-3 (later half)\n");
    for p in points {
        out.push_str(&format!(
            "{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\n",
            p.seen,
            p.learned,
            p.later.top1,
            p.later.wrong,
            p.later.answered,
            p.later.ranking_top1,
            p.later.ranking_top3
        ));
    }
    out
}
