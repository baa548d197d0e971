//! Cross-validated evaluation: everything fitted from labelled questions
//! (the abstain model and its threshold, or the hand-set engine's confidence
//! threshold) is fitted on K−1 folds and scored on the held-out fold.

use std::fmt;

use serde::Serialize;

use super::eval::{answered_at, evaluate, LabelledQuestion, QuestionOutcome};
use super::fit::{collect, engine_for, fit_examples, folds, Example};
use super::rerank::fit_reranker;
use super::{AnswerEngine, ArticleDoc, Bm25Engine, EngineConfig};

/// Which decision rule is fitted and scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    /// The logistic abstain model with its CV-chosen threshold (the engine's default).
    Model,
    /// The previous engine: hand-set gates, with the confidence threshold
    /// refitted on the training folds (the "before" column).
    Legacy,
}

/// Figures of one scored set of questions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FoldFigures {
    /// Questions scored.
    pub questions: usize,
    /// Right answers over answerable questions (abstaining is a miss).
    pub top1: f64,
    /// Wrong answers over all questions.
    pub wrong: f64,
    /// Answered share.
    pub answered: f64,
    /// First-ranked article is right, answered or not (answerable questions).
    pub ranking_top1: f64,
    /// Right article among the first three (answerable questions).
    pub ranking_top3: f64,
}

/// One held-out question's result.
struct Scored {
    answerable: bool,
    answered: bool,
    right_first: bool,
    right_top3: bool,
}

fn figures(rows: &[Scored]) -> FoldFigures {
    let n = rows.len().max(1) as f64;
    let answerable = rows.iter().filter(|r| r.answerable).count().max(1) as f64;
    let count = |f: &dyn Fn(&Scored) -> bool| rows.iter().filter(|r| f(r)).count() as f64;
    FoldFigures {
        questions: rows.len(),
        top1: count(&|r| r.answered && r.right_first) / answerable,
        wrong: count(&|r| r.answered && !r.right_first) / n,
        answered: count(&|r| r.answered) / n,
        ranking_top1: count(&|r| r.right_first) / answerable,
        ranking_top3: count(&|r| r.right_top3) / answerable,
    }
}

/// Where the held-out questions went wrong, by class (counts of questions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MissClasses {
    /// Answerable, right article first, but abstained.
    pub right_first_abstained: usize,
    /// Answerable, another article first, abstained (right one in the top 3).
    pub neighbour_first_abstained: usize,
    /// Answerable, another article first and answered (a wrong answer).
    pub neighbour_first_answered: usize,
    /// Answerable, right article not in the top 3, abstained.
    pub not_found: usize,
    /// Must abstain (courtesy, off-topic), but answered.
    pub off_topic_answered: usize,
}

fn miss_classes(rows: &[Scored]) -> MissClasses {
    let count = |f: &dyn Fn(&Scored) -> bool| rows.iter().filter(|r| f(r)).count();
    MissClasses {
        right_first_abstained: count(&|r| r.answerable && r.right_first && !r.answered),
        neighbour_first_abstained: count(&|r| {
            r.answerable && !r.right_first && !r.answered && r.right_top3
        }),
        neighbour_first_answered: count(&|r| r.answerable && !r.right_first && r.answered),
        not_found: count(&|r| r.answerable && !r.right_first && !r.answered && !r.right_top3),
        off_topic_answered: count(&|r| !r.answerable && r.answered),
    }
}

/// Result of a cross-validation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvReport {
    /// Decision rule.
    pub method: Method,
    /// Number of folds.
    pub k: usize,
    /// Seed of the fold split.
    pub seed: u64,
    /// Target wrong-answer rate the thresholds were fitted for.
    pub max_wrong: f64,
    /// Figures over all held-out questions together.
    pub pooled: FoldFigures,
    /// Figures per fold.
    pub folds: Vec<FoldFigures>,
    /// The misses of all held-out questions by class.
    pub misses: MissClasses,
}

fn spread(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (mean, sd)
}

impl fmt::Display for CvReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.pooled;
        writeln!(
            f,
            "{:?}: {}-fold cross-validation (seed {}, target wrong ≤ {:.3}), {} questions",
            self.method, self.k, self.seed, self.max_wrong, p.questions
        )?;
        let (t, ts) = spread(self.folds.iter().map(|x| x.top1));
        let (w, ws) = spread(self.folds.iter().map(|x| x.wrong));
        let (a, as_) = spread(self.folds.iter().map(|x| x.answered));
        writeln!(
            f,
            "top-1 accuracy:     {:.3}  (folds {t:.3} ± {ts:.3})",
            p.top1
        )?;
        writeln!(
            f,
            "wrong-answer rate:  {:.3}  (folds {w:.3} ± {ws:.3})",
            p.wrong
        )?;
        writeln!(
            f,
            "answered share:     {:.3}  (folds {a:.3} ± {as_:.3})",
            p.answered
        )?;
        writeln!(
            f,
            "ranking only:       top-1 {:.3}, top-3 {:.3}",
            p.ranking_top1, p.ranking_top3
        )?;
        let m = &self.misses;
        writeln!(
            f,
            "misses:             right first but abstained {}, neighbour first abstained {}, \
             neighbour answered {}, not in top 3 {}, must-abstain answered {}",
            m.right_first_abstained,
            m.neighbour_first_abstained,
            m.neighbour_first_answered,
            m.not_found,
            m.off_topic_answered
        )
    }
}

impl CvReport {
    /// Machine-readable form.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// K-fold cross-validation of `method` over `questions` asked of `docs`.
pub fn cross_validate(
    docs: &[ArticleDoc],
    questions: &[LabelledQuestion],
    k: usize,
    seed: u64,
    max_wrong: f64,
    method: Method,
) -> CvReport {
    let k = k.max(2);
    let fold = folds(questions.len(), k, seed);
    let mut all = Vec::new();
    let mut per_fold = Vec::new();
    let fitted = Fitted::prepare(docs, questions, method);
    for f in 0..k {
        let train: Vec<usize> = (0..questions.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..questions.len()).filter(|&i| fold[i] == f).collect();
        let rows = fitted.fit_and_score(&train, &test, seed, max_wrong);
        per_fold.push(figures(&rows));
        all.extend(rows);
    }
    CvReport {
        method,
        k,
        seed,
        max_wrong,
        pooled: figures(&all),
        folds: per_fold,
        misses: miss_classes(&all),
    }
}

/// Fits `method` on all of `train` and scores it on `test` (e.g. fitted on
/// the dev set, scored on the hard set).
pub fn train_test(
    docs: &[ArticleDoc],
    train: &[LabelledQuestion],
    test: &[LabelledQuestion],
    seed: u64,
    max_wrong: f64,
    method: Method,
) -> FoldFigures {
    let both: Vec<LabelledQuestion> = train.iter().chain(test).cloned().collect();
    let fitted = Fitted::prepare(docs, &both, method);
    let tr: Vec<usize> = (0..train.len()).collect();
    let te: Vec<usize> = (train.len()..both.len()).collect();
    figures(&fitted.fit_and_score(&tr, &te, seed, max_wrong))
}

/// Questions ranked once, ready for per-fold fits.
enum Fitted {
    Model(Vec<Example>),
    Legacy(Vec<(QuestionOutcome, bool)>),
}

impl Fitted {
    fn prepare(docs: &[ArticleDoc], questions: &[LabelledQuestion], method: Method) -> Self {
        match method {
            Method::Model => Fitted::Model(collect(&engine_for(docs, None), questions)),
            Method::Legacy => {
                let engine = Bm25Engine::new(EngineConfig {
                    abstain_model: false,
                    ..EngineConfig::default()
                });
                engine.replace_all(docs.to_vec());
                let report = evaluate(&engine, questions);
                let top3: Vec<bool> = questions
                    .iter()
                    .map(|q| {
                        let hits = engine.decide(&q.q, 3).hits;
                        q.expect
                            .as_ref()
                            .is_some_and(|e| hits.iter().any(|h| &h.article_id == e))
                    })
                    .collect();
                Fitted::Legacy(report.outcomes.into_iter().zip(top3).collect())
            }
        }
    }

    fn fit_and_score(
        &self,
        train: &[usize],
        test: &[usize],
        seed: u64,
        max_wrong: f64,
    ) -> Vec<Scored> {
        match self {
            Fitted::Model(examples) => {
                // The neighbour re-ranker is fitted on the training folds too,
                // then the abstain model on the re-ranked training questions.
                let tr: Vec<&Example> = train.iter().map(|&i| &examples[i]).collect();
                let ranker = fit_reranker(&tr);
                let examples: Vec<Example> = examples.iter().map(|e| ranker.apply(e)).collect();
                let tr: Vec<&Example> = train.iter().map(|&i| &examples[i]).collect();
                let model = fit_examples(&tr, seed);
                let t = model.threshold_for(max_wrong);
                test.iter()
                    .map(|&i| {
                        let ex = &examples[i];
                        let (p, best) = ex.decide(&model);
                        let right = ex.is_right(best.as_ref());
                        Scored {
                            answerable: ex.expect.is_some(),
                            answered: !ex.courtesy && best.is_some() && p >= t,
                            right_first: right,
                            right_top3: ex.expect.as_ref().is_some_and(|e| {
                                ex.probes.first().is_some_and(|p| p.top3.contains(e))
                            }),
                        }
                    })
                    .collect()
            }
            Fitted::Legacy(outcomes) => {
                let t = legacy_threshold(train.iter().map(|&i| &outcomes[i].0), max_wrong);
                test.iter()
                    .map(|&i| {
                        let (o, top3) = &outcomes[i];
                        Scored {
                            answerable: o.expect.is_some(),
                            answered: answered_at(o, t),
                            right_first: o.expect.is_some() && o.best == o.expect,
                            right_top3: *top3,
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Confidence threshold of the hand-set engine that answers most right
/// questions of the training outcomes with wrong ≤ `max_wrong`.
fn legacy_threshold<'a>(train: impl Iterator<Item = &'a QuestionOutcome>, max_wrong: f64) -> f64 {
    let train: Vec<&QuestionOutcome> = train.collect();
    let n = train.len().max(1) as f64;
    let mut best = (f64::NEG_INFINITY, 1.0);
    for step in 0..=200 {
        let t = f64::from(step) * 0.005;
        let ans: Vec<_> = train.iter().filter(|o| answered_at(o, t)).collect();
        let right = ans
            .iter()
            .filter(|o| o.expect.is_some() && o.best == o.expect)
            .count() as f64;
        let wrong = ans.len() as f64 - right;
        if wrong / n <= max_wrong && right > best.0 {
            best = (right, t);
        }
    }
    best.1
}
