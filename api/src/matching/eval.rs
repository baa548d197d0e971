//! Evaluation harness: runs an engine over labelled questions and reports
//! accuracy, wrong-answer rate, abstention quality and a threshold sweep.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AnswerEngine, ArticleDoc, Decision};

/// A labelled question: `expect` is the right article, or `None` when the
/// right outcome is to abstain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledQuestion {
    /// Question text.
    pub q: String,
    /// Expected article id, or `None` (abstain).
    pub expect: Option<String>,
}

/// What happened to one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionOutcome {
    /// Question text.
    pub q: String,
    /// Expected article id.
    pub expect: Option<String>,
    /// Best hit (also when the engine abstained).
    pub best: Option<String>,
    /// Whether the engine answered.
    pub confident: bool,
    /// Abstention reason.
    pub abstain_reason: Option<String>,
    /// Engine confidence.
    pub confidence: f64,
    /// Relative margin over the runner-up.
    pub margin: f64,
    /// Query coverage by the best hit.
    pub coverage: f64,
    /// Wording match of the best hit.
    pub text_match: f64,
    /// Runner-up article.
    pub second: Option<String>,
}

impl QuestionOutcome {
    /// Answered with the expected article.
    pub fn is_correct(&self) -> bool {
        self.confident && self.expect.is_some() && self.best == self.expect
    }

    /// Answered, but not with the expected article (or should have abstained).
    pub fn is_wrong(&self) -> bool {
        self.confident && self.best != self.expect
    }
}

/// One row of the threshold sweep (other gates at their configured values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    /// Confidence threshold.
    pub threshold: f64,
    /// Share of questions answered.
    pub answered_share: f64,
    /// Correct answers over answerable questions.
    pub top1_accuracy: f64,
    /// Wrong answers over all questions.
    pub wrong_answer_rate: f64,
}

/// Summary of an evaluation run.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Number of questions.
    pub questions: usize,
    /// Questions with an expected article.
    pub answerable: usize,
    /// Answered questions over all questions.
    pub answered_share: f64,
    /// Correct answers over answerable questions (abstaining is a miss).
    pub top1_accuracy: f64,
    /// Wrong answers (wrong article, or answered an out-of-scope question) over all questions.
    pub wrong_answer_rate: f64,
    /// Abstentions on out-of-scope questions over all abstentions (1 when none).
    pub abstain_precision: f64,
    /// Best hit is the expected article, whether answered or not, over answerable questions.
    pub top1_ranking: f64,
    /// Expected article among the top 3 hits, over answerable questions.
    pub top3_ranking: f64,
    /// Metrics at other confidence thresholds.
    pub sweep: Vec<SweepRow>,
    /// Per-question details.
    pub outcomes: Vec<QuestionOutcome>,
}

/// Parses labelled questions JSONL (`{"q": "...", "expect": "kb-001" | null}`).
pub fn parse_questions_jsonl(text: &str) -> Result<Vec<LabelledQuestion>, (usize, String)> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|e| (idx + 1, e.to_string()))?);
    }
    Ok(out)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Whether a decision would have answered at confidence threshold `t`
/// (relies on engines checking the confidence gate last).
pub(super) fn answered_at(d: &QuestionOutcome, t: f64) -> bool {
    let other_gates_ok = d.confident || d.abstain_reason.as_deref() == Some("low_score");
    d.best.is_some() && other_gates_ok && d.confidence >= t
}

fn outcome(q: &LabelledQuestion, d: &Decision) -> QuestionOutcome {
    QuestionOutcome {
        q: q.q.clone(),
        expect: q.expect.clone(),
        best: d.best.as_ref().map(|h| h.article_id.clone()),
        confident: d.confident,
        abstain_reason: d.abstain_reason.clone(),
        confidence: d.confidence,
        margin: d.margin,
        coverage: d.coverage,
        text_match: d.text_match,
        second: d.hits.get(1).map(|h| h.article_id.clone()),
    }
}

/// Computes the report from per-question outcomes; `hits` holds each
/// question's ranked article ids (for the ranking-only figures).
fn report(outcomes: Vec<QuestionOutcome>, hits: &[Vec<String>]) -> EvalReport {
    let questions = outcomes.len();
    let answerable = outcomes.iter().filter(|o| o.expect.is_some()).count();
    let answered = outcomes.iter().filter(|o| o.confident).count();
    let correct = outcomes.iter().filter(|o| o.is_correct()).count();
    let wrong = outcomes.iter().filter(|o| o.is_wrong()).count();
    let abstained = questions - answered;
    let abstained_right = outcomes
        .iter()
        .filter(|o| !o.confident && o.expect.is_none())
        .count();
    let top1 = outcomes
        .iter()
        .filter(|o| o.expect.is_some() && o.best == o.expect)
        .count();
    let top3 = outcomes
        .iter()
        .zip(hits)
        .filter(|(o, h)| {
            o.expect
                .as_ref()
                .is_some_and(|e| h.iter().take(3).any(|x| x == e))
        })
        .count();
    let mut sweep = Vec::new();
    for step in 0..=40 {
        let t = f64::from(step) * 0.025;
        let ans: Vec<&QuestionOutcome> = outcomes.iter().filter(|o| answered_at(o, t)).collect();
        let ok = ans
            .iter()
            .filter(|o| o.expect.is_some() && o.best == o.expect)
            .count();
        let bad = ans.iter().filter(|o| o.best != o.expect).count();
        sweep.push(SweepRow {
            threshold: t,
            answered_share: ratio(ans.len(), questions),
            top1_accuracy: ratio(ok, answerable),
            wrong_answer_rate: ratio(bad, questions),
        });
    }
    EvalReport {
        questions,
        answerable,
        answered_share: ratio(answered, questions),
        top1_accuracy: ratio(correct, answerable),
        wrong_answer_rate: ratio(wrong, questions),
        abstain_precision: if abstained == 0 {
            1.0
        } else {
            ratio(abstained_right, abstained)
        },
        top1_ranking: ratio(top1, answerable),
        top3_ranking: ratio(top3, answerable),
        sweep,
        outcomes,
    }
}

/// Runs `engine` over `questions` and summarises.
pub fn evaluate(engine: &dyn AnswerEngine, questions: &[LabelledQuestion]) -> EvalReport {
    let mut outcomes = Vec::with_capacity(questions.len());
    let mut hits = Vec::with_capacity(questions.len());
    for q in questions {
        let d = engine.decide(&q.q, 5);
        outcomes.push(outcome(q, &d));
        hits.push(d.hits.iter().map(|h| h.article_id.clone()).collect());
    }
    report(outcomes, &hits)
}

/// Robustness check that needs no labelled questions: every variant of every
/// article is removed from the index in turn and asked as a question (its
/// article keeps the other wordings). `engine` must already hold `docs`; it is
/// restored afterwards.
pub fn leave_one_variant_out(engine: &dyn AnswerEngine, docs: &[ArticleDoc]) -> EvalReport {
    let mut outcomes = Vec::new();
    let mut hits = Vec::new();
    for doc in docs {
        for i in 0..doc.variants.len() {
            let mut reduced = doc.clone();
            let held_out = reduced.variants.remove(i);
            engine.upsert(reduced);
            let q = LabelledQuestion {
                q: held_out,
                expect: Some(doc.id.clone()),
            };
            let d = engine.decide(&q.q, 5);
            outcomes.push(outcome(&q, &d));
            hits.push(d.hits.iter().map(|h| h.article_id.clone()).collect());
        }
        engine.upsert(doc.clone());
    }
    report(outcomes, &hits)
}

impl EvalReport {
    /// Human-readable report with the sweep table.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("questions:          {}\n", self.questions));
        s.push_str(&format!("answerable:         {}\n", self.answerable));
        s.push_str(&format!("answered share:     {:.3}\n", self.answered_share));
        s.push_str(&format!("top-1 accuracy:     {:.3}\n", self.top1_accuracy));
        s.push_str(&format!(
            "wrong-answer rate:  {:.3}\n",
            self.wrong_answer_rate
        ));
        s.push_str(&format!(
            "abstain precision:  {:.3}\n",
            self.abstain_precision
        ));
        s.push_str(&format!(
            "ranking only:       top-1 {:.3}, top-3 {:.3}\n",
            self.top1_ranking, self.top3_ranking
        ));
        s.push_str("\nthreshold sweep (confidence gate; other gates as configured)\n");
        s.push_str("threshold  answered  top1_acc  wrong\n");
        for r in &self.sweep {
            s.push_str(&format!(
                "{:>9.3}  {:>8.3}  {:>8.3}  {:>5.3}\n",
                r.threshold, r.answered_share, r.top1_accuracy, r.wrong_answer_rate
            ));
        }
        s
    }

    /// Misses and wrong answers, one line each (for tuning sessions).
    pub fn errors_text(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            let status = if o.is_correct() || (o.expect.is_none() && !o.confident) {
                continue;
            } else if o.is_wrong() {
                "WRONG"
            } else {
                "MISS "
            };
            s.push_str(&format!(
                "{status} expect={:<7} best={:<7} conf={:.3} margin={:.3} cov={:.3} reason={:<13} {}\n",
                o.expect.as_deref().unwrap_or("-"),
                o.best.as_deref().unwrap_or("-"),
                o.confidence,
                o.margin,
                o.coverage,
                o.abstain_reason.as_deref().unwrap_or("-"),
                o.q
            ));
        }
        s
    }

    /// Machine-readable report: the summary numbers plus the sweep.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "questions": self.questions,
            "answerable": self.answerable,
            "answered_share": self.answered_share,
            "top1_accuracy": self.top1_accuracy,
            "wrong_answer_rate": self.wrong_answer_rate,
            "abstain_precision": self.abstain_precision,
            "top1_ranking": self.top1_ranking,
            "top3_ranking": self.top3_ranking,
            "sweep": self.sweep,
        })
    }
}
